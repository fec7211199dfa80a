"""Reading what the access app keeps: the audit log, for state administrators and auditors."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from .models import AuditEvent
from .scope import Scope


def search_audit(scope: Scope, *, actor: str | None = None, object_type: str | None = None,
                 object_id: str | None = None, action: str | None = None, since: dt.datetime | None = None,
                 until: dt.datetime | None = None) -> QuerySet[AuditEvent]:
    """The audit events that match every criterion given, newest first (403 without ``audit.read``).

    ``action`` ending in a dot matches every action it starts (``coe.`` finds ``coe.approved``, ...);
    ``since`` is inclusive, ``until`` exclusive."""
    scope.require("audit.read")
    events = AuditEvent.objects.all()
    if actor:
        events = events.filter(actor=actor)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if action:
        events = events.filter(action__startswith=action) if action.endswith(".") else events.filter(action=action)
    if since:
        events = events.filter(at__gte=since)
    if until:
        events = events.filter(at__lt=until)
    return events.order_by("-id")
