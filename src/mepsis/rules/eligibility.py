"""The eligibility interval of a child on a COE (domain.md, "The eligibility interval").

The exact-day conventions are the project's, fixed in domain.md: a period of months or years is added
with calendar arithmetic (as ``dateutil.relativedelta`` does), so a QAD of 2024-02-29 plus 36 months is
2027-02-28 and the last eligible day is the day before it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from .findings import N_, Label

ONE_DAY = dt.timedelta(days=1)


class EndReason(StrEnum):
    THIRTY_SIX_MONTHS = "THIRTY_SIX_MONTHS"
    AGE_22 = "AGE_22"
    HS_COMPLETION = "HS_COMPLETION"
    DEATH = "DEATH"
    OTHER_LOSS_OF_ENTITLEMENT = "OTHER_LOSS_OF_ENTITLEMENT"
    FOUND_INELIGIBLE = "FOUND_INELIGIBLE"


# How the ends read to people (translated where they are shown).
END_REASON_LABELS = {
    EndReason.THIRTY_SIX_MONTHS: Label(N_("36 months after the qualifying arrival date")),
    EndReason.AGE_22: Label(N_("turned 22")),
    EndReason.HS_COMPLETION: Label(N_("completed high school (diploma or HSE)")),
    EndReason.DEATH: Label(N_("death")),
    EndReason.OTHER_LOSS_OF_ENTITLEMENT: Label(N_("other loss of entitlement to a free public education")),
    EndReason.FOUND_INELIGIBLE: Label(N_("found ineligible")),
}

# The ends a person records after approval, beside high school completion (which the COE child carries
# as hs_completion_date).
RECORDED_END_REASONS = (EndReason.DEATH, EndReason.OTHER_LOSS_OF_ENTITLEMENT)


def thirty_six_months_end(qad: dt.date) -> dt.date:
    """The last day of the 36 months that follow a qualifying arrival date."""
    return _day_before(qad, 36)


def age_22_end(birth_date: dt.date) -> dt.date:
    """The day before the 22nd birthday (a child born on Feb 29 turns 22 on Feb 28)."""
    return _day_before(birth_date, 22 * 12)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the last day of that month when it is shorter (Feb 29 + 12 months
    is Feb 28): ``day + relativedelta(months=months)``, without its cost on every child of every COE."""
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


def _day_before(day: dt.date, months: int) -> dt.date:
    """The day before ``day`` plus ``months``; the last day of the calendar when that lies beyond it.

    A document may carry a date in year 9999 (a typo, or a placeholder for "unknown"); judging it must not
    fail on the arithmetic, and an end past 9999-12-31 is no end within reach of any interview.
    """
    try:
        return add_months(day, months) - ONE_DAY
    except (OverflowError, ValueError):
        return dt.date.max


@dataclass(frozen=True, slots=True)
class EligibilityInterval:
    """The days a child is eligible under one COE: ``start .. last_day``, both included.

    A COE found ineligible has no eligible day: ``start`` and ``last_day`` are None.
    """

    start: dt.date | None
    last_day: dt.date | None
    end_reason: EndReason

    def covers(self, day: dt.date) -> bool:
        return self.start is not None and self.start <= day <= self.last_day


def eligibility_interval(
    qad: dt.date,
    birth_date: dt.date,
    *,
    hs_completion_date: dt.date | None = None,
    recorded_end: tuple[EndReason, dt.date] | None = None,
    found_ineligible: bool = False,
) -> EligibilityInterval:
    """Eligibility starts on the QAD and lasts until the earliest end.

    On a tie the reason listed first in domain.md's table wins (36 months, age 22, high school
    completion, then a recorded end), so the same inputs always give the same reason.
    """
    if found_ineligible:
        return EligibilityInterval(None, None, EndReason.FOUND_INELIGIBLE)
    ends = [
        (thirty_six_months_end(qad), EndReason.THIRTY_SIX_MONTHS),
        (age_22_end(birth_date), EndReason.AGE_22),
    ]
    if hs_completion_date is not None:
        ends.append((hs_completion_date, EndReason.HS_COMPLETION))
    if recorded_end is not None:
        reason, day = recorded_end
        ends.append((day, reason))
    last_day, reason = min(ends, key=lambda end: end[0])
    return EligibilityInterval(qad, last_day, reason)
