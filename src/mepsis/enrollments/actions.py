"""The nightly ingest: read, check, store, link, alert, publish. The command line calls ``ingest_feed``;
the API gives ``ingest_frame`` the rows of a request. Everything a run changes is one transaction, so a
run that is stopped half way leaves the database as it was, and the same feed again changes nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from mepsis.access import audit
from mepsis.alerts.actions import raise_alerts
from mepsis.derived import refresh_children
from mepsis.orgs.models import District, School

from .feed import CheckedFeed, check_rows, read_feed
from .models import Enrollment, IngestRun
from .store import analyze, store_rows


@dataclass
class IngestReport:
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    matched_auto: int = 0
    matched_review: int = 0
    alerts: int = 0
    seconds: float = 0.0
    run: int | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)
    refused: pl.DataFrame = field(default_factory=pl.DataFrame)

    def as_dict(self) -> dict:
        """The ingest summary of interfaces.md, and the run's id."""
        return {name: getattr(self, name) for name in ("rows", "accepted", "rejected", "new", "updated", "unchanged",
                                                       "matched_auto", "matched_review", "alerts", "seconds", "run")}


Progress = Callable[[str], None]


def ingest_feed(path: Path, *, source: str, actor: str, on_stage: Progress = lambda stage: None) -> IngestReport:
    started = time.perf_counter()
    on_stage("reading")
    return ingest_frame(read_feed(path), started, source=source, file_name=str(path), actor=actor,
                        on_stage=on_stage)


def ingest_frame(frame: pl.DataFrame, started: float, *, source: str, file_name: str, actor: str,
                 on_stage: Progress = lambda stage: None) -> IngestReport:
    """Ingest the rows of a feed as ``feed.read_feed`` gives them (text columns, ``line``, ``problem``)."""
    clock = {"stage": "reading", "at": started}
    report = IngestReport()

    def stage(name: str) -> None:
        """Tell the caller, and keep how long the stage before took (in the run's summary, for operators)."""
        now = time.perf_counter()
        report.stage_seconds[clock["stage"]] = round(now - clock["at"], 2)
        clock.update(stage=name, at=now)
        on_stage(name)

    stage("checking")
    districts = dict(District.objects.values_list("district_id", "pk"))
    schools = {(district, school): pk for district, school, pk in
               School.objects.values_list("district__district_id", "school_id", "pk")}
    checked: CheckedFeed = check_rows(frame, districts=districts, schools=schools)
    report.rows, report.accepted, report.rejected = checked.rows, checked.good.height, checked.refused.height
    report.refused = checked.refused
    with transaction.atomic():
        run = IngestRun.objects.create(started_at=timezone.now(), source=source, file_name=file_name, actor=actor)
        stage("storing")
        counts = store_rows(checked.good, run)
        report.new, report.updated, report.unchanged = counts.new, counts.updated, counts.unchanged
        stage("linking")
        for linker in settings.MEPSIS_LINK_STAGES:
            linked = import_string(linker)(run, actor=actor)
            report.matched_auto += linked.linked
            report.matched_review += linked.for_review
        if report.matched_auto > 10_000:
            analyze(Enrollment)  # the links just made change what the next stages' plans should be
        stage("alerting")
        report.alerts = raise_alerts(run, actor=actor)
        stage("publishing")
        changed = set(Enrollment.objects.filter(Q(changed_run=run) | Q(matched_run=run), child__isnull=False)
                      .values_list("child_id", flat=True))
        # Their districts, grades and (with a link) state student ids changed.
        refresh_children(changed, actor=actor)
        report.run = run.pk
        stage("saving")
        report.seconds = round(time.perf_counter() - started, 2)
        run.summary = {**report.as_dict(), "stage_seconds": report.stage_seconds}
        run.finished_at = timezone.now()
        run.save(update_fields=["summary", "finished_at"])
        audit.record(actor, "enrollments.ingested", "ingest_run", str(run.pk), why=f"{source or 'feed'} {file_name}",
                     after=run.summary)
    return report
