"""`mepsis services continue` and `end-continuation`: a reviewer's continuation of services (ESEA 1304(e))."""

import datetime as dt

import pytest
from service_rows import service

from mepsis.access.models import AuditEvent
from mepsis.delivery.actions import end_continuation, record_continuation, record_services
from mepsis.delivery.models import ContinuationOfServices
from mepsis.registry.actions import ActionRefused

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def test_a_reviewer_records_a_continuation_until_the_end_of_the_term(world, mepsis):
    ana = world.certify(qad="2021-11-01")  # last eligible day 2024-10-31, in the fall term

    ran = mepsis("services", "continue", ana.child_id, "--reason", "SCHOOL_TERM", "--from", "2024-11-01",
                 "--to", "2024-12-31", "--why", "ceased to be migratory in the fall term")

    assert ran.code == 0, ran.err
    stored = ContinuationOfServices.objects.get()
    assert (stored.reason, stored.begin_date, stored.end_date) == ("SCHOOL_TERM", D("2024-11-01"), D("2024-12-31"))
    assert ran.json()["continuation_id"] == stored.pk
    assert AuditEvent.objects.filter(action="continuation.recorded", object_id=str(stored.pk)).exists()


def test_the_edfi_code_value_names_the_reason_too(world, mepsis):
    ana = world.certify(qad="2021-11-01")
    ran = mepsis("services", "continue", ana.child_id, "--reason", "Ceased to be migratory during previous term",
                 "--from", "2025-01-06", "--to", "2025-12-31", "--why", "no comparable services")
    assert ran.code == 0, ran.err
    assert ContinuationOfServices.objects.get().reason == "PREVIOUS_TERM"


def test_a_continuation_past_its_reasons_limit_is_refused_with_the_limit(world, mepsis):
    ana = world.certify(qad="2021-11-01")
    ran = mepsis("services", "continue", ana.child_id, "--reason", "SCHOOL_TERM", "--from", "2024-11-01",
                 "--to", "2025-01-01", "--why", "x")
    assert ran.code == 1
    assert "end_date" in ran.err and "2024-12-31" in ran.err
    assert not ContinuationOfServices.objects.exists()


def test_credit_accrual_needs_a_secondary_student(world):
    ana = world.certify(qad="2021-11-01", birth_date="2008-03-02", grade="10")
    record_continuation(ana.child_id, reason="SECONDARY_CREDIT", begin=D("2024-11-01"), end=D("2026-06-30"),
                        actor="r", why="credit accrual")
    young = world.certify("Eva", "5550002222", qad="2021-11-01", grade="06")
    with pytest.raises(ActionRefused) as refused:
        record_continuation(young.child_id, reason="SECONDARY_CREDIT", begin=D("2024-11-01"), end=D("2025-06-30"),
                            actor="r", why="credit accrual")
    assert refused.value.errors[0]["code"] == "NOT_SECONDARY"


def test_the_latest_enrollment_gives_the_grade(world):
    ana = world.certify(qad="2021-11-01", birth_date="2009-03-02", grade="08")
    world.enroll(ana, entry="2024-09-03", school_year="2024-25", grade="09")
    record_continuation(ana.child_id, reason="SECONDARY_CREDIT", begin=D("2024-11-01"), end=D("2025-06-30"),
                        actor="r", why="credit accrual")


def test_a_graduate_accrues_no_credit_after_graduation(world):
    ana = world.certify(qad="2021-11-01", birth_date="2007-03-02", grade="12", hs_completion_date="2025-06-01")
    with pytest.raises(ActionRefused) as refused:
        record_continuation(ana.child_id, reason="SECONDARY_CREDIT", begin=D("2024-11-01"), end=D("2025-06-30"),
                            actor="r", why="credit accrual")
    assert refused.value.errors[0]["code"] == "CONTINUATION_TOO_LONG"


def test_an_unknown_child_or_a_missing_why_is_refused(world, mepsis):
    ran = mepsis("services", "continue", "NOPE", "--reason", "SCHOOL_TERM", "--from", "2024-11-01",
                 "--to", "2024-12-31", "--why", "x")
    assert ran.code == 1 and "NOPE" in ran.err
    ana = world.certify(qad="2021-11-01")
    with pytest.raises(ActionRefused):
        record_continuation(ana.child_id, reason="SCHOOL_TERM", begin=D("2024-11-01"), end=D("2024-12-31"),
                            actor="r", why=" ")


def test_an_unknown_reason_is_a_usage_error(mepsis):
    ran = mepsis("services", "continue", "C1", "--reason", "BORED", "--from", "2024-11-01", "--to", "2024-12-31",
                 "--why", "x")
    assert ran.code == 2


def test_ending_a_continuation_keeps_it_with_who_and_why(world, mepsis):
    ana = world.certify(qad="2021-11-01")
    continuation = record_continuation(ana.child_id, reason="PREVIOUS_TERM", begin=D("2025-01-06"),
                                       end=D("2025-12-31"), actor="r", why="no comparable services")

    ran = mepsis("services", "end-continuation", continuation.pk, "--on", "2025-06-30", "--why", "moved away")

    assert ran.code == 0, ran.err
    continuation.refresh_from_db()
    assert (continuation.end_date, continuation.ended_why) == (D("2025-06-30"), "moved away")
    assert continuation.ended_at is not None and continuation.ended_by.startswith("cli:")
    again = mepsis("services", "end-continuation", continuation.pk, "--on", "2025-06-01", "--why", "again")
    assert again.code == 1


def test_a_continuation_is_not_ended_before_a_service_under_it_ends(world):
    ana = world.certify(qad="2021-11-01")
    continuation = record_continuation(ana.child_id, reason="PREVIOUS_TERM", begin=D("2025-01-06"),
                                       end=D("2025-12-31"), actor="r", why="no comparable services")
    record_services([service(begin_date="2025-02-01", end_date="2025-08-01")], actor="t")
    with pytest.raises(ActionRefused):
        end_continuation(continuation.pk, on=D("2025-06-30"), actor="r", why="moved away")
    end_continuation(continuation.pk, on=D("2025-08-01"), actor="r", why="moved away")
