"""Who counts in the federal child counts, for one child, as domain.md defines them ("Counts and federal
reports"), by intervals of days rather than day by day.

- **Category 1**: on at least one day d of the performance period the child was eligible on d, aged 3
  through 21 on d (3rd birthday <= d < 22nd birthday) and resided in the state on d.
- **Category 2**: on at least one day d of the period the child was eligible on d, aged 3 through 21 on d,
  and received a MEP service on d in a summer or intersession project.

A child served only under continuation of services is not eligible, so is in neither count: callers give
the intervals of approved, not voided COEs only. Each answer says which day first made the child count,
and which interval of eligibility it fell in, so a count can be explained child by child (and compared
with MSIX's list).

These functions decide one child; the counts of a whole state are set-based SQL that must agree with them
(the tests check that they do).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .eligibility import ONE_DAY, add_months
from .periods import Span

Days = tuple[dt.date, dt.date]  # first and last day, both included


@dataclass(frozen=True, slots=True)
class Counted:
    """The first day of the period on which the child counted, and the eligibility interval it is in."""

    day: dt.date
    eligibility: Days


def aged_3_through_21(birth_date: dt.date) -> Days:
    """The days a child is aged 3 through 21: from the 3rd birthday to the day before the 22nd.

    Birthdays follow the calendar arithmetic of eligibility.age_22_end (a Feb 29 child turns 3 on Feb 28).
    """
    return add_months(birth_date, 36), add_months(birth_date, 22 * 12) - ONE_DAY


def intersect(first: Iterable[Days], second: Iterable[Days]) -> list[Days]:
    """The days in both sets of intervals, as sorted intervals."""
    result = []
    for start_a, end_a in sorted(first):
        for start_b, end_b in sorted(second):
            start, end = max(start_a, start_b), min(end_a, end_b)
            if start <= end:
                result.append((start, end))
    return sorted(result)


def category_1(period: Span, birth_date: dt.date, eligibility: Sequence[Days],
               residency: Sequence[Days]) -> Counted | None:
    """Whether (and from which day) a child counts in Category 1 of the period.

    ``eligibility``: the intervals of the child's approved, not void COEs; ``residency``: the stays in the
    state (rules.residency), an open stay ending on the period's last day or later.
    """
    return _first_day(period, birth_date, eligibility, residency)


def category_2(period: Span, birth_date: dt.date, eligibility: Sequence[Days],
               summer_services: Sequence[Days]) -> Counted | None:
    """Whether (and from which day) a child counts in Category 2: served in a summer or intersession
    project on a day it was eligible and aged 3 through 21. ``summer_services``: the days of those services."""
    return _first_day(period, birth_date, eligibility, summer_services)


def _first_day(period: Span, birth_date: dt.date, eligibility: Sequence[Days], also: Sequence[Days]) -> Counted | None:
    window = intersect([(period.first_day, period.last_day)], [aged_3_through_21(birth_date)])
    for interval in sorted(eligibility):
        days = intersect(intersect(window, [interval]), also)
        if days:
            return Counted(days[0][0], interval)
    return None


GRADES = ("KG", *(f"{grade:02d}" for grade in range(1, 13)), "UG")


def age_grade(birth_date: dt.date, on: dt.date, grade: str | None) -> str:
    """The EDFacts age/grade category (AGEGRDWO13) of a child on a day.

    [convention: ED's tie-break table (§2.5 of each file specification) is not in edfacts.md] A child with
    a grade (from an enrollment on that day, else the latest known) is in that grade; pre-kindergarten and
    no grade go by age: UNDER3 before the 3rd birthday, 3TO5NOTK through age 5, and an older child with no
    grade is out of school (OOS).
    """
    if grade in GRADES:
        return grade
    if on < add_months(birth_date, 36):
        return "UNDER3"
    if on < add_months(birth_date, 72):
        return "3TO5NOTK"
    return "OOS"
