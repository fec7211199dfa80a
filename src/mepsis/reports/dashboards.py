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
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from mepsis.delivery.models import PfsDetermination, SessionType
from mepsis.rules.periods import Span, performance_period
from mepsis.rules.services import SERVICES, TERM_STARTS
from mepsis.rules.suppression import suppress as suppress_table
from mepsis.rules.suppression import suppress_list

from .child_count import CATEGORY_1, CATEGORY_2, NOT_MEP_FUNDED, T, dialect, fetch, small_cell, sources_sql


@dataclass
class Table:
    """One chart's data: named columns and rows; None in a row is a suppressed cell."""

    key: str
    title: str
    columns: list[str]
    rows: list[list]
    suppressed_below: int | None = None

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

def counts_over_time(periods: Sequence[str], *, level: str = "district", districts: Sequence[str] | None = None,
                     suppress: bool = False) -> Table:
    """Category 1 and 2 of each period by ``level`` (district or region), one statement a category."""
    spans = [performance_period(name) for name in periods]
    found: dict[tuple[str, str], dict[str, int]] = {}
    for category in (CATEGORY_1, CATEGORY_2):
        for period, group, number in _counted(spans, category, level, districts):
            found.setdefault((period, group or ""), {})[category] = number
    keys = sorted(found)
    table = Table(f"counts-by-{level}", str(_("Child counts by region") if level == "region"
                                         else _("Child counts by district")),
                  ["period", level, CATEGORY_1, CATEGORY_2],
                  [[period, group, found[period, group].get(CATEGORY_1, 0), found[period, group].get(CATEGORY_2, 0)]
                   for period, group in keys])
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


def _counted(spans: list[Span], category: str, level: str, districts: Sequence[str] | None) -> list[tuple]:
    """(period, district or region, children) for ``category``: each pair of an eligibility interval and a
    stay (or summer service) that meet on days the child is aged 3 through 21 counts the child in every
    period those days reach."""
    sql = dialect()
    first, last = min(span.first_day for span in spans), max(span.last_day for span in spans)
    sources, params = sources_sql(first, last, category, districts=districts)
    periods = " UNION ALL ".join("SELECT %s AS name, %s AS first_day, %s AS last_day" for _ in spans)
    group = "e.region" if level == "region" else "e.district"
    query = (
        f"WITH {sources}, periods AS ({periods}), "
        f"days AS (SELECT e.child, {group} AS grp, {sql.greatest}(e.aged_from, a.a_start) AS first_day, "
        f"  {sql.least}(e.aged_until, a.a_end) AS last_day FROM eligibility e JOIN also a ON a.child = e.child "
        f"  WHERE a.a_start <= e.aged_until AND a.a_end >= e.aged_from) "
        f"SELECT p.name, d.grp, COUNT(DISTINCT d.child) FROM days d "
        f"JOIN periods p ON p.first_day <= d.last_day AND p.last_day >= d.first_day GROUP BY p.name, d.grp")
    for span in spans:
        params += [span.name, span.first_day, span.last_day]
    return fetch(query, params)


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
