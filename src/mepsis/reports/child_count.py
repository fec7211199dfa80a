"""The federal child counts of a performance period, set-based (domain.md, "Counts and federal reports";
issue 7, items 3 and 5).

Each count is one SQL statement that runs on SQLite and PostgreSQL and finds, for every child at once, the
first day of the period that made the child count, with the COE (and for Category 2 the service) behind
that day. It must agree with the one-child rules of ``mepsis.rules.counts`` (the tests check it does):

- the eligibility intervals are those of approved COEs (a void or found-ineligible COE gives none);
- **Category 1**: a day of the period on which the child is eligible, aged 3 through 21 and resides in the
  state. A stay in the state (``mepsis.rules.residency``) runs from a COE's residency date to the first
  move out of the state recorded *after* it (its exit date is the stay's last day); a departure on the day
  of a residency date does not end the stay that date starts;
- **Category 2**: a day on which the child is eligible, aged 3 through 21 and receives a MEP service in a
  summer or intersession project. A referral (``REFSERV``) is not a MEP-funded service (ED counts services
  the MEP pays for), so it does not make a child count; nor does the basis of a service: a day served only
  under continuation of services is a day the child is not eligible.

The age/grade of a counted child (EDFacts ``AGEGRDWO13``) is taken on the day that made them count
(``mepsis.rules.counts.age_grade``): the grade of the child's enrollment with the latest entry date on or
before that day, else by age.

Below the state a count is scoped to districts: a child counts for a district when a COE moving the child
to that district (its ``to_district_id``) gives a counted day, so one child may count in two districts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext

from mepsis.delivery.models import Project, Service, SessionType
from mepsis.enrollments.models import Enrollment
from mepsis.orgs.models import District, Region
from mepsis.registry.models import Child, Coe, CoeChild, CoeStatus
from mepsis.registry.queries import eligibility_intervals
from mepsis.rules import counts
from mepsis.rules.counts import GRADES
from mepsis.rules.periods import Span, performance_period
from mepsis.rules.residency import MOVED_OUT_OF_STATE
from mepsis.rules.suppression import suppress_list

from .queries import state_residency
from .smepa import db_date

CATEGORY_1, CATEGORY_2 = "category1", "category2"
AGE_GRADES = ("UNDER3", "3TO5NOTK", *GRADES[:-1], "UG", "OOS")  # EDFacts AGEGRDWO13, in ED's order
NOT_MEP_FUNDED = "REFSERV"
NEVER = dt.date(9999, 12, 31)  # the end of a stay no departure has ended


@dataclass(frozen=True, slots=True)
class CountedChild:
    """One child behind a count: the first day that made the child count, the COE whose eligibility covers
    it and, for Category 2, the summer service delivered that day."""

    category: str
    child_pk: int
    child_id: str
    state_student_id: str | None
    day: dt.date
    coe_id: str
    service_pk: int | None
    age_grade: str


@dataclass
class ChildCount:
    period: str
    category1: int = 0
    category2: int = 0
    by_age_grade: dict[str, dict[str, int]] = field(default_factory=lambda: {CATEGORY_1: {}, CATEGORY_2: {}})

    def as_dict(self) -> dict:
        return {"period": self.period, "category1": self.category1, "category2": self.category2,
                "by_age_grade": self.by_age_grade}


# --- SQL that differs between SQLite and PostgreSQL ------------------------------------------------------

class Dialect:
    def __init__(self, vendor: str):
        self.postgres = vendor == "postgresql"
        self.greatest, self.least = ("GREATEST", "LEAST") if self.postgres else ("MAX", "MIN")
        # Keeps PostgreSQL from inlining a subquery whose column (a child's grade) is used twice after it.
        self.fence = " OFFSET 0" if self.postgres else ""

    def birthday(self, birth: str, years: int) -> str:
        """The day a child born on ``birth`` turns ``years`` (rules.eligibility.add_months: a Feb 29 child
        turns 3, 6 or 22 on Feb 28, those years never being leap years)."""
        if self.postgres:
            return f"CAST({birth} + INTERVAL '{years} years' AS date)"
        return (f"(CASE WHEN strftime('%%m-%%d', {birth}) = '02-29' THEN date({birth}, '+{years} years', '-1 day') "
                f"ELSE date({birth}, '+{years} years') END)")

    def day_before(self, day: str) -> str:
        return f"({day} - 1)" if self.postgres else f"date({day}, '-1 day')"


def dialect() -> Dialect:
    return Dialect(connection.vendor)


T = {model.__name__: model._meta.db_table
     for model in (Child, Coe, CoeChild, Enrollment, Service, Project, District, Region)}


def age_grade_sql(sql: Dialect, day: str, birth: str, grade: str) -> str:
    """SQL for rules.counts.age_grade: ``grade`` when it is one, else by age on ``day``."""
    grades = ", ".join(f"'{value}'" for value in GRADES)
    return (f"(CASE WHEN {grade} IN ({grades}) THEN {grade} "
            f"WHEN {day} < {sql.birthday(birth, 3)} THEN 'UNDER3' "
            f"WHEN {day} < {sql.birthday(birth, 6)} THEN '3TO5NOTK' ELSE 'OOS' END)")


def grade_sql(child: str, day: str) -> str:
    """SQL for a child's grade on a day: the enrollment with the latest entry date on or before it."""
    return (f"(SELECT g.grade FROM {T['Enrollment']} g WHERE g.child_id = {child} AND g.entry_date <= {day} "
            f"ORDER BY g.entry_date DESC, g.id DESC LIMIT 1)")


def sources_sql(first_day: dt.date, last_day: dt.date, category: str, *, districts: Sequence[str] | None = None,
                child_pks: Sequence[int] | None = None) -> tuple[str, list]:
    """The two WITH-clause tables a count of ``category`` over [first_day, last_day] is made of:

    - ``eligibility`` (child, coe, district, region, e_start, e_end, aged_from, aged_until): the intervals of
      approved COEs that reach the days (only COEs to ``districts`` when given; ``region`` is that district's
      region name), and the part of each in which the child is aged 3 through 21 (empty when aged_from >
      aged_until), computed once an interval rather than once for each day or service it meets;
    - ``also`` (child, a_start, a_end, ref): the days the other condition holds: the stays in the state
      (Category 1) or the summer services, ``ref`` the service (Category 2).
    """
    only_children = ""
    if child_pks is not None:
        only_children = f" AND cc.child_id IN ({', '.join(['%s'] * len(child_pks)) or 'NULL'})"
    only_districts = ""
    if districts is not None:
        only_districts = f" AND c.to_district_id IN ({', '.join(['%s'] * len(districts)) or 'NULL'})"
    sql = dialect()
    eligibility = (
        f"SELECT cc.child_id AS child, c.coe_id AS coe, c.to_district_id AS district, r.name AS region, "
        f"cc.eligibility_start AS e_start, cc.last_eligible_day AS e_end, "
        f"{sql.greatest}(cc.eligibility_start, {sql.birthday('ch.birth_date', 3)}) AS aged_from, "
        f"{sql.least}(cc.last_eligible_day, {sql.day_before(sql.birthday('ch.birth_date', 22))}) AS aged_until "
        f"FROM {T['CoeChild']} cc JOIN {T['Coe']} c ON c.id = cc.coe_id JOIN {T['Child']} ch ON ch.id = cc.child_id "
        f"LEFT JOIN {T['District']} d ON d.district_id = c.to_district_id "
        f"LEFT JOIN {T['Region']} r ON r.id = d.region_id "
        f"WHERE c.status = %s AND cc.eligibility_start IS NOT NULL "
        f"AND cc.eligibility_start <= %s AND cc.last_eligible_day >= %s{only_districts}{only_children}")
    params = [CoeStatus.APPROVED, last_day, first_day, *(districts or ()), *(child_pks or ())]
    if category == CATEGORY_1:
        # The stays of the children of ``eligibility`` only, when a few districts' COEs make it small; for the
        # whole state PostgreSQL would look each child up in the index, which takes longer than hashing every
        # stay (the join with ``eligibility`` keeps only theirs either way).
        narrowed = " AND cc.child_id IN (SELECT child FROM eligibility)" if districts is not None else ""
        also = (
            f"SELECT a.child, a.day AS a_start, COALESCE(MIN(d.exit_date), %s) AS a_end, "
            f"CAST(NULL AS BIGINT) AS ref "
            f"FROM (SELECT cc.child_id AS child, cc.residency_date AS day "
            f"      FROM {T['CoeChild']} cc JOIN {T['Coe']} c ON c.id = cc.coe_id "
            f"      WHERE c.status = %s AND cc.residency_date IS NOT NULL AND cc.residency_date <= %s{only_children}"
            f"{narrowed}) a LEFT JOIN {T['Enrollment']} d ON d.child_id = a.child AND d.exit_reason = %s "
            f"AND d.exit_date > a.day "
            f"GROUP BY a.child, a.day")
        params += [NEVER, CoeStatus.APPROVED, last_day, *(child_pks or ()), MOVED_OUT_OF_STATE]
    else:
        only_served = only_children.replace("cc.child_id", "s.child_id")
        also = (
            f"SELECT s.child_id AS child, s.begin_date AS a_start, s.end_date AS a_end, s.id AS ref "
            f"FROM {T['Service']} s JOIN {T['Project']} p ON p.id = s.project_id "
            f"WHERE p.session_type = %s AND s.service <> %s AND s.begin_date <= %s AND s.end_date >= %s{only_served}")
        params += [SessionType.SUMMER, NOT_MEP_FUNDED, last_day, first_day, *(child_pks or ())]
    # Materialized: the ages are worked out once an interval, not again for each stay or service it meets.
    return f"eligibility AS MATERIALIZED ({eligibility}), also AS ({also})", params


def first_days_sql(period: Span, category: str, *, districts: Sequence[str] | None = None,
                   child_pks: Sequence[int] | None = None, under_3: bool = False,
                   by_district: bool = False) -> tuple[str, list]:
    """A SELECT of the children counted in ``category`` of the period, one row each (one per child and
    district with ``by_district``): child (pk), child_id, state_student_id, day, coe (coe_id), service (pk or
    NULL), age_grade, district (the COE's to_district_id).

    ``districts``: only COEs to these districts count; ``child_pks``: only these children; ``under_3``: a
    child who never counts from the 3rd birthday is still listed, by the first day that would count from
    birth (FS121 reports children birth through 2, as UNDER3).
    """
    sql = dialect()
    sources, params = sources_sql(period.first_day, period.last_day, category, districts=districts,
                                  child_pks=child_pks)
    partition = "e.child, e.district" if by_district else "e.child"
    query = (
        f"WITH {sources}, "
        f"pairs AS (SELECT e.child, e.district, e.coe, e.e_start, e.e_end, a.a_start, a.ref, "
        f"  {sql.greatest}(%s, e.aged_from, a.a_start) AS day3, "
        f"  {sql.greatest}(%s, e.e_start, a.a_start) AS born, "
        f"  {sql.least}(%s, e.aged_until, a.a_end) AS until "
        f"  FROM eligibility e JOIN also a ON a.child = e.child), "
        f"firsts AS (SELECT e.*, CASE WHEN e.day3 <= e.until THEN e.day3 ELSE e.born END AS day, "
        f"  ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY CASE WHEN e.day3 <= e.until THEN 0 ELSE 1 END, "
        f"  CASE WHEN e.day3 <= e.until THEN e.day3 ELSE e.born END, e.e_start, e.e_end, e.coe, e.a_start, e.ref) "
        f"  AS rn FROM pairs e WHERE e.{'born' if under_3 else 'day3'} <= e.until) "
        f"SELECT x.child, x.child_id, x.state_student_id, x.day, x.coe, x.service, "
        f"  {age_grade_sql(sql, 'x.day', 'x.birth_date', 'x.grade')} AS age_grade, x.district "
        f"FROM (SELECT f.child, ch.child_id, ch.state_student_id, ch.birth_date, f.day, f.coe, f.ref AS service, "
        f"  f.district, {grade_sql('f.child', 'f.day')} AS grade "
        f"  FROM firsts f JOIN {T['Child']} ch ON ch.id = f.child WHERE f.rn = 1{sql.fence}) x")
    params += [period.first_day, period.first_day, period.last_day]
    return query, params


def fetch(query: str, params: Sequence) -> list[tuple]:
    """The rows of a report query. On PostgreSQL its sorts and hashes over a state's COEs and services get
    the memory they need (at the default 4 MB they spill to disk); no parallel workers (each would build the
    same hash tables again, for nothing on a server of two cores) and no JIT compilation (it took 1.5 s of
    a 6 s query, and compiles again on every run). The settings last until the caller's transaction ends."""
    with transaction.atomic(), connection.cursor() as cursor:
        _plan_for_reports(cursor)
        cursor.execute(query, params)
        return cursor.fetchall()


def execute(statement: str, params: Sequence) -> int:
    """Run a report statement that writes (an INSERT ... SELECT of counted children) as ``fetch`` runs a
    query; the number of rows it wrote."""
    with transaction.atomic(), connection.cursor() as cursor:
        _plan_for_reports(cursor)
        cursor.execute(statement, params)
        return cursor.rowcount


def _plan_for_reports(cursor) -> None:
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


def counted_children(period: str | Span, category: str, *, districts: Sequence[str] | None = None,
                     child_pks: Sequence[int] | None = None) -> list[CountedChild]:
    """Every child counted in ``category``, ordered by child_id: the list to reconcile with MSIX's."""
    span = _span(period)
    query, params = first_days_sql(span, category, districts=districts, child_pks=child_pks)
    rows = fetch(f"SELECT * FROM ({query}) counted ORDER BY child_id", params)
    return [CountedChild(category, pk, child_id, ssid, db_date(day), coe, service, age_grade)
            for pk, child_id, ssid, day, coe, service, age_grade, _district in rows]


def child_count(period: str | Span, *, districts: Sequence[str] | None = None) -> ChildCount:
    """Category 1 and Category 2 of the period with their age/grade breakdown (statewide, or for the
    children counted through COEs to ``districts``)."""
    span = _span(period)
    result = ChildCount(span.name)
    for category in (CATEGORY_1, CATEGORY_2):
        by_age_grade = _grouped(span, category, districts)
        ordered = {age_grade: by_age_grade[age_grade] for age_grade in AGE_GRADES if age_grade in by_age_grade}
        result.by_age_grade[category] = ordered
        setattr(result, category, sum(ordered.values()))
    return result


def counts_by_district(period: str | Span, category: str, districts: Sequence[str] | None = None) -> dict[str, int]:
    """How many children count in each district (a child may count in several: see the module's note)."""
    span = _span(period)
    query, params = first_days_sql(span, category, districts=districts, by_district=True)
    return dict(fetch(f"SELECT district, COUNT(*) FROM ({query}) counted GROUP BY district", params))


def suppressed(count: ChildCount, threshold: int | None = None) -> dict:
    """The count as published below the state: each category's age/grade cells and total with small cells
    hidden (None) by complementary suppression (mepsis.rules.suppression, threshold MEPSIS_SMALL_CELL)."""
    document = count.as_dict()
    for category in (CATEGORY_1, CATEGORY_2):
        cells = count.by_age_grade[category]
        published = suppress_list([cells.get(age_grade, 0) for age_grade in AGE_GRADES],
                                  threshold=small_cell() if threshold is None else threshold).published()
        document["by_age_grade"][category] = dict(zip(AGE_GRADES, published.cells[0]))
        document[category] = published.grand_total
    document["suppressed_below"] = small_cell() if threshold is None else threshold
    return document


def small_cell() -> int:
    return settings.MEPSIS_SMALL_CELL


def services_named(service_pks: Iterable[int]) -> dict[int, tuple[str, str, str]]:
    """Service code, project id and begin date of each service, by primary key (one query)."""
    return {pk: (code, project_id, begin.isoformat()) for pk, code, project_id, begin in
            Service.objects.filter(pk__in=list(service_pks))
            .values_list("pk", "service", "project__project_id", "begin_date")}


def _grouped(span: Span, category: str, districts: Sequence[str] | None) -> dict[str, int]:
    query, params = first_days_sql(span, category, districts=districts)
    return dict(fetch(f"SELECT age_grade, COUNT(*) FROM ({query}) counted GROUP BY age_grade", params))


def _span(period: str | Span) -> Span:
    return period if isinstance(period, Span) else performance_period(period)


# --- Why one child is or is not counted --------------------------------------------------------------------

def explain(child: Child, period: str | Span) -> dict:
    """Why ``child`` is or is not in each count of the period, decided by the one-child rules
    (``mepsis.rules.counts``) over the child's records: the day, COE and service that made the child count,
    or the first condition that no day meets."""
    span = _span(period)
    intervals = sorted((interval for interval in eligibility_intervals(child) if interval.counts),
                       key=lambda interval: (interval.start, interval.last_eligible_day, interval.coe_id))
    eligible = [(interval.start, interval.last_eligible_day) for interval in intervals]
    stays = [(stay.first_day, stay.last_day or NEVER) for stay in state_residency(child)]
    summer = list(Service.objects.filter(child=child, project__session_type=SessionType.SUMMER,
                                         begin_date__lte=span.last_day, end_date__gte=span.first_day)
                  .select_related("project").order_by("begin_date", "pk"))
    funded = [service for service in summer if service.service != NOT_MEP_FUNDED]
    result = {"child_id": child.child_id, "state_student_id": child.state_student_id, "period": span.name}
    for category, counted in (
            (CATEGORY_1, counts.category_1(span, child.birth_date, eligible, stays)),
            (CATEGORY_2, counts.category_2(span, child.birth_date, eligible,
                                           [(service.begin_date, service.end_date) for service in funded]))):
        if counted is None:
            result[category] = {"counted": False,
                                "reason": _why_not(category, span, child, intervals, eligible, stays, summer)}
            continue
        coe = next(interval.coe_id for interval in intervals
                   if (interval.start, interval.last_eligible_day) == counted.eligibility)
        grade = (Enrollment.objects.filter(child=child, entry_date__lte=counted.day)
                 .order_by("-entry_date", "-pk").values_list("grade", flat=True).first())
        entry = {"counted": True, "day": counted.day.isoformat(), "coe_id": coe,
                 "eligibility": [day.isoformat() for day in counted.eligibility],
                 "age_grade": counts.age_grade(child.birth_date, counted.day, grade)}
        if category == CATEGORY_2:
            service = next(service for service in funded if service.begin_date <= counted.day <= service.end_date)
            entry["service"] = {"service": service.service, "project_id": service.project.project_id,
                                "begin_date": service.begin_date.isoformat(),
                                "end_date": service.end_date.isoformat(), "basis": service.basis}
            entry["reason"] = gettext(
                "On %(day)s the child was eligible under COE %(coe)s, aged 3 through 21, and received %(service)s "
                "in the summer or intersession project %(project)s.") % {
                "day": entry["day"], "coe": coe, "service": service.service, "project": service.project.project_id}
        else:
            entry["reason"] = gettext(
                "On %(day)s the child was eligible under COE %(coe)s, aged 3 through 21, and resided in the "
                "state.") % {"day": entry["day"], "coe": coe}
        result[category] = entry
    return result


def _why_not(category: str, span: Span, child: Child, intervals: list, eligible: list, stays: list,
             summer: list) -> str:
    """The first condition of the count's definition that no day of the period meets."""
    if not intervals:
        listed = CoeChild.objects.filter(child=child).select_related("coe").order_by("coe__coe_id")
        if not listed:
            return gettext("No COE lists the child.")
        return gettext("No approved COE gives the child an eligible day (%(coes)s).") % {
            "coes": ", ".join(f"{entry.coe.coe_id}: {entry.coe.status}"
                              + (f" {entry.coe.void_reason}" if entry.coe.void_reason else "") for entry in listed)}
    whole = [(span.first_day, span.last_day)]
    in_period = counts.intersect(whole, eligible)
    if not in_period:
        return gettext("The child was not eligible on any day of the period (eligibility: %(intervals)s).") % {
            "intervals": _days(eligible)}
    aged = counts.intersect(in_period, [counts.aged_3_through_21(child.birth_date)])
    if not aged:
        return gettext("The child was not aged 3 through 21 on any day of the period it was eligible (born "
                       "%(birth)s; eligible %(intervals)s).") % {"birth": child.birth_date.isoformat(),
                                                                  "intervals": _days(in_period)}
    if category == CATEGORY_1:
        return gettext("The child did not reside in the state on any day it was eligible and aged 3 through 21 "
                       "(%(days)s; stays in the state: %(stays)s).") % {"days": _days(aged),
                                                                         "stays": _days(stays) or "-"}
    funded = [service for service in summer if service.service != NOT_MEP_FUNDED]
    if not funded:
        return gettext("The child received no MEP-funded service in a summer or intersession project during "
                       "the period.")
    return gettext("No summer or intersession service fell on a day the child was eligible and aged 3 through 21 "
                   "(%(days)s; services: %(services)s).") % {
        "days": _days(aged), "services": ", ".join(
            f"{service.service} {service.begin_date}..{service.end_date} ({service.basis})" for service in funded)}


def _days(intervals) -> str:
    return ", ".join(f"{start}..{'' if end == NEVER else end}" for start, end in intervals)
