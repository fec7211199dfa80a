"""Reads of the registry. (Scoping by user arrives with mepsis.access in the web issue; the command line
runs with the state's full view, and says so in the audit log.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import F

from . import documents
from .models import Child, Coe, CoeChild, CoeStatus, CoeVersion


def iter_documents(*, status: str | None = None, chunk_size: int = 2000) -> Iterator[dict]:
    """Every COE as its current document, ordered by coe_id (the export of interfaces.md)."""
    coes = Coe.objects.order_by("coe_id")
    if status:
        coes = coes.filter(status=status)
    last = ""
    while chunk := list(coes.filter(coe_id__gt=last).values(
            "pk", "coe_id", "status", "return_reasons", "void_reason")[:chunk_size]):
        pks = [row["pk"] for row in chunk]
        contents = dict(CoeVersion.objects.filter(coe__in=pks, number=F("coe__version"))
                        .values_list("coe_id", "document"))
        linked: dict[int, dict[int, str]] = {}
        for coe_pk, index, ssid in CoeChild.objects.filter(coe__in=pks, child__state_student_id__isnull=False) \
                .values_list("coe_id", "index", "child__state_student_id"):
            linked.setdefault(coe_pk, {})[index] = ssid
        for row in chunk:
            yield documents.compose(contents[row["pk"]], status=row["status"], return_reasons=row["return_reasons"],
                                    void_reason=row["void_reason"], state_student_ids=linked.get(row["pk"], {}))
        last = chunk[-1]["coe_id"]


@dataclass(frozen=True)
class Interval:
    coe_id: str
    status: str
    void_reason: str
    start: dt.date | None
    last_eligible_day: dt.date | None
    end_reason: str

    @property
    def counts(self) -> bool:
        """Only an approved (so not voided) COE makes a child eligible."""
        return self.status == CoeStatus.APPROVED and self.start is not None

    def covers(self, day: dt.date) -> bool:
        return self.counts and self.start <= day <= self.last_eligible_day


def eligibility_intervals(child: Child) -> list[Interval]:
    """Every COE that lists the child, oldest QAD first, with the interval it gives (or would give)."""
    return [
        Interval(entry.coe.coe_id, entry.coe.status, entry.coe.void_reason, entry.eligibility_start,
                 entry.last_eligible_day, entry.end_reason)
        for entry in CoeChild.objects.filter(child=child).select_related("coe").order_by("coe__qad", "coe__coe_id")
    ]


def eligible_on(intervals: list[Interval], day: dt.date) -> bool:
    return any(interval.covers(day) for interval in intervals)
