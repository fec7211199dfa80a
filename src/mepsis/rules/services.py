"""Whether a MEP service may be recorded for a child on its dates (domain.md, "MEP services" and
"Continuation of services").

A service on [begin, end] is allowed when the child is eligible on every one of its days (an approved, not
voided COE covers each day), or, for the days after eligibility ended, when a continuation of services
(ESEA 1304(e)) covers them. The three continuation reasons each have a limit on how long they last:

- ``SCHOOL_TERM`` (ceased to be migratory during a school term): until the end of that term.
- ``PREVIOUS_TERM`` (ceased to be migratory during the previous term): one more school year, which this
  project fixes **[convention]** as up to one year after the end of the term in which eligibility ended;
  only if comparable services are not available otherwise, which the reviewer states in ``why``.
- ``SECONDARY_CREDIT`` (previously migratory secondary student): credit accrual until graduation, for a
  student in a secondary grade (``SECONDARY_GRADES``) when the continuation begins.

Every continuation begins after the last eligible day of an eligibility that ended because the child
ceased to be migratory (36 months, or another loss of entitlement), never after turning 22, completing high
school or death, and ends before the 22nd birthday and before a recorded high school completion.

**[convention]** School terms: the school year is split into terms that begin on ``TERM_STARTS`` (month,
day): fall from September 1, spring from January 1, summer (and intersession) from June 1; a term ends the
day before the next begins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .eligibility import ONE_DAY, EndReason, add_months, age_22_end
from .findings import N_

Days = tuple[dt.date, dt.date]  # first and last day, both included

SERVICES = ("READINSTR", "MATHINSTR", "HSACCRUAL", "INSTRSERV", "COUNSELSERV", "SUPPSERV", "REFSERV")
INSTRUCTIONAL = frozenset({"READINSTR", "MATHINSTR", "HSACCRUAL", "INSTRSERV"})
# The Ed-Fi MigrantEducationProgramServiceDescriptor code value of each EDFacts code.
EDFI_SERVICE = {
    "READINSTR": "Reading Instruction", "MATHINSTR": "Mathematics Instruction",
    "HSACCRUAL": "High School Accrual", "INSTRSERV": "Instructional Services",
    "COUNSELSERV": "Counseling Services", "SUPPSERV": "Support Services", "REFSERV": "Referral Services",
}

SCHOOL_TERM = "SCHOOL_TERM"
PREVIOUS_TERM = "PREVIOUS_TERM"
SECONDARY_CREDIT = "SECONDARY_CREDIT"
# The Ed-Fi ContinuationofServicesReasonDescriptor code value of each reason.
EDFI_CONTINUATION = {
    SCHOOL_TERM: "Ceased to be migratory during school term",
    PREVIOUS_TERM: "Ceased to be migratory during previous term",
    SECONDARY_CREDIT: "Previously migratory secondary student",
}

SECONDARY_GRADES = frozenset({"09", "10", "11", "12"})
TERM_STARTS = ((1, 1), (6, 1), (9, 1))
# Eligibility that ends for one of these reasons leaves a child who is no longer a child of the program,
# not one who ceased to be migratory: no continuation.
NO_CONTINUATION_AFTER = frozenset({EndReason.AGE_22, EndReason.HS_COMPLETION, EndReason.DEATH})


class ServiceCode:
    """Why a service or a continuation is refused (the codes of ``Finding``)."""

    INVALID_VALUE = "INVALID_VALUE"
    HOURS_REQUIRED = "HOURS_REQUIRED"
    NOT_ELIGIBLE = "NOT_ELIGIBLE"
    NO_ENDED_ELIGIBILITY = "NO_ENDED_ELIGIBILITY"
    ELIGIBLE_ON_BEGIN = "ELIGIBLE_ON_BEGIN"
    NOT_CEASED_MIGRATORY = "NOT_CEASED_MIGRATORY"
    NOT_SECONDARY = "NOT_SECONDARY"
    CONTINUATION_TOO_LONG = "CONTINUATION_TOO_LONG"


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    field: str
    template: str
    params: dict

    def render(self, gettext=N_) -> str:
        return gettext(self.template) % self.params

    def as_dict(self, gettext=N_) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.render(gettext)}


@dataclass(frozen=True, slots=True)
class Eligibility:
    """The days an approved, not voided COE makes the child eligible, and why they end."""

    coe_id: str
    start: dt.date
    last_day: dt.date
    end_reason: str = EndReason.THIRTY_SIX_MONTHS


@dataclass(frozen=True, slots=True)
class Continuation:
    continuation_id: int | str
    reason: str
    begin: dt.date
    end: dt.date


@dataclass(frozen=True, slots=True)
class Allowed:
    """A service is allowed: on its ``basis`` (``eligible`` or ``continuation``), with the COE and the
    continuation behind it."""

    basis: str
    coe_id: str | None
    continuation_id: int | str | None = None


def merged(intervals: Iterable[Days]) -> list[Days]:
    """Sorted intervals with the overlapping and adjacent ones joined."""
    result: list[Days] = []
    for start, end in sorted(intervals):
        if result and start <= result[-1][1] + ONE_DAY:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def first_day_not_covered(begin: dt.date, end: dt.date, intervals: Iterable[Days]) -> dt.date | None:
    """The first day of [begin, end] that no interval covers, or None when they cover it all."""
    day = begin
    for start, last in merged(intervals):
        if start <= day <= last:
            day = last + ONE_DAY
            if day > end:
                return None
    return day


def check_service_values(service: str, begin: dt.date, end: dt.date, hours: Decimal | None) -> list[Refusal]:
    """What is wrong with a service's own values, whoever the child is."""
    refusals = []
    if service not in SERVICES:
        refusals.append(Refusal(ServiceCode.INVALID_VALUE, "service",
                                N_("%(value)s is not a MEP service code (one of %(codes)s)."),
                                {"value": service, "codes": ", ".join(SERVICES)}))
    if end < begin:
        refusals.append(Refusal(ServiceCode.INVALID_VALUE, "end_date",
                                N_("The end date %(end)s is before the begin date %(begin)s."),
                                {"end": end.isoformat(), "begin": begin.isoformat()}))
    if service in INSTRUCTIONAL and (hours is None or hours <= 0):
        refusals.append(Refusal(ServiceCode.HOURS_REQUIRED, "hours",
                                N_("An instructional service (%(service)s) needs its hours, more than zero."),
                                {"service": service}))
    elif hours is not None and hours < 0:
        refusals.append(Refusal(ServiceCode.INVALID_VALUE, "hours", N_("Hours cannot be negative."), {}))
    return refusals


def service_basis(begin: dt.date, end: dt.date, eligibility: Sequence[Eligibility],
                  continuations: Sequence[Continuation]) -> Allowed | Refusal:
    """Whether a service on [begin, end] may be recorded, and on which basis.

    Every day must be a day of eligibility or of a continuation. A service on eligible days only is
    ``eligible``; one with a day without eligibility is ``continuation`` (the continuation that covers its
    first such day). Its COE is the one that makes the child eligible on its begin date, if any.
    """
    eligible = [(interval.start, interval.last_day) for interval in eligibility]
    covering = next((interval.coe_id for interval in sorted(eligibility, key=lambda i: (i.start, str(i.coe_id)))
                     if interval.start <= begin <= interval.last_day), None)
    first_gap = first_day_not_covered(begin, end, eligible)
    if first_gap is None:
        return Allowed("eligible", covering)
    uncovered = first_day_not_covered(begin, end, eligible + [(c.begin, c.end) for c in continuations])
    if uncovered is not None:
        return Refusal(ServiceCode.NOT_ELIGIBLE, "begin_date" if uncovered == begin else "end_date",
                       N_("The child is neither eligible nor served under a continuation of services on "
                          "%(day)s."), {"day": uncovered.isoformat()})
    continuation = next(c for c in continuations if c.begin <= first_gap <= c.end)
    return Allowed("continuation", covering, continuation.continuation_id)


def term_of(day: dt.date, term_starts: Sequence[tuple[int, int]] = TERM_STARTS) -> Days:
    """The school term that contains ``day``: from the latest term start on or before it to the day before
    the next one."""
    starts = sorted(dt.date(year, month, start_day) for year in (day.year - 1, day.year, day.year + 1)
                    for month, start_day in term_starts)
    index = max(i for i, start in enumerate(starts) if start <= day)
    return starts[index], starts[index + 1] - ONE_DAY


def check_continuation(reason: str, begin: dt.date, end: dt.date, eligibility: Sequence[Eligibility], *,
                       birth_date: dt.date, hs_completion_date: dt.date | None = None, grade: str | None = None,
                       term_starts: Sequence[tuple[int, int]] = TERM_STARTS) -> list[Refusal]:
    """What forbids a continuation of services for ``reason`` on [begin, end]; empty when allowed."""
    if reason not in EDFI_CONTINUATION:
        return [Refusal(ServiceCode.INVALID_VALUE, "reason",
                        N_("%(value)s is not a continuation-of-services reason (one of %(codes)s)."),
                        {"value": reason, "codes": ", ".join(EDFI_CONTINUATION)})]
    if end < begin:
        return [Refusal(ServiceCode.INVALID_VALUE, "end_date",
                        N_("The end date %(end)s is before the begin date %(begin)s."),
                        {"end": end.isoformat(), "begin": begin.isoformat()})]
    if any(interval.start <= begin <= interval.last_day for interval in eligibility):
        return [Refusal(ServiceCode.ELIGIBLE_ON_BEGIN, "begin_date",
                        N_("The child is still eligible on %(day)s: a continuation begins after eligibility "
                           "ends."), {"day": begin.isoformat()})]
    ended = [interval for interval in eligibility if interval.last_day < begin]
    if not ended:
        return [Refusal(ServiceCode.NO_ENDED_ELIGIBILITY, "begin_date",
                        N_("The child has no eligibility that ended before %(day)s."), {"day": begin.isoformat()})]
    last = max(ended, key=lambda interval: interval.last_day)
    if last.end_reason in NO_CONTINUATION_AFTER:
        return [Refusal(ServiceCode.NOT_CEASED_MIGRATORY, "reason",
                        N_("Eligibility on COE %(coe)s ended on %(day)s because the child is no longer a child "
                           "of the program (%(end_reason)s), not because they ceased to be migratory."),
                        {"coe": last.coe_id, "day": last.last_day.isoformat(), "end_reason": last.end_reason})]
    limits = [age_22_end(birth_date)]
    if hs_completion_date is not None:
        limits.append(hs_completion_date)
    if reason == SCHOOL_TERM:
        limits.append(term_of(last.last_day, term_starts)[1])
    elif reason == PREVIOUS_TERM:
        limits.append(add_months(term_of(last.last_day, term_starts)[1] + ONE_DAY, 12) - ONE_DAY)
    elif (grade or "").zfill(2) not in SECONDARY_GRADES:
        return [Refusal(ServiceCode.NOT_SECONDARY, "reason",
                        N_("Credit accrual continues only for a secondary student (grade 9-12); the child's grade "
                           "is %(grade)s."), {"grade": grade or "?"})]
    limit = min(limits)
    if end > limit:
        return [Refusal(ServiceCode.CONTINUATION_TOO_LONG, "end_date",
                        N_("This continuation can last until %(limit)s at the latest (eligibility ended on "
                           "%(day)s)."), {"limit": limit.isoformat(), "day": last.last_day.isoformat()})]
    return []
