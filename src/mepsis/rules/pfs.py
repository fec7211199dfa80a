"""Priority for services (PFS, ESEA 1304(d) as amended by ESSA; domain.md, "Priority for services").

PFS on a determination date d = the child made a qualifying move in the previous 1-year period (a QAD in
``[d - 1 year, d]``, the year counted by calendar, so d = 2024-02-29 reaches back to 2023-02-28) AND the child
is failing or most at risk of failing the state's academic standards, or has dropped out of school.

The at-risk test is the state's rule set, kept as data (``criteria``): a list of criteria, each
``{"indicator", "comparison", "threshold"}`` with optional ``"secondary_only"`` (only for a student in grade
9-12) and ``"max_age_days"`` (an indicator value older than that on d is not used), and a ``"label"``. A
child meets the test when any criterion holds on the latest value of its indicator dated on or before d.
The statute's dropped-out branch is a criterion like the others, and a rule set must have it.

Indicators are what the state imports (``mepsis pfs import``) by state student id and date, plus
``years_over_age``, derived here from the birth date and the grade: the child's age on September 1 of d's
school year minus the usual age for the grade (5 in kindergarten, 6 in grade 1, ...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .eligibility import add_months
from .findings import N_
from .services import SECONDARY_GRADES, Refusal, ServiceCode

COMPARISONS = ("lt", "le", "eq", "ne", "ge", "gt", "in")
DROPPED_OUT = "dropped_out"
YEARS_OVER_AGE = "years_over_age"
GRADE = "grade"

DEFAULT_CRITERIA = {"criteria": [
    {"indicator": "state_assessment_level", "comparison": "lt", "threshold": 3, "max_age_days": 730,
     "label": "state assessment below proficient"},
    {"indicator": "grade_retained", "comparison": "eq", "threshold": "Y", "max_age_days": 730,
     "label": "retained in grade"},
    {"indicator": YEARS_OVER_AGE, "comparison": "ge", "threshold": 2, "label": "over-age for grade"},
    {"indicator": "credits_behind", "comparison": "gt", "threshold": 0, "secondary_only": True,
     "label": "credit deficiency"},
    {"indicator": "english_proficiency_level", "comparison": "lt", "threshold": 4, "max_age_days": 730,
     "label": "English learner with low English proficiency"},
    {"indicator": DROPPED_OUT, "comparison": "eq", "threshold": "Y", "label": "dropped out of school"},
]}

_GRADE_AGE = {"PK": 4, "KG": 5, **{f"{grade:02d}": grade + 5 for grade in range(1, 13)}}


@dataclass(frozen=True, slots=True)
class Determination:
    pfs: bool
    qad: dt.date | None  # the QAD in the year before d, when there is one
    met: tuple[str, ...]  # the labels of the criteria that hold


def _error(template: str, **params) -> Refusal:
    return Refusal(ServiceCode.INVALID_VALUE, "criteria", template, params)


def criteria_errors(rule_set: object) -> list[Refusal]:
    """What is wrong with a rule set (empty when it can be used)."""
    if not isinstance(rule_set, Mapping) or not isinstance(rule_set.get("criteria"), list) \
            or not rule_set["criteria"]:
        return [_error(N_('A rule set is an object with a non-empty list "criteria".'))]
    errors = []
    for number, criterion in enumerate(rule_set["criteria"], 1):
        if not isinstance(criterion, Mapping) or not isinstance(criterion.get("indicator"), str) \
                or not criterion["indicator"]:
            errors.append(_error(N_("criterion %(number)s: it needs an indicator name."), number=number))
            continue
        unknown = set(criterion) - {"indicator", "comparison", "threshold", "secondary_only", "max_age_days",
                                    "label"}
        if unknown:
            errors.append(_error(N_("criterion %(number)s: unknown member(s) %(names)s."), number=number,
                                 names=", ".join(sorted(unknown))))
        comparison, threshold = criterion.get("comparison"), criterion.get("threshold")
        if comparison not in COMPARISONS:
            errors.append(_error(N_("criterion %(number)s: comparison must be one of %(comparisons)s."), number=number,
                                 comparisons=", ".join(COMPARISONS)))
        elif comparison == "in" and not (isinstance(threshold, list) and threshold):
            errors.append(_error(N_("criterion %(number)s: 'in' needs a non-empty list threshold."), number=number))
        elif comparison in ("lt", "le", "ge", "gt") and not _is_number(threshold):
            errors.append(_error(N_("criterion %(number)s: '%(comparison)s' needs a number threshold."), number=number,
                                 comparison=comparison))
        elif comparison in ("eq", "ne") and not isinstance(threshold, (str, int, float)):
            errors.append(_error(N_("criterion %(number)s: '%(comparison)s' needs a text or number threshold."),
                                 number=number, comparison=comparison))
        max_age = criterion.get("max_age_days")
        if max_age is not None and not (isinstance(max_age, int) and not isinstance(max_age, bool) and max_age >= 0):
            errors.append(_error(N_("criterion %(number)s: max_age_days must be a whole number of days, 0 or more."),
                                 number=number))
        if not isinstance(criterion.get("secondary_only", False), bool):
            errors.append(_error(N_("criterion %(number)s: secondary_only must be true or false."), number=number))
    if not any(isinstance(c, Mapping) and c.get("indicator") == DROPPED_OUT for c in rule_set["criteria"]):
        errors.append(_error(N_('The statute gives PFS to a child who dropped out: the rule set needs a "%(name)s" '
                                'criterion.'), name=DROPPED_OUT))
    return errors


def qad_in_year_before(day: dt.date, qads: Sequence[dt.date]) -> dt.date | None:
    """The latest QAD in [day - 1 year, day], or None."""
    year_before = add_months(day, -12)
    return max((qad for qad in qads if year_before <= qad <= day), default=None)


def years_over_age(day: dt.date, birth_date: dt.date, grade: str | None) -> int | None:
    """How many years older than usual for the grade the child is on September 1 of ``day``'s school year."""
    usual = _GRADE_AGE.get((grade or "").zfill(2) if (grade or "").isdigit() else (grade or ""))
    if usual is None:
        return None
    september = dt.date(day.year if day.month >= 9 else day.year - 1, 9, 1)
    age = september.year - birth_date.year - ((september.month, september.day) < (birth_date.month, birth_date.day))
    return age - usual


def determine(day: dt.date, *, qads: Sequence[dt.date], indicators: Mapping[str, tuple[dt.date, str]],
              birth_date: dt.date, grade: str | None, rule_set: Mapping) -> Determination:
    """PFS on ``day``. ``indicators`` maps each indicator to its latest (date, value) on or before ``day``."""
    qad = qad_in_year_before(day, qads)
    values = dict(indicators)
    over_age = years_over_age(day, birth_date, grade)
    if over_age is not None:
        values[YEARS_OVER_AGE] = (day, str(over_age))
    secondary = (grade or "").zfill(2) in SECONDARY_GRADES
    met = tuple(criterion.get("label") or criterion["indicator"] for criterion in rule_set["criteria"]
                if _holds(criterion, values.get(criterion["indicator"]), day, secondary))
    return Determination(qad is not None and bool(met), qad, met)


def _holds(criterion: Mapping, dated_value: tuple[dt.date, str] | None, day: dt.date, secondary: bool) -> bool:
    if dated_value is None or (criterion.get("secondary_only") and not secondary):
        return False
    date, value = dated_value
    max_age = criterion.get("max_age_days")
    if date > day or (max_age is not None and (day - date).days > max_age):
        return False
    comparison, threshold = criterion["comparison"], criterion["threshold"]
    if comparison == "in":
        return any(_equal(value, option) for option in threshold)
    if comparison in ("eq", "ne"):
        return _equal(value, threshold) == (comparison == "eq")
    number = _number(value)
    if number is None:
        return False
    return {"lt": number < threshold, "le": number <= threshold, "ge": number >= threshold,
            "gt": number > threshold}[comparison]


def _equal(value: str, threshold: object) -> bool:
    if _is_number(threshold):
        return _number(value) == threshold
    return value.strip().casefold() == str(threshold).strip().casefold()


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
