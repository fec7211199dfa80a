"""Reads of services and priority for services that other parts use (counts, dashboards, SMEPA, the API).

- ``services_of(child)``: a child's services, newest first, with their project.
- ``pfs_on(child, day)``: the child's PFS determination for a day (the latest made for the latest
  determination date on or before it), or None when none was made.
- ``current_pfs(child_pks)``: each child's current PFS (their latest determination), by primary key.
- ``determinations_in_force(child_pks, on=)``: each child's determination in force on a day, or latest.
- ``smepa_deliveries(records)``: what SMEPA records say of services (used by ``mepsis.reports.smepa``).
- ``pfs_without_service(first_day, last_day)``: children whose current determination gives PFS and who have
  no service overlapping [first_day, last_day] (a term): the dashboard's "PFS children without a service".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from django.db import connection
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from mepsis.registry.models import Child
from mepsis.reports.smepa import id_list
from mepsis.rules.periods import school_year
from mepsis.rules.services import EDFI_CONTINUATION, EDFI_SERVICE

from .models import ContinuationOfServices, PfsDetermination, Service, SessionType


def services_of(child: Child) -> QuerySet[Service]:
    return (Service.objects.filter(child=child).select_related("project", "continuation")
            .order_by("-begin_date", "service"))


def pfs_on(child: Child, day: dt.date) -> PfsDetermination | None:
    return (PfsDetermination.objects.filter(child=child, determination_date__lte=day)
            .select_related("rule_set").order_by("-determination_date", "-determined_at", "-id").first())


def current_determinations() -> QuerySet[PfsDetermination]:
    """Each child's latest determination (one row per child)."""
    newer = PfsDetermination.objects.filter(child_id=OuterRef("child_id")).order_by(
        "-determination_date", "-determined_at", "-id").values("id")[:1]
    return PfsDetermination.objects.filter(id=Subquery(newer))


def current_pfs(child_pks: Iterable[int]) -> dict[int, bool]:
    ids = sorted({int(pk) for pk in child_pks})
    if not ids:
        return {}
    return {child_pk: row["pfs"] for child_pk, row in determinations_in_force(ids).items()}


def determinations_in_force(child_pks: list[int] | None, *, on: dt.date | None = None) -> dict[int, dict]:
    """Each child's determination in force on ``on`` (the latest made for the latest date on or before it;
    their latest when ``on`` is None), for these children (every child's when None): its ``pfs``, ``inputs``
    and ``rule_set_id``, by child. For some children on PostgreSQL, each child's is read from the end of its
    index (a lateral subquery): a plan that needs no statistics, which a table an import fills has not (the
    correlated subquery of ``current_determinations`` then ran once for every determination stored)."""
    if child_pks is not None and connection.vendor == "postgresql":
        chosen, table = id_list(child_pks), PfsDetermination._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.child_id, d.pfs, d.inputs, d.rule_set_id FROM ({chosen.sql}) AS ids (pk) CROSS JOIN LATERAL "
                f"(SELECT * FROM {table} WHERE child_id = ids.pk{'' if on is None else ' AND determination_date <= %s'} "
                f"ORDER BY determination_date DESC, determined_at DESC, id DESC LIMIT 1) d",
                [*chosen.params, *([] if on is None else [on])])
            return {child_pk: {"pfs": pfs, "inputs": json.loads(inputs), "rule_set_id": rule_set}
                    for child_pk, pfs, inputs, rule_set in cursor.fetchall()}  # Django reads jsonb as text
    rows = PfsDetermination.objects.all() if on is None else PfsDetermination.objects.filter(determination_date__lte=on)
    if child_pks is not None:
        rows = rows.filter(child_id__in=id_list(child_pks))
    latest = rows.annotate(rank=Window(RowNumber(), partition_by=F("child_id"), order_by=[
        F("determination_date").desc(), F("determined_at").desc(), F("id").desc()])).filter(rank=1)
    return {row.pop("child_id"): row for row in latest.values("child_id", "pfs", "inputs", "rule_set_id")}


def pfs_without_service(first_day: dt.date, last_day: dt.date) -> QuerySet[Child]:
    served = Service.objects.filter(child_id=OuterRef("pk"), begin_date__lte=last_day, end_date__gte=first_day)
    pfs = current_determinations().filter(pfs=True).values("child_id")
    return Child.objects.filter(pk__in=pfs).exclude(Exists(served)).order_by("child_id")


def smepa_deliveries(records) -> dict[int, dict]:
    """What SMEPA records (by primary key) say of services, in two queries: ``services`` (the child's services
    that overlap the record's days, from its begin date to the end of its school year, so the services under
    a continuation that follows are there too), ``summer`` (one of them was in a summer or intersession
    project) and ``continuation`` (the Ed-Fi reason of a continuation of services in that school year)."""
    records = [record for record in records if not record.withdrawn]
    if not records:
        return {}
    spans = {record.pk: (record.child_id, record.begin_date, school_year(record.school_year).last_day,
                         school_year(record.school_year).first_day) for record in records}
    children = sorted({child for child, _b, _e, _f in spans.values()})
    first = min(begin for _c, begin, _e, _f in spans.values())
    last = max(end for _c, _b, end, _f in spans.values())
    services: dict[int, list[tuple]] = {}
    for row in (Service.objects.filter(child_id__in=id_list(children), begin_date__lte=last, end_date__gte=first)
                .order_by("begin_date", "service").values_list("child_id", "service", "begin_date", "end_date",
                                                                "project__session_type")):
        services.setdefault(row[0], []).append(row[1:])
    continuations: dict[int, list[tuple]] = {}
    for row in (ContinuationOfServices.objects.filter(child_id__in=id_list(children), end_date__gte=first)
                .order_by("begin_date").values_list("child_id", "reason", "begin_date", "end_date")):
        continuations.setdefault(row[0], []).append(row[1:])
    result = {}
    for pk, (child, begin, end, year_start) in spans.items():
        listed = [(code, first_day, last_day, session) for code, first_day, last_day, session in services.get(child, [])
                  if first_day <= end and last_day >= begin]
        reasons = [reason for reason, first_day, last_day in continuations.get(child, [])
                   if first_day <= end and last_day >= year_start]
        result[pk] = {
            "services": [{"descriptor": EDFI_SERVICE[code], "begin_date": first_day, "end_date": last_day}
                         for code, first_day, last_day, _session in listed],
            "summer": any(session == SessionType.SUMMER for *_rest, session in listed),
            "continuation": EDFI_CONTINUATION[reasons[-1]] if reasons else None,
        }
    return result
