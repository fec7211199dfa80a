"""The actions that change services, continuations of services and priority for services; each writes the
audit log in its own transaction, and refreshes the SMEPA records of the children it changed."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.db import connection, transaction
from django.db.models import F, Max, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from mepsis.access import audit
from mepsis.bulk import assign_ids, insert, insert_rows
from mepsis.enrollments.feed import FeedUnreadable, _read_csv
from mepsis.enrollments.models import Enrollment
from mepsis.registry.actions import ActionRefused
from mepsis.registry.models import Child, Coe, CoeChild, CoeStatus, CoeVersion
from mepsis.reports.dashboards import refresh_counts
from mepsis.reports.smepa import db_date, id_list, refresh_smepa, touch_smepa
from mepsis.rules import pfs as pfs_rules
from mepsis.rules import services as rules

from . import servicefile
from .models import (
    ContinuationOfServices,
    PfsDetermination,
    PfsImport,
    PfsIndicator,
    PfsRuleSet,
    Project,
)
from .queries import determinations_in_force

# --- Services -----------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import of rows did: the counts its ``--format json`` gives, and each refused row's reasons."""

    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)  # (line, "field: sentence"), by line

    def as_dict(self) -> dict:
        return {name: value for name, value in vars(self).items() if name != "refused"}


@dataclass
class ServicesReport(ImportReport):
    """What an import of services did (``--format json`` of `mepsis services import`)."""

    projects_created: int = 0
    seconds: float = 0.0


def read_csv_file(path: Path, columns: tuple[str, ...], required: tuple[str, ...]) -> pl.DataFrame:
    """The rows of a CSV file (UTF-8, with or without BOM) as text, with their ``line`` (and a ``problem`` for
    a malformed row). Raises ``FeedUnreadable`` when the file cannot be read or lacks a required column."""
    try:
        data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
        data.decode("utf-8")
    except OSError as error:
        raise FeedUnreadable(f"{path}: cannot be read ({error.strerror}).") from error
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FeedUnreadable(f"{path}: line {line} is not UTF-8 text.") from error
    if not data.strip():
        raise FeedUnreadable(f"{path}: the file is empty.")
    frame = _read_csv(path, data)
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise FeedUnreadable(f"{path}: there is no column {', '.join(missing)}; the file has the columns "
                             f"{', '.join(columns)}.")
    return frame


def record_services(rows: pl.DataFrame | list[dict], *, actor: str, source: str = "") -> ServicesReport:
    """Record a batch of services (rows with the columns of interfaces.md, as text). Each row is checked;
    a refused row says why (line, field, sentence) and the others are recorded, in one transaction. A row
    naming a service already stored (same child, project, service and begin date) updates it when it says
    something else and changes nothing when it says the same, so importing a file again changes nothing.
    A project_id the state does not know creates the project with the row's session type."""
    started = time.perf_counter()
    if isinstance(rows, list):
        rows = pl.DataFrame([{column: _text(row.get(column)) for column in servicefile.COLUMNS} for row in rows],
                            schema={column: pl.String for column in servicefile.COLUMNS})
    if "line" not in rows.columns:
        rows = rows.with_columns(line=pl.int_range(1, rows.height + 1))
    if "problem" not in rows.columns:
        rows = rows.with_columns(problem=pl.lit(None, pl.String))
    report = ServicesReport(rows=rows.height)
    with transaction.atomic():
        good, refused = servicefile.check_columns(rows.sort("line"), coe_children=_coe_children(),
                                                  students=_students(), projects=_projects())
        good, report.projects_created = _create_projects(good, actor)
        servicefile.stage(good)
        refused += servicefile.decide_eligibility()
        written = servicefile.write_services(actor, timezone.now())
        if written.changes:
            audit.record_many([audit.event(actor, "service.updated", "service", str(pk), before=before, after=after)
                               for pk, before, after in written.changes])
        report.new, report.updated, report.unchanged = written.new, len(written.changes), written.unchanged
        report.refused = sorted(refused)
        report.rejected = len({line for line, _reason in refused})
        report.accepted = report.rows - report.rejected
        touch_smepa(written.children)
        refresh_counts(written.children)  # a summer service can make a child count in Category 2
        report.seconds = round(time.perf_counter() - started, 2)
        audit.record(actor, "services.recorded", "services", Path(source).name[:64], why=source,
                     after=report.as_dict())
    return report


def _text(value) -> str | None:
    return None if value is None else str(value)


def _coe_children() -> pl.DataFrame:
    return pl.DataFrame(list(CoeChild.objects.values_list("coe__coe_id", "index", "child_id")),
                        schema={"coe_id": pl.String, "child_index": pl.Int64, "child_pk": pl.Int64}, orient="row")


def _students() -> pl.DataFrame:
    return pl.DataFrame(list(Child.objects.filter(state_student_id__isnull=False)
                             .values_list("state_student_id", "pk")),
                        schema={"state_student_id": pl.String, "child_pk": pl.Int64}, orient="row")


def _projects() -> pl.DataFrame:
    return pl.DataFrame(list(Project.objects.values_list("project_id", "pk", "session_type")),
                        schema={"project_id": pl.String, "project_pk": pl.Int64, "project_session": pl.String},
                        orient="row")


def _create_projects(good: pl.DataFrame, actor: str) -> tuple[pl.DataFrame, int]:
    """Create the projects the rows name and the state does not know, with the session type of their rows."""
    new = good.filter(pl.col("project_pk").is_null()).unique("project_id", keep="first", maintain_order=True)
    created = Project.objects.bulk_create(
        [Project(project_id=project_id, session_type=session) for project_id, session in
         new.select("project_id", "session_type").iter_rows()])
    if created:
        audit.record_many([audit.event(actor, "project.created", "project", project.project_id,
                                       after={"session_type": project.session_type}) for project in created])
        good = good.drop("project_pk").join(_projects().select("project_id", "project_pk"), on="project_id",
                                            how="left")
    return good, len(created)


# --- Continuation of services --------------------------------------------------------------------------------

def record_continuation(child_id: str, *, reason: str, begin: dt.date, end: dt.date, actor: str,
                        why: str) -> ContinuationOfServices:
    """A reviewer's decision that a child whose eligibility ended may still be served (ESEA 1304(e)); refused
    (``ActionRefused`` with the rule's errors) when the reason's limits forbid these dates."""
    if not why.strip():
        raise ActionRefused(_("Say why the child continues to be served (for the previous-term reason, that "
                              "comparable services are not available otherwise)."))
    with transaction.atomic():
        child = _child(child_id)
        refusals = rules.check_continuation(
            reason, begin, end, servicefile.eligibility_of([child.pk]).get(child.pk, []), birth_date=child.birth_date,
            hs_completion_date=_hs_completion_date(child), grade=_grade(child, begin))
        if refusals:
            raise ActionRefused(_("The continuation of services was not recorded."),
                                [refusal.as_dict(_) for refusal in refusals])
        continuation = ContinuationOfServices.objects.create(
            child=child, reason=reason, begin_date=begin, end_date=end, why=why, recorded_by=actor,
            recorded_at=timezone.now())
        audit.record(actor, "continuation.recorded", "continuation", str(continuation.pk), why=why,
                     after={"child_id": child.child_id, "reason": reason, "begin_date": begin.isoformat(),
                            "end_date": end.isoformat()})
        touch_smepa([child.pk])
    return continuation


def end_continuation(continuation_id: int, *, on: dt.date, actor: str, why: str) -> ContinuationOfServices:
    """End a continuation on ``on`` (its last day), kept with who ended it and why. Refused while a service
    recorded under it reaches past that day."""
    with transaction.atomic():
        continuation = ContinuationOfServices.objects.select_for_update().get(pk=continuation_id)
        if continuation.ended_at is not None:
            raise ActionRefused(_("This continuation of services was already ended."))
        if not continuation.begin_date <= on <= continuation.end_date:
            raise ActionRefused(_("A continuation ends on a day between its begin date %(begin)s and its end date "
                                  "%(end)s.") % {"begin": continuation.begin_date, "end": continuation.end_date})
        beyond = continuation.services.filter(end_date__gt=on).count()
        if beyond:
            raise ActionRefused(_("%(count)s services under this continuation go on after %(day)s.")
                                % {"count": beyond, "day": on})
        before = {"end_date": continuation.end_date.isoformat()}
        continuation.end_date, continuation.ended_at = on, timezone.now()
        continuation.ended_by, continuation.ended_why = actor, why
        continuation.save(update_fields=["end_date", "ended_at", "ended_by", "ended_why"])
        audit.record(actor, "continuation.ended", "continuation", str(continuation.pk), why=why, before=before,
                     after={"end_date": on.isoformat()})
        touch_smepa([continuation.child_id])
    return continuation


def _child(child_id: str) -> Child:
    try:
        return Child.objects.get(child_id=child_id)
    except Child.DoesNotExist:
        raise ActionRefused(_("There is no child %(child)s.") % {"child": child_id}) from None


def _hs_completion_date(child: Child) -> dt.date | None:
    """The high school completion date any current COE version records for the child."""
    days = []
    for coe_pk, index in CoeChild.objects.filter(child=child).values_list("coe_id", "index"):
        document = CoeVersion.objects.filter(coe_id=coe_pk).order_by("-number").values_list("document", flat=True)[0]
        children = document.get("children") or []
        if index < len(children) and children[index].get("hs_completion_date"):
            days.append(dt.date.fromisoformat(children[index]["hs_completion_date"]))
    return min(days, default=None)


def _grade(child: Child, on: dt.date) -> str | None:
    """The child's grade on a day: the latest enrollment entered on or before it, else the newest COE's."""
    enrolled = (Enrollment.objects.filter(child=child, entry_date__lte=on).order_by("-entry_date")
                .values_list("grade", flat=True).first())
    if enrolled:
        return enrolled
    for coe_pk, index in CoeChild.objects.filter(child=child).order_by("-coe__qad").values_list("coe_id", "index"):
        document = CoeVersion.objects.filter(coe_id=coe_pk).order_by("-number").values_list("document", flat=True)[0]
        children = document.get("children") or []
        if index < len(children) and children[index].get("grade"):
            return children[index]["grade"]
    return None


# --- Priority for services ------------------------------------------------------------------------------------

def active_rule_set(*, actor: str = "system") -> PfsRuleSet:
    """The rule set in force; the first time, version 1 with the project's default criteria."""
    rule_set = PfsRuleSet.objects.filter(active=True).first()
    if rule_set is None:
        rule_set = _new_rule_set(pfs_rules.DEFAULT_CRITERIA, actor=actor, why=_("the default criteria"))
    return rule_set


def set_pfs_criteria(criteria: dict, *, actor: str, why: str = "") -> PfsRuleSet:
    """A new version of the state's at-risk criteria, made the active one (the older ones are kept); PFS is
    determined again today for every child, since its rule set changed."""
    with transaction.atomic():
        rule_set = _new_rule_set(criteria, actor=actor, why=why)
        determine_pfs(actor=actor)
    return rule_set


def _new_rule_set(criteria: dict, *, actor: str, why: str) -> PfsRuleSet:
    errors = pfs_rules.criteria_errors(criteria)
    if errors:
        raise ActionRefused(_("The PFS criteria were not saved."), [error.as_dict(_) for error in errors])
    with transaction.atomic():
        PfsRuleSet.objects.select_for_update().filter(active=True).update(active=False)
        version = (PfsRuleSet.objects.aggregate(last=Max("version"))["last"] or 0) + 1
        rule_set = PfsRuleSet.objects.create(version=version, criteria=criteria, created_by=actor,
                                             created_at=timezone.now(), why=why, active=True)
        audit.record(actor, "pfs.criteria_set", "pfs_rule_set", str(version), why=why, after=criteria)
    return rule_set


class PfsImportReport(ImportReport):
    """What an import of PFS indicators did (`mepsis pfs import`)."""


PFS_COLUMNS = ("state_student_id", "indicator", "date", "value")


def import_pfs_indicators(rows: pl.DataFrame, *, actor: str, file_name: str = "") -> PfsImportReport:
    """Store the indicators the PFS criteria read (one value per state student id, indicator and date; the
    same again changes nothing, a new value replaces the old one), then determine PFS again for the children
    whose indicators changed."""
    report = PfsImportReport(rows=rows.height)
    if "line" not in rows.columns:
        rows = rows.with_columns(line=pl.int_range(1, rows.height + 1))
    if "problem" not in rows.columns:
        rows = rows.with_columns(problem=pl.lit(None, pl.String))
    parsed = (rows.with_columns(pl.col(PFS_COLUMNS).str.strip_chars().replace("", None))
              .with_columns(day=servicefile._date("date"))
              .with_columns(first_line=pl.col("line").min().over("state_student_id", "indicator", "day")))
    checks = [(pl.col("problem").is_not_null(), "row", pl.col("problem"))]
    checks += [(pl.col(column).is_null(), column, pl.lit(_("is required."))) for column in PFS_COLUMNS]
    checks += [
        (pl.col("date").is_not_null() & pl.col("day").is_null(), "date", pl.lit(_("must be a date written YYYY-MM-DD."))),
        (pl.col("indicator").str.len_chars() > 40, "indicator", pl.lit(_("is longer than 40 characters."))),
        (pl.col("value").str.len_chars() > 100, "value", pl.lit(_("is longer than 100 characters."))),
        (pl.col("state_student_id").str.len_chars() > 32, "state_student_id", pl.lit(_("is longer than 32 characters."))),
        (pl.col("first_line") < pl.col("line"), "row",
         pl.lit(_("gives the same student, indicator and date as line ")) + pl.col("first_line").cast(pl.String)),
    ]
    parsed = parsed.with_columns(reasons=pl.concat_list(
        [pl.when(condition).then(pl.lit(f"{name}: ") + sentence) for condition, name, sentence in checks]
    ).list.drop_nulls())
    good = parsed.filter(pl.col("reasons").list.len() == 0)
    report.refused = [(line, reason) for line, reasons in parsed.filter(pl.col("reasons").list.len() > 0)
                      .select("line", "reasons").iter_rows() for reason in reasons]
    report.rejected = parsed.height - good.height
    report.accepted = good.height
    with transaction.atomic():
        run = PfsImport.objects.create(started_at=timezone.now(), file_name=file_name, actor=actor)
        stored_rows = PfsIndicator.objects.all()
        file_students = good["state_student_id"].unique().to_list()
        if len(file_students) < 20_000:  # else reading them all is cheaper than a long IN list
            stored_rows = stored_rows.filter(state_student_id__in=file_students)
        stored = {(ssid, indicator, date): (pk, value) for pk, ssid, indicator, date, value in
                  stored_rows.values_list("pk", "state_student_id", "indicator", "date", "value")}
        new, changed, students = [], [], set()
        for ssid, indicator, day, value in good.select("state_student_id", "indicator", "day", "value").iter_rows():
            known = stored.get((ssid, indicator, day))
            if known is None:
                new.append(PfsIndicator(state_student_id=ssid, indicator=indicator, date=day, value=value,
                                        imported_by=run))
            elif known[1] != value:
                changed.append(PfsIndicator(pk=known[0], value=value, imported_by=run))
            else:
                continue
            students.add(ssid)
        assign_ids(new)
        insert(new)
        PfsIndicator.objects.bulk_update(changed, ["value", "imported_by"], batch_size=2000)
        report.new, report.updated = len(new), len(changed)
        report.unchanged = report.accepted - report.new - report.updated
        run.summary = report.as_dict()
        run.save(update_fields=["summary"])
        audit.record(actor, "pfs.indicators_imported", "pfs_import", str(run.pk), why=file_name, after=run.summary)
        if students:
            determine_pfs(children=Child.objects.filter(state_student_id__in=sorted(students))
                          .values_list("pk", flat=True), actor=actor)
    return report


@dataclass
class PfsRunReport:
    children: int = 0
    determined: int = 0
    unchanged: int = 0
    pfs: int = 0
    rule_set_version: int = 0

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in ("children", "determined", "unchanged", "pfs", "rule_set_version")}


def determine_pfs(*, on: dt.date | None = None, children: Iterable[int] | None = None, actor: str,
                  publish: bool = True) -> PfsRunReport:
    """PFS on ``on`` (today by default) for these children (primary keys; every child when None): each child
    with an approved COE, and each child without one any more (voided, rejected, merged into another) whose
    determination in force says PFS, which without a QAD it is no longer. A child gets a new determination
    when its inputs (QADs, indicators, grade, birth date), the result or the rule set differ from those of
    the determination in force on ``on`` (the latest made for the latest date on or before it); otherwise
    that one still holds and nothing is written. So running it every night (after the feed), or whenever an
    action changes some of its inputs, keeps one row per change, not per run.

    The actions that change an input call it with the children they changed, in their own transaction and
    with ``publish=False``: they refresh these children's SMEPA records themselves, once. Otherwise the SMEPA
    records of the children with a new determination are refreshed here. The audit log gets one
    ``pfs.determined`` event for a run over every child, even one that changes nothing (the nightly run is
    seen to have run), and for a run over some children only when it determined something."""
    on = on or timezone.localdate()
    ids = None if children is None else sorted({int(pk) for pk in children})
    with transaction.atomic():
        rule_set = active_rule_set(actor=actor)
        report = PfsRunReport(rule_set_version=rule_set.version)
        if ids == []:
            return report
        qads: dict[int, list[dt.date]] = {}
        coe_grades: dict[int, str] = {}  # the grade on the child's COE with the latest QAD on or before ``on``
        for child_pk, qad, eligible, grade in _approved_places(ids):  # ordered by QAD
            if eligible:
                qads.setdefault(child_pk, []).append(qad)
            if grade and qad <= on:
                coe_grades[child_pk] = grade
        in_force = determinations_in_force(ids, on=on)
        pks = sorted(set(qads) | {child_pk for child_pk, row in in_force.items() if row["pfs"]})
        people = {pk: (ssid, birth) for pk, ssid, birth in
                  Child.objects.filter(pk__in=id_list(pks)).values_list("pk", "state_student_id", "birth_date")}
        indicators = _indicators_on(on, pks)
        grades = {**coe_grades, **_enrolled_grades(on, pks)}  # an enrollment's grade first
        made = []  # (child, pfs, inputs as JSON)
        for child_pk, (ssid, birth_date) in people.items():
            child_qads = qads.get(child_pk, [])
            child_indicators = indicators.get(ssid, {})
            grade = grades.get(child_pk) or (child_indicators.get(pfs_rules.GRADE) or (None, None))[1]
            result = pfs_rules.determine(on, qads=child_qads, birth_date=birth_date, grade=grade,
                                         indicators=child_indicators, rule_set=rule_set.criteria)
            inputs = {"qads": sorted(day.isoformat() for day in child_qads), "birth_date": birth_date.isoformat(),
                      "grade": grade, "indicators": {name: [day.isoformat(), value]
                                                     for name, (day, value) in sorted(child_indicators.items())},
                      "qad": result.qad.isoformat() if result.qad else None, "met": list(result.met)}
            report.children += 1
            report.pfs += result.pfs
            before = in_force.get(child_pk)
            if before is not None and before["inputs"] == inputs and before["rule_set_id"] == rule_set.pk:
                report.unchanged += 1
                continue
            made.append((child_pk, result.pfs, json.dumps(inputs, ensure_ascii=False)))
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        insert_rows(PfsDetermination, ("child_id", "determination_date", "pfs", "inputs", "rule_set_id",
                                       "determined_at", "determined_by"),
                    [(child_pk, on.isoformat(), pfs, inputs, rule_set.pk, now, actor) for child_pk, pfs, inputs in made])
        report.determined = len(made)
        if made or ids is None:
            audit.record(actor, "pfs.determined", "pfs", on.isoformat(), why=f"rule set v{rule_set.version}",
                         after=report.as_dict())
        if publish:
            refresh_smepa([child_pk for child_pk, _pfs, _inputs in made])
    return report


def _indicators_on(on: dt.date, child_pks: list[int]) -> dict[str, dict[str, tuple[dt.date, str]]]:
    """Each of these children's latest value of each indicator dated on or before ``on``, by state student id."""
    result: dict[str, dict[str, tuple[dt.date, str]]] = {}
    rows = PfsIndicator.objects.filter(date__lte=on).order_by("state_student_id", "indicator", "date")
    if len(child_pks) < 20_000:  # else reading them all is cheaper than a long list
        rows = rows.filter(state_student_id__in=Child.objects.filter(pk__in=id_list(child_pks),
                                                                     state_student_id__isnull=False)
                           .values("state_student_id"))
    for ssid, indicator, day, value in rows.values_list("state_student_id", "indicator", "date", "value"):
        result.setdefault(ssid, {})[indicator] = (day, value)  # ordered by date: the latest wins
    return result


def _approved_places(child_pks: list[int] | None) -> list[tuple[int, dt.date, bool, str | None]]:
    """Each place of these children (every child's when None) on an approved COE with a QAD, ordered by QAD:
    (child, QAD, whether the child is eligible there, the grade the COE's current version gives).

    For some children on PostgreSQL, each child's places are read by their index, then each place's COE and
    version by their unique keys (lateral subqueries, kept apart by OFFSET 0): a plan that does not depend on
    statistics, which tables an import is filling do not have; without them the planner believes few COEs
    are approved and reads them all, with their versions, for each batch of the import."""
    entry, coe, version = (model._meta.db_table for model in (CoeChild, Coe, CoeVersion))
    chosen = None if child_pks is None else id_list(child_pks)
    if connection.vendor == "postgresql":
        grade = "v.document -> 'children' -> p.\"index\"::int ->> 'grade'"
    else:
        grade = "json_extract(v.document, '$.children[' || p.\"index\" || '].grade')"
    joined = (f"{entry} p JOIN {coe} c ON c.id = p.coe_id JOIN {version} v ON v.coe_id = c.id "
              f"AND v.number = c.version")
    if chosen is None:
        sql = (f"SELECT p.child_id, c.qad, p.eligibility_start IS NOT NULL, {grade} FROM {joined} "
               f"WHERE c.status = %s AND c.qad IS NOT NULL ORDER BY c.qad, c.id")
        params = [CoeStatus.APPROVED]
    elif connection.vendor == "postgresql":
        sql = (f"SELECT p.child_id, x.qad, p.eligibility_start IS NOT NULL, x.grade FROM ({chosen.sql}) AS ids (pk) "
               f"CROSS JOIN LATERAL (SELECT * FROM {entry} WHERE child_id = ids.pk OFFSET 0) p "
               f"CROSS JOIN LATERAL (SELECT c.id, c.qad, {grade} AS grade FROM {coe} c JOIN {version} v "
               f"ON v.coe_id = c.id AND v.number = c.version WHERE c.id = p.coe_id AND c.status = %s "
               f"AND c.qad IS NOT NULL OFFSET 0) x ORDER BY x.qad, x.id")
        params = [*chosen.params, CoeStatus.APPROVED]
    else:  # SQLite: a CROSS JOIN keeps the order written, the children first (it chose to read every COE)
        sql = (f"SELECT p.child_id, c.qad, p.eligibility_start IS NOT NULL, {grade} FROM ({chosen.sql}) AS ids "
               f"CROSS JOIN {entry} p ON p.child_id = ids.value CROSS JOIN {coe} c ON c.id = p.coe_id "
               f"CROSS JOIN {version} v ON v.coe_id = c.id AND v.number = c.version "
               f"WHERE c.status = %s AND c.qad IS NOT NULL ORDER BY c.qad, c.id")
        params = [*chosen.params, CoeStatus.APPROVED]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(child_pk, db_date(qad), bool(eligible), grade) for child_pk, qad, eligible, grade in cursor.fetchall()]


def _enrolled_grades(on: dt.date, child_pks: list[int]) -> dict[int, str]:
    """Each child's grade in the latest enrollment entered on or before ``on``."""
    latest = (Enrollment.objects.filter(child_id__in=id_list(child_pks), entry_date__lte=on)
              .annotate(rank=Window(RowNumber(), partition_by=F("child_id"),
                                    order_by=[F("entry_date").desc(), F("id").desc()])).filter(rank=1))
    return dict(latest.values_list("child_id", "grade"))

