"""Reads of the alerts. (Scoping by user, a district's staff seeing only their district's alerts, arrives
with mepsis.access in the web issue; the command line runs with the state's full view.)"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Alert, AlertChild


def alerts(district_id: str | None = None, open_only: bool = False) -> QuerySet[Alert]:
    """Alerts newest first, with their children (and each child's enrollment and school) prefetched.

    ``district_id`` is the district's code (``District.district_id``): only that district's alerts, not
    the recruiters'. ``open_only``: only the alerts nobody has acknowledged.
    """
    children = (AlertChild.objects.select_related("child", "enrollment__school")
                .order_by("child__last_name_1", "child__first_name", "child__child_id"))
    found = (Alert.objects.select_related("district", "run")
             .prefetch_related(Prefetch("children", queryset=children))
             .order_by("-created_at", "-pk"))
    if district_id is not None:
        found = found.filter(district__district_id=district_id)
    if open_only:
        found = found.filter(acknowledged_at__isnull=True)
    return found
