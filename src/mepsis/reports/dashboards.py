"""The data behind the dashboards (issue 7, item 7): each function gives one chart's table, computed in
one or two SQL statements, scoped to districts and, below the state, with small cells suppressed
(``mepsis.rules.suppression``, threshold ``MEPSIS_SMALL_CELL``; a hidden cell is None).

- ``counts_over_time``: Category 1 and 2 by region or district, period by period. A child counts in a
  district (or region) when a COE to it gives a counted day (mepsis.reports.child_count), so the districts
  of a period may add up to more than the state's unduplicated count.
- ``eligibility_ending``: children eligible on a day whose eligibility ends within the next days (90 by
  default): no approved COE covers the day that many days later. By district and month of the last day.
- ``pfs_without_service``: children eligible and with priority for services on a day (the last PFS
  determination on or before it says so) who have had no MEP-funded service this term (the terms of
  ``mepsis.rules.services``: from September 1, January 1 and June 1). By district.
- ``services_by_type_and_session``: children served in the period by service type and session (regular
  school year, summer/intersession), by the projects of the districts (or their regions).

``districts`` (district ids) scopes a table: None is the whole state; the caller passes
``request.scope.districts()`` below the state and ``suppress=request.scope.suppress_counts``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, F, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mepsis.delivery.models import PfsDetermination, SessionType
from mepsis.rules.periods import Span, performance_period, year_name
from mepsis.rules.services import SERVICES, TERM_STARTS
from mepsis.rules.suppression import suppress as suppress_table
from mepsis.rules.suppression import suppress_list

from .child_count import (CATEGORY_1, CATEGORY_2, NOT_MEP_FUNDED, T, dialect, execute, fetch, small_cell,
                          sources_sql)
from .models import CountedPeriod, CountedRow, CountSnapshot
from .smepa import id_list


@dataclass
class Table:
    """One chart's data: named columns and rows; None in a row is a suppressed cell."""

    key: str
    title: str
    columns: list[str]
    rows: list[list]
    suppressed_below: int | None = None
    computed_at: dt.datetime | None = None  # when the counts it reads were last worked out, for those it keeps

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(["" if value is None else value for value in row] for row in self.rows)
        return out.getvalue()


def _in(column: str, values: Sequence | None) -> tuple[str, list]:
    if values is None:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(values)) or 'NULL'})", list(values)


# --- Counts over time --------------------------------------------------------------------------------------

PERIODS_SHOWN = 5


def periods_shown(day: dt.date) -> list[str]:
    """The performance periods the dashboards show on ``day``: its own and the four before it."""
    current = day.year if day.month >= 9 else day.year - 1  # performance periods begin on September 1
    return [year_name(year) for year in range(current - PERIODS_SHOWN + 1, current + 1)]


# Beyond this many children a refresh counts every child again (one statement a category) rather than name
# each one in its statements.
REFRESH_ALL_ABOVE = 2000


def counts_over_time(periods: Sequence[str], *, level: str = "district", districts: Sequence[str] | None = None,
                     suppress: bool = False) -> Table:
    """Category 1 and 2 of each period by ``level`` (district or region), read from the kept counts
    (``refresh_counts``); a period not kept yet is counted first, and kept from then on."""
    missing = sorted(set(periods) - set(CountedPeriod.objects.values_list("period", flat=True)))
    if missing:
        refresh_counts(periods=missing)
    found: dict[tuple[str, str], dict[str, int]] = {}
    for period, group, category, number in _kept(periods, level, districts):
        found.setdefault((period, group), {})[category] = number
    keys = sorted(found)
    table = Table(f"counts-by-{level}", str(_("Child counts by region") if level == "region"
                                         else _("Child counts by district")),
                  ["period", level, CATEGORY_1, CATEGORY_2],
                  [[period, group, found[period, group].get(CATEGORY_1, 0), found[period, group].get(CATEGORY_2, 0)]
                   for period, group in keys],
                  computed_at=CountedPeriod.objects.filter(period__in=periods).aggregate(at=Min("computed_at"))["at"])
    if suppress:
        # Each period's column of one category is a list published with its total: suppressed as one.
        for column in (2, 3):
            for period in {row[0] for row in table.rows}:
                rows = [row for row in table.rows if row[0] == period]
                published = suppress_list([row[column] for row in rows], threshold=small_cell()).published()
                for row, value in zip(rows, published.cells[0]):
                    row[column] = value
        table.suppressed_below = small_cell()
    return table


def _kept(periods: Sequence[str], level: str, districts: Sequence[str] | None) -> list[tuple]:
    """(period, district or region, category, children) from the kept counts. A region's children counted
    through COEs to some of its districts only are counted from the rows of those districts."""
    if districts is not None and level == "region":
        return list(CountedRow.objects.filter(period__in=list(periods), district__in=list(districts))
                    .values_list("period", "region", "category").annotate(children=Count("child", distinct=True)))
    kept = CountSnapshot.objects.filter(level=level, period__in=list(periods))
    if districts is not None:
        kept = kept.filter(group__in=list(districts))
    return list(kept.values_list("period", "group", "category", "children"))


def refresh_counts(child_ids: Iterable[int] | None = None, *, periods: Sequence[str] | None = None) -> None:
    """Count again the kept periods (or ``periods``, which are kept from then on) for these children (by
    primary key; every child when None), in the caller's transaction. The writes that change what a count
    reads call it with the children they changed (``mepsis.registry.actions`` for COEs, the services import,
    the enrollment ingest and the linkage of enrollments and children); ``mepsis report refresh-counts`` counts
    every child of the periods shown again. Set-based: the counted children go in with one INSERT ... SELECT a category, and only
    what they count in the districts and regions changes."""
    ids = None if child_ids is None else sorted({int(pk) for pk in child_ids})
    if ids == []:
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":  # two writers' refreshes take turns (SQLite has one writer)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('mepsis.reports.refresh_counts'))")
        names = sorted(set(periods) if periods is not None
                       else set(CountedPeriod.objects.values_list("period", flat=True)))
        if not names:
            return
        if ids is not None and len(ids) > REFRESH_ALL_ABOVE:
            ids = None
        rows = CountedRow.objects.filter(period__in=names)
        if ids is not None:
            rows = rows.filter(child_id__in=id_list(ids))
            before = _contributions(rows)
        rows.delete()
        spans = [performance_period(name) for name in names]
        for category in (CATEGORY_1, CATEGORY_2):
            query, params = _counted_sql(spans, category, ids)
            execute(f"INSERT INTO {CountedRow._meta.db_table} (period, category, child_id, district, region) "
                    f"{query}", params)
        if ids is None:
            CountSnapshot.objects.filter(period__in=names).delete()
            for level in ("district", "region"):
                _sum(names, level)
        else:
            _add(_contributions(rows), before)
        now = timezone.now()
        for name in names:
            CountedPeriod.objects.update_or_create(period=name, defaults={"computed_at": now})


def _sum(names: list[str], level: str) -> None:
    """Keep the counts of every district or region in these periods, summed from the counted rows."""
    marks = ", ".join(["%s"] * len(names))
    execute(f"INSERT INTO {CountSnapshot._meta.db_table} (period, category, level, {connection.ops.quote_name('group')}, "
            f"children) SELECT period, category, CAST(%s AS VARCHAR(8)), {level}, COUNT(DISTINCT child_id) "
            f"FROM {CountedRow._meta.db_table} WHERE period IN ({marks}) GROUP BY period, category, {level}",
            [level, *names])


def _contributions(rows) -> dict[tuple[str, str, str, str], int]:
    """How many of these counted rows' children count in each (level, group, period, category)."""
    found = {}
    for level in ("district", "region"):
        for group, period, category, children in (rows.values_list(level, "period", "category")
                                                  .annotate(children=Count("child", distinct=True))):
            found[level, group, period, category] = children
    return found


def _add(after: dict, before: dict) -> None:
    """Change the kept counts by what some children count now less what they counted before: counts of
    distinct children add up over disjoint sets of children, so the others' part need not be counted again."""
    for key in after.keys() | before.keys():
        change = after.get(key, 0) - before.get(key, 0)
        if not change:
            continue
        level, group, period, category = key
        kept = CountSnapshot.objects.filter(level=level, group=group, period=period, category=category)
        if not kept.update(children=F("children") + change):
            kept.create(level=level, group=group, period=period, category=category, children=change)
    CountSnapshot.objects.filter(children=0).delete()


def _counted_sql(spans: list[Span], category: str, child_pks: Sequence[int] | None) -> tuple[str, list]:
    """A SELECT of (period, category, child, district, region), one row for each child counted in
    ``category`` of each period through a COE to a district: each pair of an eligibility interval and a stay
    (or summer service) that meet on days the child is aged 3 through 21 counts the child in every period
    those days reach."""
    sql = dialect()
    first, last = min(span.first_day for span in spans), max(span.last_day for span in spans)
    sources, params = sources_sql(first, last, category, child_pks=child_pks)
    periods = " UNION ALL ".join("SELECT %s AS name, %s AS first_day, %s AS last_day" for _ in spans)
    query = (
        f"WITH {sources}, periods AS ({periods}), "
        f"days AS (SELECT e.child, e.district, e.region, {sql.greatest}(e.aged_from, a.a_start) AS first_day, "
        f"  {sql.least}(e.aged_until, a.a_end) AS last_day FROM eligibility e JOIN also a ON a.child = e.child "
        f"  WHERE a.a_start <= e.aged_until AND a.a_end >= e.aged_from) "
        f"SELECT DISTINCT p.name, CAST(%s AS VARCHAR(9)), d.child, COALESCE(d.district, ''), COALESCE(d.region, '') "
        f"FROM days d "
        f"JOIN periods p ON p.first_day <= d.last_day AND p.last_day >= d.first_day")
    for span in spans:
        params += [span.name, span.first_day, span.last_day]
    return query, [*params, category]


# --- Children whose eligibility ends soon ------------------------------------------------------------------

def eligibility_ending(on: dt.date, *, days: int = 90, districts: Sequence[str] | None = None,
                       suppress: bool = False) -> Table:
    """Children eligible on ``on`` and no longer ``days`` days later, by district and month of the last
    eligible day (the latest of the COEs that cover ``on``; the district of one of them, the greatest id)."""
    until = on + dt.timedelta(days=days)
    only, only_params = _in("c.to_district_id", districts)
    approved = f"FROM {T['CoeChild']} cc JOIN {T['Coe']} c ON c.id = cc.coe_id WHERE c.status = 'approved'"
    query = (
        f"SELECT x.district, x.last_day, COUNT(*) FROM ("
        f"  SELECT cc.child_id, MAX(c.to_district_id) AS district, MAX(cc.last_eligible_day) AS last_day {approved} "
        f"  AND cc.eligibility_start <= %s AND cc.last_eligible_day >= %s{only} "
        f"  AND NOT EXISTS (SELECT 1 FROM {T['CoeChild']} later JOIN {T['Coe']} lc ON lc.id = later.coe_id "
        f"    WHERE later.child_id = cc.child_id AND lc.status = 'approved' AND later.eligibility_start <= %s "
        f"    AND later.last_eligible_day >= %s) "
        f"  GROUP BY cc.child_id) x GROUP BY x.district, x.last_day")
    by_month: dict[tuple[str, str], int] = {}
    for district, last_day, number in fetch(query, [on, on, *only_params, until, until]):
        month = str(last_day)[:7]
        by_month[district, month] = by_month.get((district, month), 0) + number
    months = sorted({month for _, month in by_month})
    names = sorted({district for district, _ in by_month})
    grid = [[by_month.get((district, month), 0) for month in months] for district in names]
    table = Table("eligibility-ending", str(_("Children whose eligibility ends in the next %(days)d days")
                                           % {"days": days}),
                  ["district", *months], [[district, *row] for district, row in zip(names, grid)])
    if suppress and grid:
        published = suppress_table(grid, threshold=small_cell()).published()
        table.rows = [[district, *row] for district, row in zip(names, published.cells)]
        table.suppressed_below = small_cell()
    return table


# --- PFS children without a service this term -------------------------------------------------------------

def term_start(on: dt.date) -> dt.date:
    """The first day of the school term ``on`` falls in (rules.services.TERM_STARTS)."""
    return max(start for start in (dt.date(year, month, day) for year in (on.year - 1, on.year)
                                   for month, day in TERM_STARTS) if start <= on)


def pfs_without_service(on: dt.date, *, districts: Sequence[str] | None = None, suppress: bool = False) -> Table:
    """Children eligible on ``on`` with PFS on it and no MEP-funded service this term so far, by district."""
    since = term_start(on)
    only, only_params = _in("c.to_district_id", districts)
    pfs = PfsDetermination._meta.db_table
    query = (
        f"SELECT c.to_district_id, COUNT(DISTINCT cc.child_id) FROM {T['CoeChild']} cc "
        f"JOIN {T['Coe']} c ON c.id = cc.coe_id WHERE c.status = 'approved' "
        f"AND cc.eligibility_start <= %s AND cc.last_eligible_day >= %s{only} "
        f"AND EXISTS (SELECT 1 FROM {pfs} d WHERE d.child_id = cc.child_id AND d.pfs = %s AND d.id = "
        f"  (SELECT l.id FROM {pfs} l WHERE l.child_id = cc.child_id AND l.determination_date <= %s "
        f"   ORDER BY l.determination_date DESC, l.id DESC LIMIT 1)) "
        f"AND NOT EXISTS (SELECT 1 FROM {T['Service']} s WHERE s.child_id = cc.child_id AND s.service <> %s "
        f"  AND s.begin_date <= %s AND s.end_date >= %s) "
        f"GROUP BY c.to_district_id ORDER BY c.to_district_id")
    rows = [list(row) for row in fetch(query, [on, on, *only_params, True, on, NOT_MEP_FUNDED, on, since])]
    table = Table("pfs-without-service", str(_("PFS children without a service this term (since %(day)s)")
                                            % {"day": since.isoformat()}), ["district", "children"], rows)
    if suppress and rows:
        published = suppress_list([row[1] for row in rows], threshold=small_cell()).published()
        for row, value in zip(rows, published.cells[0]):
            row[1] = value
        table.suppressed_below = small_cell()
    return table


# --- Services by type and session --------------------------------------------------------------------------

def services_by_type_and_session(period: str, *, districts: Sequence[str] | None = None,
                                 suppress: bool = False) -> Table:
    """Children served in the period by service type and session (a child served in both sessions is in
    both cells), by the projects of the districts (a region's project serves each of its districts)."""
    span = performance_period(period)
    where, params = "", []
    if districts is not None:
        marks = ", ".join(["%s"] * len(districts)) or "NULL"
        where = (f" AND (d.district_id IN ({marks}) OR p.region_id IN (SELECT region_id FROM {T['District']} "
                 f"WHERE district_id IN ({marks})))")
        params = [*districts, *districts]
    query = (
        f"SELECT s.service, p.session_type, COUNT(DISTINCT s.child_id) FROM {T['Service']} s "
        f"JOIN {T['Project']} p ON p.id = s.project_id LEFT JOIN {T['District']} d ON d.id = p.district_id "
        f"WHERE s.begin_date <= %s AND s.end_date >= %s{where} GROUP BY s.service, p.session_type")
    found = {(service, session): number for service, session, number in
             fetch(query, [span.last_day, span.first_day, *params])}
    sessions = [SessionType.REGULAR, SessionType.SUMMER]
    grid = [[found.get((service, session), 0) for session in sessions] for service in SERVICES]
    table = Table("services-by-type", str(_("Children served by service and session, %(period)s")
                                         % {"period": period}),
                  ["service", *[str(session) for session in sessions]],
                  [[service, *row] for service, row in zip(SERVICES, grid)])
    if suppress:
        published = suppress_table(grid, threshold=small_cell()).published()
        table.rows = [[service, *row] for service, row in zip(SERVICES, published.cells)]
        table.suppressed_below = small_cell()
    return table
