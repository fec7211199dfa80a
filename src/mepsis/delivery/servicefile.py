"""Checking the rows of a services file (interfaces.md, "Services") and deciding, set-based, which are
allowed: the column checks run at once with polars; the eligibility check runs in the database over a
staging table, so an import of millions of rows is a handful of statements.

A row is allowed when one approved COE's interval covers all its days (``eligible``) or one continuation of
services covers them all (``continuation``). The few rows neither finds (a service that spans two COEs, or
eligibility and then a continuation) are decided one child at a time by ``mepsis.rules.services``, which
is the rule itself; the SQL is only its fast path.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl
from django.db import connection
from django.utils.translation import gettext as _

from mepsis.registry.models import Coe, CoeChild, CoeStatus
from mepsis.reports.smepa import db_date, id_list
from mepsis.rules import services as rules

from .models import ContinuationOfServices, Service, SessionType

COLUMNS = ("coe_id", "child_index", "state_student_id", "service", "project_id", "session_type", "begin_date",
           "end_date", "hours")
REQUIRED = ("service", "project_id", "session_type", "begin_date", "end_date")
ROWS = "mepsis_service_rows"
STAGING = "mepsis_service_staging"


def check_columns(frame: pl.DataFrame, *, coe_children: pl.DataFrame, students: pl.DataFrame,
                  projects: pl.DataFrame) -> tuple[pl.DataFrame, list[tuple[int, str]]]:
    """The good rows, with their child (``child_pk``), project (``project_pk``, null for a project to create)
    and parsed values (``begin``, ``end``, ``hours_value``); and each reason a bad row is refused for, as
    (line, "field: sentence").

    ``coe_children``: coe_id, child_index, child_pk; ``students``: state_student_id, child_pk;
    ``projects``: project_id, project_pk, project_session.
    """
    for column in COLUMNS:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(column))
    checks = _checks()
    parsed = (frame.lazy()
              .with_columns(pl.col(COLUMNS).str.strip_chars())
              .with_columns(pl.col(COLUMNS).replace("", None))
              .with_columns(index=pl.col("child_index").cast(pl.Int64, strict=False),
                            begin=_date("begin_date"), end=_date("end_date"),
                            hours_value=pl.col("hours").cast(pl.Decimal(9, 2), strict=False))
              .join(coe_children.lazy().rename({"child_pk": "coe_child_pk"}),
                    left_on=["coe_id", "index"], right_on=["coe_id", "child_index"], how="left")
              .join(students.lazy().rename({"child_pk": "student_child_pk"}), on="state_student_id", how="left")
              .join(projects.lazy(), on="project_id", how="left")
              .with_columns(child_pk=pl.coalesce("coe_child_pk", "student_child_pk"))
              # Joins do not keep the file's order: "first" is the first line of the project, by number.
              .with_columns(first_session=pl.col("session_type").sort_by("line").first().over("project_id"),
                            first_line=pl.col("line").min().over("child_pk", "project_id", "service", "begin"))
              .with_columns(failed=pl.any_horizontal([condition.fill_null(False) for condition, _f, _s in checks]))
              .collect())
    good = parsed.filter(~pl.col("failed")).select("line", "child_pk", "project_pk", "project_id", "session_type",
                                                   "service", "begin", "end", "hours_value")
    # The sentences are written for the refused rows only: most rows of a big file are good.
    bad = parsed.filter(pl.col("failed")).select("line", reasons=pl.concat_list(
        [pl.when(condition).then(pl.lit(f"{field}: ") + sentence) for condition, field, sentence in checks]
    ).list.drop_nulls())
    return good, [(line, reason) for line, reasons in bad.iter_rows() for reason in reasons]


def _date(column: str) -> pl.Expr:
    text = pl.col(column)
    return pl.when(text.str.contains(r"^\d{4}-\d{2}-\d{2}$")).then(text.str.to_date("%Y-%m-%d", strict=False))


def _checks() -> list[tuple[pl.Expr, str, pl.Expr]]:
    """Each check: the condition under which a row fails it, the field, and the sentence that says why."""
    def reason(condition: pl.Expr, field: str, sentence: str | pl.Expr) -> tuple[pl.Expr, str, pl.Expr]:
        return condition, field, sentence if isinstance(sentence, pl.Expr) else pl.lit(sentence)

    def said(template: str, **values: pl.Expr) -> pl.Expr:
        """A whole translated sentence with each row's values put in its %(name)s placeholders, so that a
        translation may place them where its language needs them."""
        parts = re.split(r"%\((\w+)\)s", template)
        return pl.concat_str([values[part] if odd else pl.lit(part) for odd, part in
                              ((number % 2 == 1, part) for number, part in enumerate(parts)) if odd or part])

    def shown(column: str) -> pl.Expr:
        return pl.lit('"') + pl.col(column) + pl.lit('"')

    sessions = [choice.value for choice in SessionType]
    checks = [reason(pl.col("problem").is_not_null(), "row", pl.col("problem"))]
    checks += [reason(pl.col(column).is_null() & pl.col("problem").is_null(), column, _("is required."))
               for column in REQUIRED]
    named_by_coe = pl.col("coe_id").is_not_null() | pl.col("child_index").is_not_null()
    checks += [
        reason(~named_by_coe & pl.col("state_student_id").is_null(), "child",
               _("name the child by coe_id and child_index, or by state_student_id.")),
        reason(named_by_coe & (pl.col("coe_id").is_null() | pl.col("index").is_null() | (pl.col("index") < 0)),
               "child_index", _("coe_id and a child_index (0, 1, ...) name the child together.")),
        reason(named_by_coe & pl.col("index").is_not_null() & pl.col("coe_child_pk").is_null(), "coe_id",
               said(_("COE %(coe_id)s has no child at position %(index)s."), coe_id=shown("coe_id"),
                    index=pl.col("child_index"))),
        reason(pl.col("state_student_id").is_not_null() & pl.col("student_child_pk").is_null(), "state_student_id",
               said(_("no certified child has the state student id %(id)s."), id=shown("state_student_id"))),
        reason(pl.col("coe_child_pk").is_not_null() & pl.col("student_child_pk").is_not_null()
               & (pl.col("coe_child_pk") != pl.col("student_child_pk")), "state_student_id",
               _("belongs to another child than the one coe_id and child_index name.")),
        reason(pl.col("service").is_not_null() & ~pl.col("service").is_in(rules.SERVICES), "service",
               said(_("must be one of %(codes)s, not %(value)s."), codes=pl.lit(", ".join(rules.SERVICES)),
                    value=shown("service"))),
        reason(pl.col("session_type").is_not_null() & ~pl.col("session_type").is_in(sessions), "session_type",
               said(_("must be regular or summer, not %(value)s."), value=shown("session_type"))),
        reason(pl.col("project_pk").is_not_null() & pl.col("session_type").is_in(sessions)
               & (pl.col("session_type") != pl.col("project_session")), "session_type",
               said(_("project %(project)s is a %(session)s project."), project=shown("project_id"),
                    session=pl.col("project_session"))),
        reason(pl.col("project_pk").is_null() & (pl.col("session_type") != pl.col("first_session")), "session_type",
               said(_("an earlier row made project %(project)s a %(session)s project."),
                    project=shown("project_id"), session=pl.col("first_session"))),
        reason(pl.col("project_id").str.len_chars() > 40, "project_id", _("is longer than 40 characters.")),
        *[reason(pl.col(column).is_not_null() & pl.col(parsed).is_null(), column,
                 said(_("must be a date written YYYY-MM-DD, not %(value)s."), value=shown(column)))
          for column, parsed in (("begin_date", "begin"), ("end_date", "end"))],
        reason(pl.col("end") < pl.col("begin"), "end_date", _("is before the begin date.")),
        reason(pl.col("hours").is_not_null() & (pl.col("hours_value").is_null() | (pl.col("hours_value") < 0)),
               "hours", said(_("must be a number of hours, 0 or more, not %(value)s."), value=shown("hours"))),
        reason(pl.col("service").is_in(sorted(rules.INSTRUCTIONAL)) & pl.col("hours").is_null(), "hours",
               _("an instructional service needs its hours.")),
        reason(pl.col("service").is_in(sorted(rules.INSTRUCTIONAL)) & (pl.col("hours_value") == 0), "hours",
               _("an instructional service needs its hours, more than zero.")),
        reason(pl.col("child_pk").is_not_null() & (pl.col("first_line") < pl.col("line")), "row",
               said(_("is the same service (child, project, service, begin date) as line %(line)s."),
                    line=pl.col("first_line").cast(pl.String))),
    ]
    return checks


def stage(rows: pl.DataFrame) -> None:
    """Write the good rows into a temporary table (line, child, project, service, dates, hours)."""
    data = rows.select("line", "child_pk", "project_pk", "service", "begin", "end",
                       pl.col("hours_value").cast(pl.String))
    _temporary_table(ROWS, "line bigint, child_id bigint, project_id bigint, service text, begin_date date, "
                           "end_date date, hours numeric",
                     ("line", "child_id", "project_id", "service", "begin_date", "end_date", "hours"), data.iter_rows())
    _analyze(ROWS)


def decide_eligibility() -> list[tuple[int, str]]:
    """Make the staging table: the staged rows that are allowed, each with its basis, COE and continuation.
    Returns the refused rows as (line, reason)."""
    coe_child, coe, continuation = (CoeChild._meta.db_table, Coe._meta.db_table,
                                    ContinuationOfServices._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        # Each row's COE is the first (by eligibility start, then key) that makes the child eligible on its
        # begin date, as rules.service_basis picks it; when one COE covers every day, the row is eligible.
        # One pass that writes a new table: updating two million rows in place costs minutes.
        cursor.execute(f"""
            CREATE TEMPORARY TABLE {STAGING} AS
            SELECT r.line, r.child_id, r.project_id, r.service, r.begin_date, r.end_date, r.hours, pick.coe_id,
                   CASE WHEN pick.whole = 1 THEN 'eligible' END AS basis,
                   CAST(NULL AS bigint) AS continuation_id
            FROM {ROWS} r LEFT JOIN (
                SELECT line, coe_id, whole FROM (
                    SELECT s.line, cc.coe_id,
                           MAX(CASE WHEN s.end_date <= cc.last_eligible_day THEN 1 ELSE 0 END)
                               OVER (PARTITION BY s.line) AS whole,
                           ROW_NUMBER() OVER (PARTITION BY s.line ORDER BY cc.eligibility_start, cc.coe_id) AS position
                    FROM {ROWS} s JOIN {coe_child} cc ON cc.child_id = s.child_id
                    JOIN {coe} c ON c.id = cc.coe_id AND c.status = %s
                    WHERE cc.eligibility_start <= s.begin_date AND s.begin_date <= cc.last_eligible_day) ranked
                WHERE position = 1) pick ON pick.line = r.line""", [CoeStatus.APPROVED])
        cursor.execute(f"DROP TABLE {ROWS}")
        cursor.execute(f"CREATE UNIQUE INDEX {STAGING}_line ON {STAGING} (line)")
        _analyze(STAGING)
        # Else, for a row that begins without eligibility, one continuation that covers every day.
        cursor.execute(f"""
            UPDATE {STAGING} SET basis = 'continuation', continuation_id = covering.continuation_id
            FROM (SELECT s.line, MIN(k.id) AS continuation_id
                  FROM {STAGING} s JOIN {continuation} k ON k.child_id = s.child_id
                  WHERE s.coe_id IS NULL AND k.begin_date <= s.begin_date AND s.end_date <= k.end_date
                  GROUP BY s.line) covering
            WHERE {STAGING}.line = covering.line""")
        cursor.execute(f"SELECT line, child_id, begin_date, end_date FROM {STAGING} WHERE basis IS NULL")
        undecided = [(line, child, db_date(begin), db_date(end)) for line, child, begin, end in cursor.fetchall()]
    if not undecided:
        return []
    children = {child for _line, child, _begin, _end in undecided}
    eligibility, continuations = eligibility_of(children), continuations_of(children)
    refused, decided = [], []
    for line, child, begin, end in undecided:
        result = rules.service_basis(begin, end, eligibility.get(child, []), continuations.get(child, []))
        if isinstance(result, rules.Refusal):
            refused.append((line, f"{result.field}: {_(result.template) % result.params}"))
        else:
            decided.append((line, result.basis, result.coe_id, result.continuation_id))
    decisions = f"{STAGING}_decided"
    _temporary_table(decisions, "line bigint, basis text, coe_id bigint, continuation_id bigint",
                     ("line", "basis", "coe_id", "continuation_id"), decided)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            UPDATE {STAGING} SET basis = d.basis, coe_id = d.coe_id, continuation_id = d.continuation_id
            FROM {decisions} d WHERE {STAGING}.line = d.line""")
        cursor.execute(f"DELETE FROM {STAGING} WHERE basis IS NULL")  # the refused rows: all that is left
        cursor.execute(f"DROP TABLE {decisions}")
    return refused


@dataclass
class Written:
    new: int
    unchanged: int
    changes: list[tuple]  # (service id, before, after) of each service updated
    children: set[int]    # the children with a new or updated service


def write_services(actor: str, now: dt.datetime) -> Written:
    """Insert the staged services that are new, update those that say something else than the stored ones
    (same child, project, service and begin date), and leave the rest. The staged rows meet the stored
    services once, in one join that writes a new table; the rest is read from it."""
    table, ops = Service._meta.db_table, connection.ops
    compared = f"{STAGING}_compared"
    same = ("s.end_date = t.end_date AND s.basis = t.basis AND s.coe_id IS NOT DISTINCT FROM t.coe_id "
            "AND s.continuation_id IS NOT DISTINCT FROM t.continuation_id AND s.hours IS NOT DISTINCT FROM t.hours")
    if connection.vendor != "postgresql":
        same = same.replace("IS NOT DISTINCT FROM", "IS")
    stamp = ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Inserting millions of rows into a big table's indexes: SQLite's default page cache (2 MB) makes
            # every insert read its index pages from disk again.
            cursor.execute("PRAGMA cache_size = -262144")
        cursor.execute(f"""
            CREATE TEMPORARY TABLE {compared} AS
            SELECT t.*, s.id AS existing_id, CASE WHEN s.id IS NULL THEN NULL WHEN {same} THEN 1 ELSE 0 END AS same
            FROM {STAGING} t LEFT JOIN {table} s ON s.child_id = t.child_id AND s.project_id = t.project_id
                 AND s.service = t.service AND s.begin_date = t.begin_date""")
        cursor.execute(f"DROP TABLE {STAGING}")
        cursor.execute(f"SELECT COUNT(*) FROM {compared} WHERE same = 1")
        unchanged = cursor.fetchone()[0]
        cursor.execute(f"SELECT s.id, {', '.join(f's.{c}' for c in CHANGEABLE)}, {', '.join(f't.{c}' for c in CHANGEABLE)} "
                       f"FROM {compared} t JOIN {table} s ON s.id = t.existing_id WHERE t.same = 0")
        changes = [(row[0], dict(zip(CHANGEABLE, map(_plain, row[1:6]))), dict(zip(CHANGEABLE, map(_plain, row[6:]))))
                   for row in cursor.fetchall()]
        cursor.execute(f"SELECT DISTINCT child_id FROM {compared} WHERE same IS NULL OR same = 0")
        children = {row[0] for row in cursor.fetchall()}
        if changes:
            cursor.execute(f"""
                UPDATE {table} SET end_date = t.end_date, hours = t.hours, basis = t.basis, coe_id = t.coe_id,
                       continuation_id = t.continuation_id, recorded_at = %s, recorded_by = %s
                FROM {compared} t WHERE {table}.id = t.existing_id AND t.same = 0""", [stamp, actor])
        cursor.execute(f"""
            INSERT INTO {table} (child_id, coe_id, service, project_id, begin_date, end_date, hours, basis,
                                 continuation_id, recorded_at, recorded_by)
            SELECT child_id, coe_id, service, project_id, begin_date, end_date, hours, basis, continuation_id, %s, %s
            FROM {compared} WHERE existing_id IS NULL
            ORDER BY child_id, project_id, service, begin_date""", [stamp, actor])  # in the unique index's order
        new = cursor.rowcount
        cursor.execute(f"DROP TABLE {compared}")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size = -2000")  # SQLite's default again, for whatever else this connection does
    return Written(new, unchanged, changes, children)


CHANGEABLE = ("end_date", "hours", "basis", "coe_id", "continuation_id")


def _plain(value):
    return None if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)


def _temporary_table(name: str, definition: str, columns: tuple[str, ...], rows) -> None:
    """A new temporary table filled with ``rows`` (COPY on PostgreSQL, executemany on SQLite)."""
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ({definition})")
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {name} ({names}) VALUES ({placeholders})",
                               (tuple(value.isoformat() if isinstance(value, dt.date) else value for value in row)
                                for row in rows))


def _analyze(table: str) -> None:
    """Fresh statistics for a temporary table PostgreSQL has never seen, so it plans its joins right."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")


def eligibility_of(child_ids) -> dict[int, list[rules.Eligibility]]:
    """The eligibility intervals of approved COEs of these children (by primary key)."""
    result: dict[int, list[rules.Eligibility]] = {}
    for child, coe_pk, start, last, end_reason in (
            CoeChild.objects.filter(child_id__in=id_list(sorted(child_ids)), coe__status=CoeStatus.APPROVED,
                                    eligibility_start__isnull=False, last_eligible_day__isnull=False)
            .values_list("child_id", "coe_id", "eligibility_start", "last_eligible_day", "end_reason")):
        result.setdefault(child, []).append(rules.Eligibility(coe_pk, start, last, end_reason))
    return result


def continuations_of(child_ids) -> dict[int, list[rules.Continuation]]:
    result: dict[int, list[rules.Continuation]] = {}
    for pk, child, reason, begin, end in (
            ContinuationOfServices.objects.filter(child_id__in=id_list(sorted(child_ids))).order_by("pk")
            .values_list("pk", "child_id", "reason", "begin_date", "end_date")):
        result.setdefault(child, []).append(rules.Continuation(pk, reason, begin, end))
    return result
