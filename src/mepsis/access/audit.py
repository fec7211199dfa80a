"""Writing the audit log. Actions call these inside their own transaction.

Every event carries the hash of the one before it in its lane, so the log is a few chains (lanes), each in
the order of ``id``: a write takes a lane's lock (on PostgreSQL a transaction-level advisory lock, the first
free of 16 from the one of its connection, taken by the function ``mepsis_audit_lane``, migration 0006;
SQLite's IMMEDIATE transactions already let one writer in at a time, so it has one lane), reads the lane's
last hash and links its events after it. The lock is held until the writing transaction ends, so writers
in a lane append one after the other; with one lane, every page read of a busy server would wait its turn
behind the others' commits, and a long import would hold up every read.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from mepsis import bulk

from .models import AuditEvent

GENESIS = "0" * 64
CHAINED_FIELDS = ("at", "actor", "action", "object_type", "object_id", "why", "before", "after")
COLUMNS = (*CHAINED_FIELDS, "lane", "prev_hash", "hash")
_TABLE = AuditEvent._meta.db_table


def cli_actor() -> str:
    """The actor of a command run from a shell: the operating-system account that ran it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def actor_of(user: Any) -> str:
    """The actor of a web page or API call: the user's username."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return user.get_username()


def event(actor: str, action: str, object_type: str, object_id: str, *, why: str = "",
          before: Any = None, after: Any = None) -> AuditEvent:
    return AuditEvent(actor=actor, action=action, object_type=object_type, object_id=str(object_id), why=why,
                      before=before, after=after)


def record(actor: str, action: str, object_type: str, object_id: str, **details: Any) -> AuditEvent:
    audit_event = event(actor, action, object_type, object_id, **details)
    record_many([audit_event])
    return audit_event


def record_many(events: Iterable[AuditEvent]) -> None:
    """Append the events to a lane of the chain in their order, in one transaction (the caller's, when it has
    one)."""
    events = list(events)
    if not events:
        return
    if connection.vendor == "postgresql" and len(events) == 1:
        # A read or a change of one record: the database links it in one statement (migration 0006), with no
        # round trips for a transaction of its own.
        (audit_event,) = events
        with connection.cursor() as cursor:
            cursor.execute("SELECT mepsis_audit_append(%s, %s, %s, %s, %s, %s, %s, %s, %s)", [
                *_row(audit_event), canonical_text(fields_of(audit_event))])
        return
    # No savepoint: if the events cannot be written, the caller's whole change must not be either.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        lane, previous = _lock_lane(cursor)
        rows = []
        for audit_event in events:
            audit_event.lane, audit_event.prev_hash = lane, previous
            audit_event.hash = previous = event_hash(previous, fields_of(audit_event))
            rows.append((*_row(audit_event), lane, audit_event.prev_hash, audit_event.hash))
        # COPY on PostgreSQL, one prepared statement on SQLite: the ORM's per-field preparation would take
        # most of a bulk import's time. The database numbers the rows in order, under the lane's lock.
        bulk.insert_rows(AuditEvent, COLUMNS, rows)


def _row(audit_event: AuditEvent) -> tuple:
    """The event's chained fields as the database takes them."""
    return (connection.ops.adapt_datetimefield_value(audit_event.at), audit_event.actor, audit_event.action,
            audit_event.object_type, str(audit_event.object_id), audit_event.why, _json(audit_event.before),
            _json(audit_event.after))


def record_read(user: Any, object_type: str, object_id: Any) -> AuditEvent:
    """A person read a record (a child's consolidated record, a COE)."""
    return record(actor_of(user), f"{object_type}.read", object_type, object_id)


def record_export(user: Any, what: str, count: int) -> AuditEvent:
    """A person downloaded or exported records: what (e.g. ``migrant_list/5621``) and how many."""
    return record(actor_of(user), "export", "export", what, after={"count": count})


def fields_of(audit_event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(audit_event, name) for name in CHAINED_FIELDS}


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the event's canonical text."""
    return hashlib.sha256((prev_hash + canonical_text(fields)).encode()).hexdigest()


def canonical_text(fields: dict[str, Any]) -> str:
    """The event as canonical JSON (sorted keys, UTC time in microseconds), which is the same for the event as
    written and as read back from either database."""
    canonical = {
        **{name: fields[name] for name in ("before", "after")},
        **{name: str(fields[name]) for name in ("actor", "action", "object_type", "object_id", "why")},
        "at": fields["at"].astimezone(dt.timezone.utc).isoformat(timespec="microseconds"),
    }
    return json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _lock_lane(cursor) -> tuple[int, str]:
    """Take a lane's lock for this transaction: its number and the hash of its last event. SQLite lets one
    writer in at a time, so it has one lane."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT lane, last_hash FROM mepsis_audit_lane()")
        return cursor.fetchone()
    cursor.execute(f"SELECT hash FROM {_TABLE} WHERE lane = 0 ORDER BY id DESC LIMIT 1")
    row = cursor.fetchone()
    return 0, row[0] if row else GENESIS


@dataclass(frozen=True)
class BrokenLink:
    """The first event whose link does not hold: its ``prev_hash`` is not the hash of the event before it
    (an event was removed or inserted), or its ``hash`` is not the hash of its own content (it was changed)."""

    event_id: int
    reason: str


def verify_chain(*, chunk_size: int = 5000, update: Callable[[int], None] = lambda done: None
                 ) -> tuple[int, BrokenLink | None]:
    """Walk the whole log in order, streaming, following each lane's chain; the number of events checked and
    the first broken link."""
    previous: dict[int, str] = {}
    checked = 0
    rows = AuditEvent.objects.order_by("id").values_list("id", "lane", "prev_hash", "hash", *CHAINED_FIELDS)
    for checked, (event_id, lane, prev_hash, stored, *values) in enumerate(rows.iterator(chunk_size=chunk_size), 1):
        if prev_hash != previous.get(lane, GENESIS):
            return checked, BrokenLink(event_id, "prev_hash")
        previous[lane] = event_hash(prev_hash, dict(zip(CHAINED_FIELDS, values)))
        if stored != previous[lane]:
            return checked, BrokenLink(event_id, "hash")
        if checked % chunk_size == 0:
            update(checked)
    return checked, None
