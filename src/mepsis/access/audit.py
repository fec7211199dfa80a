"""Writing the audit log. Actions call these inside their own transaction."""

from __future__ import annotations

import getpass
from typing import Any

from .models import AuditEvent


def cli_actor() -> str:
    """The actor of a command run from a shell: the operating-system account that ran it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def event(actor: str, action: str, object_type: str, object_id: str, *, why: str = "",
          before: Any = None, after: Any = None) -> AuditEvent:
    return AuditEvent(actor=actor, action=action, object_type=object_type, object_id=str(object_id), why=why,
                      before=before, after=after)


def record(actor: str, action: str, object_type: str, object_id: str, **details: Any) -> AuditEvent:
    audit_event = event(actor, action, object_type, object_id, **details)
    audit_event.save()
    return audit_event


def record_many(events: list[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(events, batch_size=1000)
