"""Fast inserts of many model instances: COPY on PostgreSQL, executemany on SQLite.

Django's ``bulk_create`` prepares every value through its field (about 12,000 rows/s here); importing
100,000 COEs writes some 800,000 rows. These functions take instances whose values are already plain
(str, int, bool, date, datetime, dict/list for JSON fields), give them primary keys up front so that
related rows can point at them before anything is written, and write them in one statement per table.
They must run inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

from django.db import connection, models


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys for ``model``, never given to anyone else."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [table, count])
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the transaction holds the database's write lock from its start (transaction_mode
        # IMMEDIATE), so no other writer can take these ids before the rows are inserted. AUTOINCREMENT
        # never reuses an id, so neither does this: sqlite_sequence remembers the highest one ever used.
        cursor.execute(f'SELECT MAX(used) FROM (SELECT COALESCE(MAX("id"), 0) AS used FROM "{table}" '
                       "UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s)", [table])
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def assign_ids(instances: Sequence[models.Model]) -> None:
    """Give new instances of one model their primary keys, so that other rows can point at them."""
    if instances:
        for instance, pk in zip(instances, allocate_ids(type(instances[0]), len(instances)), strict=True):
            instance.pk = pk


def insert(instances: Sequence[models.Model]) -> None:
    """Insert instances of one model, each with its primary key set (see ``assign_ids``)."""
    if not instances:
        return
    model = type(instances[0])
    fields = list(model._meta.concrete_fields)
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for instance in instances:
                field.pre_save(instance, add=True)
    convert = [_converter(field) for field in fields]
    names = [field.attname for field in fields]
    insert_rows(model, [field.column for field in fields],
                [tuple(to_db(getattr(instance, name)) for to_db, name in zip(convert, names)) for instance in instances])


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert plain rows, values ready for the database, into a model's table in one statement: COPY on
    PostgreSQL, executemany on SQLite. For rows so many that building model instances would cost more than
    writing them."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


def _converter(field: models.Field):
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else json.dumps(value, ensure_ascii=False)
    if isinstance(field, models.DateTimeField):
        return lambda value: connection.ops.adapt_datetimefield_value(value) if value is not None else None
    if isinstance(field, models.DateField):
        return lambda value: value.isoformat() if isinstance(value, dt.date) else value
    return lambda value: value
