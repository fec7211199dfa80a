"""What a reviewer does with the match worklist: accept or reject an item. Each decision is kept on the
item (who, when), audited in the same transaction, and never asked again.

Accepting a link candidate links the enrollment to the child, then raises the alerts and refreshes the
SMEPA records as an ingest does; those steps work on a run, so each decision is recorded as a run of its
own (source ``match worklist``). Accepting a merge candidate merges the two children.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from mepsis.access import audit
from mepsis.alerts.actions import raise_alerts
from mepsis.delivery.models import ContinuationOfServices, Service
from mepsis.derived import refresh_children
from mepsis.enrollments.models import Enrollment, IngestRun
from mepsis.registry.actions import ActionRefused
from mepsis.registry.models import Child, CoeChild

from .exact import WORKLIST_SOURCE, LinkReport, _link_by_state_student_id, link_exact
from .models import MatchCandidate
from .probabilistic import link_probabilistic

LINK_SOURCE = "matching link"


def accept_candidate(candidate: MatchCandidate, actor: str) -> None:
    """Accept a worklist item: link its enrollment to its child (then alerts and SMEPA), or merge its two
    children. Refused (nothing changed) when it was decided already or its enrollment has another child."""
    if candidate.kind == MatchCandidate.Kind.MERGE:
        merge_children(candidate, actor)
        return
    with transaction.atomic():
        candidate = _open(candidate)
        enrollment = Enrollment.objects.select_for_update().get(pk=candidate.enrollment_id)
        if enrollment.child_id not in (None, candidate.child_id):
            raise ActionRefused(_("The enrollment is linked to another child already."))
        run = IngestRun.objects.create(started_at=timezone.now(), source=WORKLIST_SOURCE, actor=actor,
                                       file_name=f"candidate {candidate.pk}")
        Enrollment.objects.filter(pk=enrollment.pk).update(child=candidate.child_id, matched_run=run,
                                                           match_method="reviewed")
        _decide(candidate, MatchCandidate.Status.ACCEPTED, actor, why="")
        if _give_state_student_id(candidate.child_id, enrollment.state_student_id, actor):
            # The student's other rows carry the id too: they are the child's now.
            _link_by_state_student_id(run, only=[enrollment.state_student_id])
        # The enrollment is this child's: its other items are settled with it.
        for other in MatchCandidate.objects.filter(enrollment=enrollment, status=MatchCandidate.Status.OPEN):
            _decide(other, MatchCandidate.Status.REJECTED, actor,
                    why=f"candidate {candidate.pk} was accepted for this enrollment")
        alerts = raise_alerts(run, actor=actor)
        refresh_children([candidate.child_id], actor=actor)
        run.summary = {"matched_auto": 0, "matched_review": 0, "accepted": candidate.pk, "alerts": alerts}
        run.finished_at = timezone.now()
        run.save(update_fields=["summary", "finished_at"])


def link_again(actor: str, *, engine_name: str | None = None) -> tuple[IngestRun, LinkReport]:
    """Link every unmatched enrollment again against every certified child, with the current model (after
    ``mepsis matching train``, or a change of thresholds), then alerts and SMEPA as an ingest does; one
    transaction, recorded as a run of its own (source ``matching link``)."""
    with transaction.atomic():
        run = IngestRun.objects.create(started_at=timezone.now(), source=LINK_SOURCE, actor=actor)
        report = link_exact(run, actor=actor, everything=True)
        again = link_probabilistic(run, actor=actor, engine_name=engine_name, everything=True)
        report.linked += again.linked
        report.for_review += again.for_review
        alerts = raise_alerts(run, actor=actor)
        linked = set(Enrollment.objects.filter(matched_run=run).values_list("child_id", flat=True))
        refresh_children(linked, actor=actor)
        run.summary = {"matched_auto": report.linked, "matched_review": report.for_review, "alerts": alerts}
        run.finished_at = timezone.now()
        run.save(update_fields=["summary", "finished_at"])
        audit.record(actor, "matching.linked", "ingest_run", str(run.pk), why=LINK_SOURCE, after=run.summary)
    return run, report


def reject_candidate(candidate: MatchCandidate, actor: str, why: str = "") -> None:
    """Reject a worklist item: the pair is never proposed again."""
    with transaction.atomic():
        _decide(_open(candidate), MatchCandidate.Status.REJECTED, actor, why=why)


def merge_children(candidate: MatchCandidate, actor: str) -> None:
    """Accept a merge candidate: ``other_child`` is the same person as ``child``, which keeps its child id.
    The other child's COE entries, enrollments, services and continuations of services move to it (and its
    state student id, when it has none); the other child is left with none, so it is no longer certified,
    counted or linked again. A service recorded for both (same project, service and begin date) stays with
    the other child, where nothing counts it. Alerts and PFS determinations keep the history they made; the
    audit event says where the child went."""
    if candidate.kind != MatchCandidate.Kind.MERGE:
        raise ActionRefused(_("Only a merge candidate merges two children."))
    with transaction.atomic():
        candidate = _open(candidate)
        kept = Child.objects.select_for_update().get(pk=candidate.child_id)
        merged = Child.objects.select_for_update().get(pk=candidate.other_child_id)
        entries = CoeChild.objects.filter(child=merged).update(child=kept)
        enrollments = Enrollment.objects.filter(child=merged).update(child=kept)
        services = Service.objects.filter(child=merged).exclude(Exists(Service.objects.filter(
            child=kept, project=OuterRef("project"), service=OuterRef("service"),
            begin_date=OuterRef("begin_date")))).update(child=kept)
        continuations = ContinuationOfServices.objects.filter(child=merged).update(child=kept)
        if merged.state_student_id and not kept.state_student_id:
            kept_id, merged.state_student_id = merged.state_student_id, None
            merged.save(update_fields=["state_student_id"])
            kept.state_student_id = kept_id
            kept.save(update_fields=["state_student_id"])
        _decide(candidate, MatchCandidate.Status.ACCEPTED, actor, why="")
        audit.record(actor, "child.merged", "child", merged.child_id, why=f"merge candidate {candidate.pk}",
                     after={"into": kept.child_id, "coe_entries": entries, "enrollments": enrollments,
                            "services": services, "continuations": continuations})
        refresh_children([kept.pk, merged.pk], actor=actor)


def _open(candidate: MatchCandidate) -> MatchCandidate:
    fresh = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
    if fresh.status != MatchCandidate.Status.OPEN:
        raise ActionRefused(_("This worklist item was decided already ({status}, by {who}).").format(
            status=fresh.get_status_display(), who=fresh.decided_by))
    return fresh


def _decide(candidate: MatchCandidate, status: str, actor: str, *, why: str) -> None:
    before = {"status": candidate.status}
    candidate.status, candidate.decided_by, candidate.decided_at = status, actor, timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(actor, f"match_candidate.{status}", "match_candidate", str(candidate.pk), why=why, before=before,
                 after={"status": status, "kind": candidate.kind, "enrollment": candidate.enrollment_id,
                        "child": candidate.child_id, "other_child": candidate.other_child_id,
                        "score": candidate.score})


def _give_state_student_id(child_pk: int, state_student_id: str, actor: str) -> bool:
    """The child takes the enrollment's state student id when it has none and no other child holds it."""
    if not state_student_id or Child.objects.filter(state_student_id=state_student_id).exists():
        return False
    child = Child.objects.get(pk=child_pk)
    if child.state_student_id:
        return False
    child.state_student_id = state_student_id
    child.save(update_fields=["state_student_id"])
    audit.record(actor, "child.state_student_id_linked", "child", child.child_id, why="accepted worklist item",
                 before={"state_student_id": None}, after={"state_student_id": state_student_id})
    return True
