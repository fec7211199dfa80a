"""Residence in the state, for the Category 1 child count (domain.md, "Counts and federal reports").

**[convention]** A child resides in the state from the residency date of a COE until a recorded departure
from the state: an enrollment exit whose reason is a move out of state (``MOVED_OUT_OF_STATE``). A later
COE's residency date starts a new stay. The exact days this module fixes:

- a residency date is the first day of a stay, and one that comes while the child already resides changes
  nothing;
- the exit date of a departure is the last day of the stay it ends (a district's exit date is the
  student's last day there: the child left the state after it), so the child resides on it and not on the
  day after; a departure while the child does not reside (before any residency date, or a second one)
  changes nothing;
- a departure and a residency date on the same day: the departure ends the old stay and the residency date
  starts a new one that same day. The COE's residency date is a date a recruiter verified face to face, a
  departure is a district's exit code; when they disagree on one day, the child is taken to reside;
- stays that touch (one ends the day before the next starts) or meet are one stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MOVED_OUT_OF_STATE = "MOVED_OUT_OF_STATE"

_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Stay:
    """Days the child resides in the state: ``first_day .. last_day``, both included; an open stay
    (``last_day`` None) goes on until a departure is recorded."""

    first_day: dt.date
    last_day: dt.date | None = None

    def __contains__(self, day: dt.date) -> bool:
        return self.first_day <= day and (self.last_day is None or day <= self.last_day)


def residency_intervals(residency_dates: Iterable[dt.date | None],
                        departures: Iterable[dt.date | None]) -> list[Stay]:
    """The child's stays in the state, oldest first, from the residency dates of the child's COEs and the
    exit dates of the child's departures from the state (unknown dates, None, are left out)."""
    arrivals = {day for day in residency_dates if day is not None}
    leavings = {day for day in departures if day is not None}
    stays: list[Stay] = []
    since: dt.date | None = None  # the first day of the stay under way, if any
    for day in sorted(arrivals | leavings):
        if day in leavings and since is not None:
            stays.append(Stay(since, day))
            since = None
        if day in arrivals and since is None:
            since = day
    if since is not None:
        stays.append(Stay(since))
    return _joined(stays)


def resides_on(intervals: Sequence[Stay], day: dt.date) -> bool:
    """Whether the child resides in the state on ``day``."""
    return any(day in stay for stay in intervals)


def _joined(stays: list[Stay]) -> list[Stay]:
    """Stays that meet or touch as one (stays come sorted and never overlap)."""
    joined: list[Stay] = []
    for stay in stays:
        if joined and joined[-1].last_day is not None and stay.first_day <= joined[-1].last_day + _ONE_DAY:
            joined[-1] = Stay(joined[-1].first_day, stay.last_day)
        else:
            joined.append(stay)
    return joined
