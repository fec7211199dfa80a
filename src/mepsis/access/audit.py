"""Writing the audit log. Actions call these inside their own transaction.

Every event carries the hash of the one before it in its lane, so the log is a few chains (lanes), each in
the order of ``id``: a write takes a lane's lock (on PostgreSQL a transaction-level advisory lock, the first
free of ``LANES`` from the one of its connection; SQLite's IMMEDIATE transactions already let one writer in
at a time, so it has one lane), reads the lane's last hash and links its events after it. The lock is held
until the writing transaction ends, so writers in a lane append one after the other; with one lane, every
page read of a busy server would wait its turn behind the others' commits, and a long import would hold up
every read.
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
# pg_advisory_xact_lock's key for lane 0 of the audit chain, lane n's is this plus n (a constant no other code
# uses: "MEPSAUDT"); and the number of lanes, enough for every worker of a server and an import at once.
_CHAIN_LOCK = 0x4D45505341554454
LANES = 16
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
    """Append the events to the chain in their order, in one transaction (the caller's, when it has one)."""
    events = list(events)
    if not events:
        return
    # No savepoint: if the events cannot be written, the caller's whole change must not be either.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        lane, previous = _lock_lane(cursor)
        rows = []
        for audit_event in events:
            audit_event.lane, audit_event.prev_hash = lane, previous
            audit_event.hash = previous = event_hash(previous, fields_of(audit_event))
            rows.append((connection.ops.adapt_datetimefield_value(audit_event.at), audit_event.actor,
                         audit_event.action, audit_event.object_type, str(audit_event.object_id), audit_event.why,
                         _json(audit_event.before), _json(audit_event.after), lane, audit_event.prev_hash,
                         audit_event.hash))
        if len(rows) == 1:  # a read or a change of one record: one INSERT, not the ORM's save
            names = ", ".join(connection.ops.quote_name(name) for name in COLUMNS)
            cursor.execute(f"INSERT INTO {_TABLE} ({names}) VALUES ({', '.join(['%s'] * len(COLUMNS))})", rows[0])
        else:
            # COPY on PostgreSQL, one prepared statement on SQLite: the ORM's per-field preparation would take
            # most of a bulk import's time. The database numbers the rows in order, under the chain's lock.
            bulk.insert_rows(AuditEvent, COLUMNS, rows)


def record_read(user: Any, object_type: str, object_id: Any) -> AuditEvent:
    """A person read a record (a child's consolidated record, a COE)."""
    return record(actor_of(user), f"{object_type}.read", object_type, object_id)


def record_export(user: Any, what: str, count: int) -> AuditEvent:
    """A person downloaded or exported records: what (e.g. ``migrant_list/5621``) and how many."""
    return record(actor_of(user), "export", "export", what, after={"count": count})


def fields_of(audit_event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(audit_event, name) for name in CHAINED_FIELDS}


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the event's canonical JSON (sorted keys, UTC time in microseconds),
    which is the same for the event as written and as read back from either database."""
    at = fields["at"]
    canonical = {
        **{name: fields[name] for name in ("before", "after")},
        **{name: str(fields[name]) for name in ("actor", "action", "object_type", "object_id", "why")},
        "at": at.astimezone(dt.timezone.utc).isoformat(timespec="microseconds"),
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + text).encode()).hexdigest()


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _lock_lane(cursor) -> tuple[int, str]:
    """Take a lane's lock for this transaction: its number and the hash of its last event."""
    lane = 0
    if connection.vendor == "postgresql":
        # The first lane free, trying the connection's own first, so a server's workers seldom meet; every
        # lane busy, the connection's own, waiting.
        cursor.execute(f"SELECT lane FROM (SELECT (pg_backend_pid() + n) % {LANES} AS lane "
                       f"FROM generate_series(0, {LANES - 1}) n) lanes "
                       f"WHERE pg_try_advisory_xact_lock({_CHAIN_LOCK} + lane) LIMIT 1")
        found = cursor.fetchone()
        if found is None:
            cursor.execute(f"SELECT pg_backend_pid() % {LANES}, pg_advisory_xact_lock({_CHAIN_LOCK} + "
                           f"pg_backend_pid() % {LANES})")
            found = cursor.fetchone()
        lane = found[0]
    # A statement of its own, whose snapshot is taken after the lock was granted: it sees the lane's last event.
    cursor.execute(f"SELECT hash FROM {_TABLE} WHERE lane = %s ORDER BY id DESC LIMIT 1", [lane])
    row = cursor.fetchone()
    return lane, row[0] if row else GENESIS


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
