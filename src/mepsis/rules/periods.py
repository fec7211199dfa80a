"""School years and performance periods, as the program names them ("2025-26").

- A **school year** runs July 1 to June 30 (Wis. Stat. 115.001(13), and most states' convention); it is the
  span an enrollment and a SMEPA record belong to.
- A **performance period** runs September 1 to August 31 (domain.md, "Counts and federal reports").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_NAME = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class Span:
    name: str
    first_day: dt.date
    last_day: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day


def parse_year_name(name: str) -> int | None:
    """The first calendar year of a name like "2025-26", or None when the name is not of that form."""
    match = _NAME.match(name or "")
    if not match:
        return None
    first = int(match[1])
    return first if (first + 1) % 100 == int(match[2]) else None


def school_year(name: str) -> Span:
    first = _first_year(name)
    return Span(name, dt.date(first, 7, 1), dt.date(first + 1, 6, 30))


def performance_period(name: str) -> Span:
    first = _first_year(name)
    return Span(name, dt.date(first, 9, 1), dt.date(first + 1, 8, 31))


def year_name(first_year: int) -> str:
    return f"{first_year}-{(first_year + 1) % 100:02d}"


def _first_year(name: str) -> int:
    first = parse_year_name(name)
    if first is None:
        raise ValueError(f"{name!r} is not a year like 2025-26")
    return first
