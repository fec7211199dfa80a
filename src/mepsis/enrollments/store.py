"""Storing checked feed rows, set-based.

Most rows of a nightly feed are the same as last night. So the stored enrollments' keys and row hashes for
the feed's school years are read first (COPY on PostgreSQL), and polars sorts the feed into new rows,
rows whose hash differs, and the rest, which are left alone. Only the first two go into a temporary
staging table (COPY on PostgreSQL, executemany on SQLite), where a few statements decide which of the
hash-differing rows really changed, keep what those said before, update them, and insert the new ones.
It runs inside the caller's transaction, so a run is stored whole or not at all.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import polars as pl
from django.db import connection

from mepsis.matching.identity import identity_key

from .models import DATA_FIELDS, KEY_FIELDS, Enrollment, EnrollmentChange, IngestRun

STAGING = "mepsis_ingest_staging"
# Staging columns: the stored enrollment a row may change (null for a new one), then the row.
STAGED = ("enrollment_id", *KEY_FIELDS, *DATA_FIELDS, "identity_key", "row_hash")
_COMPARED = (*DATA_FIELDS, "identity_key")
_NULLABLE = ("exit_date",)


@dataclass
class StoreCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


def store_rows(rows: pl.DataFrame, run: IngestRun) -> StoreCounts:
    """``rows`` as feed.check_rows gives them (database ids for district and school, dates, row_hash)."""
    if not rows.height:  # every row refused: nothing to compare (an empty IN () is no SQL)
        return StoreCounts()
    stored = _stored_hashes(rows["school_year"].unique().to_list())
    sorted_rows = rows.join(stored, on=list(KEY_FIELDS), how="left")
    to_stage = (sorted_rows.filter(pl.col("enrollment_id").is_null() | (pl.col("row_hash") != pl.col("stored_hash")))
                .with_columns(identity_key(pl.col("first_name"), pl.col("last_name"), pl.col("last_name_2"),
                                           pl.col("birth_date"), pl.col("sex")).alias("identity_key"))
                .select(STAGED))
    new = to_stage["enrollment_id"].null_count()
    counts = StoreCounts(new=new)
    if to_stage.height:
        counts.updated = _write(to_stage, run)
    counts.unchanged = rows.height - counts.new - counts.updated
    return counts


def _stored_hashes(years: list[str]) -> pl.DataFrame:
    schema = {"enrollment_id": pl.Int64, "district_id": pl.Int64, "local_student_id": pl.String,
              "school_id": pl.Int64, "school_year": pl.String, "entry_date": pl.Date, "stored_hash": pl.Int64}
    table = Enrollment._meta.db_table
    placeholders = ", ".join(["%s"] * len(years))
    query = (f"SELECT id, district_id, local_student_id, school_id, school_year, entry_date, row_hash FROM {table} "
             f"WHERE school_year IN ({placeholders})")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            literal = cursor.cursor.mogrify(query, years)
            with cursor.cursor.copy(f"COPY ({literal}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
            buffer.seek(0)
            if not buffer.getbuffer().nbytes:
                return pl.DataFrame(schema=schema)
            return pl.read_csv(buffer, has_header=False, new_columns=list(schema), schema=schema)
        cursor.execute(query, years)  # Django's SQLite connection gives dates as datetime.date
        return pl.DataFrame(cursor.fetchall(), schema=schema, orient="row")


def _write(to_stage: pl.DataFrame, run: IngestRun) -> int:
    """Stage the rows, then history, updates and inserts; returns how many stored enrollments changed."""
    table = Enrollment._meta.db_table
    changes = EnrollmentChange._meta.db_table
    postgres = connection.vendor == "postgresql"
    distinct = "IS DISTINCT FROM" if postgres else "IS NOT"
    differs = " OR ".join(f"e.{column} {distinct if column in _NULLABLE else '<>'} s.{column}"
                          for column in _COMPARED)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGING} ({_staging_columns()}, changed boolean)")
        _load(cursor, to_stage, postgres)
        # Of the rows whose hash differs, the columns decide: a hash that changed with nothing else (after
        # an upgrade of polars) only has the hash stored again.
        cursor.execute(f"""
            UPDATE {STAGING} AS s SET changed = EXISTS (
                SELECT 1 FROM {table} e WHERE e.id = s.enrollment_id AND ({differs}))
            WHERE s.enrollment_id IS NOT NULL""")
        before = ", ".join(f"'{column}', e.{column}" for column in DATA_FIELDS)
        cursor.execute(f"""
            INSERT INTO {changes} (enrollment_id, run_id, before)
            SELECT e.id, %s, {"json_build_object" if postgres else "json_object"}({before}){'::jsonb' if postgres else ''}
            FROM {table} e JOIN {STAGING} s ON s.enrollment_id = e.id WHERE s.changed""", [run.pk])
        assignments = ", ".join(f"{column} = s.{column}" for column in _COMPARED)
        cursor.execute(f"""
            UPDATE {table} SET {assignments}, row_hash = s.row_hash, changed_run_id = %s
            FROM {STAGING} s WHERE {table}.id = s.enrollment_id AND s.changed""", [run.pk])
        updated = cursor.rowcount
        cursor.execute(f"""
            UPDATE {table} SET row_hash = s.row_hash
            FROM {STAGING} s WHERE {table}.id = s.enrollment_id AND NOT s.changed""")
        columns = ", ".join(STAGED[1:])
        cursor.execute(f"""
            INSERT INTO {table} ({columns}, first_run_id, changed_run_id, match_method)
            SELECT {", ".join(f"s.{column}" for column in STAGED[1:])}, %s, %s, ''
            FROM {STAGING} s WHERE s.enrollment_id IS NULL""", [run.pk, run.pk])
        cursor.execute(f"DROP TABLE {STAGING}")
    if to_stage.height > 10_000:
        analyze(Enrollment)
    return updated


def analyze(model) -> None:
    """Fresh planner statistics for a table a run has just changed a lot: PostgreSQL does not see the rows
    until the transaction ends, and the next stages join them; without this, a join of a million rows
    becomes a nested loop (minutes instead of a second)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def _staging_columns() -> str:
    types = {"enrollment_id": "bigint", "district_id": "bigint", "school_id": "bigint", "entry_date": "date",
             "birth_date": "date", "exit_date": "date", "row_hash": "bigint"}
    return ", ".join(f"{column} {types.get(column, 'text')}" for column in STAGED)


def _load(cursor, rows: pl.DataFrame, postgres: bool) -> None:
    if postgres:
        buffer = io.BytesIO()
        rows.write_csv(buffer, include_header=False)
        with cursor.cursor.copy(f"COPY {STAGING} ({', '.join(STAGED)}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buffer.getbuffer())
        cursor.execute(f"ANALYZE {STAGING}")
        return
    dates = rows.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d"))
    placeholders = ", ".join(["%s"] * len(STAGED))
    cursor.executemany(f"INSERT INTO {STAGING} ({', '.join(STAGED)}) VALUES ({placeholders})", dates.iter_rows())
