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
    coes = Coe.objects.only("coe_id", "status", "return_reasons", "void_reason").order_by("coe_id")
    if status:
        coes = coes.filter(status=status)
    last = ""
    while chunk := list(coes.filter(coe_id__gt=last)[:chunk_size]):
        yield from current_documents(chunk)
        last = chunk[-1].coe_id


def current_documents(coes: list[Coe]) -> list[dict]:
    """The current document of each COE, in the same order, in two queries whatever their number."""
    pks = [coe.pk for coe in coes]
    contents = dict(CoeVersion.objects.filter(coe__in=pks, number=F("coe__version")).values_list("coe_id", "document"))
    linked: dict[int, dict[int, str]] = {}
    for coe_pk, index, ssid in CoeChild.objects.filter(coe__in=pks, child__state_student_id__isnull=False) \
            .values_list("coe_id", "index", "child__state_student_id"):
        linked.setdefault(coe_pk, {})[index] = ssid
    return [documents.compose(contents[coe.pk], status=coe.status, return_reasons=coe.return_reasons,
                              void_reason=coe.void_reason, state_student_ids=linked.get(coe.pk, {}))
            for coe in coes]


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
