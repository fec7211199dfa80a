import datetime as dt

import pytest
from django.db import connection

from mepsis.access.audit import verify_chain
from mepsis.access.models import AppendOnly, AuditEvent
from mepsis.registry import actions
from mepsis.registry.actions import ActionRefused
from mepsis.registry.models import Coe, CoeChild
from mepsis.registry.queries import eligibility_intervals, eligible_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(example_coe):
    document = example_coe()
    document["status"] = "draft"
    del document["signatures"]["reviewer"]
    actions.save_coes([("test", document)], actor="recruiter", why="written in the field")
    return document


def coe():
    return Coe.objects.get(coe_id="WI-2025-000123")


def test_a_coe_goes_from_draft_through_return_to_approval_and_each_step_is_audited(draft):
    actions.submit_coe("WI-2025-000123", actor="recruiter")
    actions.return_coe("WI-2025-000123", actor="reviewer", reasons=["Say which orchard in the comments."])
    assert (coe().status, coe().return_reasons) == ("returned", ["Say which orchard in the comments."])

    actions.revise_coe("WI-2025-000123", {**draft, "comments": "Cherry orchard on Hwy 42."}, actor="recruiter")
    actions.submit_coe("WI-2025-000123", actor="recruiter")
    actions.approve_coe("WI-2025-000123", actor="reviewer", reviewer_name="J. Lee", on=dt.date(2025, 6, 24))

    approved = coe()
    assert (approved.status, approved.version, approved.return_reasons) == ("approved", 3, [])
    assert actions.current_document(approved)["signatures"]["reviewer"] == {"name": "J. Lee", "date": "2025-06-24"}
    assert list(AuditEvent.objects.filter(object_id="WI-2025-000123").order_by("pk").values_list("action", flat=True)) == [
        "coe.created", "coe.submitted", "coe.returned", "coe.revised", "coe.submitted", "coe.revised",
    ]
    assert verify_chain()[1] is None  # every step's event is a link of the chain


def test_a_return_without_reasons_is_refused(draft):
    actions.submit_coe("WI-2025-000123", actor="recruiter")

    with pytest.raises(ActionRefused, match="must say what to correct"):
        actions.return_coe("WI-2025-000123", actor="reviewer", reasons=["  "])
    assert coe().status == "submitted"


def test_a_coe_with_errors_cannot_be_submitted(draft):
    actions.revise_coe("WI-2025-000123", {**draft, "qualifying_move": {**draft["qualifying_move"], "prong": "actively_sought", "recent_history_of_moves": False}}, actor="recruiter")

    with pytest.raises(ActionRefused) as refused:
        actions.submit_coe("WI-2025-000123", actor="recruiter")
    assert "NO_RECENT_HISTORY" in [error["code"] for error in refused.value.errors]
    assert coe().status == "draft"


@pytest.mark.parametrize("step", ["approve", "return", "reject"])
def test_only_a_submitted_coe_can_be_reviewed(draft, step):
    with pytest.raises(ActionRefused, match="is draft"):
        if step == "approve":
            actions.approve_coe("WI-2025-000123", actor="reviewer", reviewer_name="J. Lee", on=dt.date(2025, 6, 24))
        elif step == "return":
            actions.return_coe("WI-2025-000123", actor="reviewer", reasons=["fix"])
        else:
            actions.reject_coe("WI-2025-000123", actor="reviewer", why="not qualifying")


def test_a_rejected_coe_cannot_be_edited(draft):
    actions.submit_coe("WI-2025-000123", actor="recruiter")
    actions.reject_coe("WI-2025-000123", actor="reviewer", why="the family moved within the district")

    with pytest.raises(ActionRefused, match="is rejected"):
        actions.revise_coe("WI-2025-000123", draft, actor="recruiter")


@pytest.fixture
def approved(example_coe):
    actions.save_coes([("test", example_coe())], actor="importer", why="legacy")
    return example_coe()


def test_a_correction_of_an_approved_coe_must_say_why_and_keeps_the_old_version(approved):
    corrected = {**approved, "comments": "Phone corrected."}
    with pytest.raises(ActionRefused, match="must say why"):
        actions.revise_coe("WI-2025-000123", corrected, actor="reviewer")

    actions.revise_coe("WI-2025-000123", corrected, actor="reviewer", why="parent called with a new phone")

    assert coe().version == 2 and coe().status == "approved"
    assert coe().versions.get(number=1).document["comments"] == ""


def test_a_correction_that_breaks_a_rule_is_refused_and_changes_nothing(approved):
    broken = {**approved, "qualifying_move": {**approved["qualifying_move"], "qad": "2025-07-01"}}

    with pytest.raises(ActionRefused) as refused:
        actions.revise_coe("WI-2025-000123", broken, actor="reviewer", why="typo")
    assert {error["code"] for error in refused.value.errors} >= {"QAD_AFTER_RESIDENCY"}
    assert coe().version == 1


def test_high_school_completion_ends_eligibility_on_that_day_in_a_new_version(approved):
    actions.record_end_of_eligibility("WI-2025-000123", 0, reason="HS_COMPLETION", on=dt.date(2026, 5, 29),
                                      actor="reviewer", why="diploma on file")

    entry = CoeChild.objects.get()
    assert (str(entry.last_eligible_day), entry.end_reason) == ("2026-05-29", "HS_COMPLETION")
    intervals = eligibility_intervals(entry.child)
    assert eligible_on(intervals, dt.date(2026, 5, 29)) and not eligible_on(intervals, dt.date(2026, 5, 30))
    assert coe().version == 2


def test_a_death_is_recorded_as_the_end_of_eligibility(approved):
    actions.record_end_of_eligibility("WI-2025-000123", 0, reason="DEATH", on=dt.date(2025, 12, 1),
                                      actor="reviewer", why="reported by the district")

    entry = CoeChild.objects.get()
    assert (str(entry.last_eligible_day), entry.end_reason) == ("2025-12-01", "DEATH")


def test_an_end_of_eligibility_before_the_interview_is_refused(approved):
    with pytest.raises(ActionRefused) as refused:
        actions.record_end_of_eligibility("WI-2025-000123", 0, reason="HS_COMPLETION", on=dt.date(2025, 6, 10),
                                          actor="reviewer", why="diploma")
    assert [error["code"] for error in refused.value.errors] == ["ELIGIBILITY_ENDED"]


def test_voiding_a_coe_found_ineligible_removes_every_eligible_day(approved):
    actions.void_coe("WI-2025-000123", actor="reviewer", reason="FOUND_INELIGIBLE",
                     why="re-interview: the family did not move for work")

    entry = CoeChild.objects.get()
    assert (entry.eligibility_start, entry.end_reason) == (None, "FOUND_INELIGIBLE")
    assert not eligible_on(eligibility_intervals(entry.child), dt.date(2025, 7, 1))
    event = AuditEvent.objects.get(action="coe.void")
    assert (event.before["status"], event.after["void_reason"]) == ("approved", "FOUND_INELIGIBLE")


def test_a_void_for_another_reason_keeps_the_interval_but_it_no_longer_counts(approved):
    actions.void_coe("WI-2025-000123", actor="reviewer", reason="DUPLICATE", why="same move as WI-2025-000100")

    entry = CoeChild.objects.get()
    assert entry.eligibility_start is not None
    assert not eligible_on(eligibility_intervals(entry.child), dt.date(2025, 7, 1))


def test_the_audit_log_refuses_to_be_changed_or_deleted(approved):
    event = AuditEvent.objects.first()
    event.why = "rewritten"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().update(why="x")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_on_postgresql_the_database_itself_refuses_to_change_the_audit_log(approved):
    from django.db import DatabaseError, transaction

    for statement in ("UPDATE access_auditevent SET why = 'x'", "DELETE FROM access_auditevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
