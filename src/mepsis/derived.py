"""What is derived from children's records, kept in step with them by every write that changes their COEs,
enrollments or links (the registry's actions, the enrollment ingest, the match worklist's decisions)."""

from __future__ import annotations

from collections.abc import Iterable

from mepsis.registry.roster import refresh_roster
from mepsis.reports.dashboards import refresh_counts
from mepsis.reports.smepa import refresh_smepa


def refresh_children(child_ids: Iterable[int], *, actor: str) -> None:
    """Bring up to date, in the caller's transaction, for these children (by primary key): the districts they
    belong to (the children lists), their priority for services (QADs, birth date, grade, state student id
    and indicators), the kept child counts (a move out of the state ends a stay) and their SMEPA records,
    which publish the PFS."""
    from mepsis.delivery.actions import determine_pfs  # it imports the registry's actions, which call this

    ids = {int(pk) for pk in child_ids}
    if not ids:
        return
    refresh_roster(ids)
    determine_pfs(children=ids, actor=actor, publish=False)
    refresh_counts(ids)
    refresh_smepa(ids)
