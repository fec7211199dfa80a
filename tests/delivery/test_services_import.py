"""`mepsis services import`: services recorded only for eligible days or under a continuation of services."""

import datetime as dt
from decimal import Decimal

import pytest
from service_rows import service

from mepsis.access.models import AuditEvent
from mepsis.delivery.actions import record_continuation, record_services
from mepsis.delivery.models import Project, Service
from mepsis.registry.actions import void_coe

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def test_it_records_services_named_by_coe_and_index_or_by_state_student_id(world, mepsis):
    ana = world.certify()
    coe_id = ana.coe_entries.get().coe.coe_id
    path = world.services_file(service(), service(coe_id=coe_id, child_index="0", state_student_id="",
                                                  service="COUNSELSERV", hours=""))

    ran = mepsis("services", "import", path, "--format", "json")

    assert ran.code == 0, ran.err
    assert ran.json() | {"seconds": 0} == {"rows": 2, "accepted": 2, "rejected": 0, "new": 2, "updated": 0,
                                           "unchanged": 0, "projects_created": 1, "seconds": 0}
    stored = Service.objects.order_by("service")
    assert [(s.service, s.basis, s.coe.coe_id, s.hours) for s in stored] == [
        ("COUNSELSERV", "eligible", coe_id, None), ("READINSTR", "eligible", coe_id, Decimal("20.00"))]
    assert Project.objects.get().session_type == "regular"
    assert AuditEvent.objects.filter(action="services.recorded").count() == 1


def test_importing_the_same_file_again_changes_nothing(world, mepsis):
    world.certify()
    path = world.services_file(service(), service(service="MATHINSTR", hours="12.5"))
    mepsis("services", "import", path)

    again = mepsis("services", "import", path, "--format", "json").json()

    assert (again["new"], again["updated"], again["unchanged"], again["projects_created"]) == (0, 0, 2, 0)
    assert Service.objects.count() == 2


def test_a_row_that_says_something_new_updates_the_service_with_its_audit(world, mepsis):
    world.certify()
    mepsis("services", "import", world.services_file(service(hours="20")))

    ran = mepsis("services", "import", world.services_file(service(hours="25", end_date="2025-12-20")))

    assert ran.code == 0 and "1 updated" in ran.err
    stored = Service.objects.get()
    assert (stored.hours, stored.end_date) == (Decimal("25.00"), D("2025-12-20"))
    change = AuditEvent.objects.get(action="service.updated")
    assert (change.before["hours"], change.after["hours"]) == ("20.00", "25.00") or \
        (Decimal(change.before["hours"]), Decimal(change.after["hours"])) == (Decimal(20), Decimal(25))


def test_it_refuses_a_service_after_eligibility_ends_naming_file_line_and_field(world, mepsis):
    world.certify(qad="2022-07-01")  # last eligible day 2025-06-30
    path = world.services_file(
        service(project_id="SUMMER-25", session_type="summer", begin_date="2025-06-16", end_date="2025-06-30"),
        service(project_id="SUMMER-25", session_type="summer", begin_date="2025-07-01", end_date="2025-07-31",
                service="MATHINSTR"))

    ran = mepsis("services", "import", path)

    assert ran.code == 1
    assert f"{path}:3: begin_date:" in ran.err and "2025-07-01" in ran.err
    assert list(Service.objects.values_list("begin_date", flat=True)) == [D("2025-06-16")]


def test_a_summer_service_the_day_after_eligibility_ended_is_taken_under_a_continuation(world, mepsis):
    ana = world.certify(qad="2022-07-01")  # eligibility ends 2025-06-30, in the summer term
    continuation = record_continuation(ana.child_id, reason="SCHOOL_TERM", begin=D("2025-07-01"),
                                       end=D("2025-08-31"), actor="reviewer", why="ceased during the summer term")
    path = world.services_file(service(project_id="SUMMER-25", session_type="summer", begin_date="2025-07-01",
                                       end_date="2025-07-31"))

    ran = mepsis("services", "import", path)

    assert ran.code == 0, ran.err
    stored = Service.objects.get()
    assert (stored.basis, stored.continuation_id, stored.coe_id) == ("continuation", continuation.pk, None)


def test_a_child_served_only_under_continuation_has_only_continuation_services(world):
    ana = world.certify(qad="2022-07-01")
    record_continuation(ana.child_id, reason="PREVIOUS_TERM", begin=D("2025-09-01"), end=D("2026-06-30"),
                        actor="reviewer", why="no comparable services in the district")
    report = record_services([service(begin_date="2025-09-15", end_date="2025-12-15"),
                              service(service="SUPPSERV", hours="", begin_date="2026-01-10", end_date="2026-01-10")],
                             actor="tester")

    assert (report.new, report.rejected) == (2, 0)
    assert set(Service.objects.values_list("basis", flat=True)) == {"continuation"}
    assert not Service.objects.filter(coe__isnull=False).exists()


def test_a_service_across_two_back_to_back_coes_is_eligible(world):
    world.certify(qad="2022-01-01")  # eligible to 2024-12-31
    world.certify(qad="2025-01-01")  # the same child (same state student id) again
    report = record_services([service(begin_date="2024-12-01", end_date="2025-01-31")], actor="tester")
    assert (report.new, report.rejected) == (1, 0)
    assert Service.objects.get().basis == "eligible"


def test_a_service_that_spans_eligibility_and_a_continuation_is_a_continuation_service(world):
    ana = world.certify(qad="2022-07-01")
    continuation = record_continuation(ana.child_id, reason="SCHOOL_TERM", begin=D("2025-07-01"),
                                       end=D("2025-08-31"), actor="reviewer", why="ceased during the summer term")
    report = record_services([service(session_type="summer", project_id="S", begin_date="2025-06-20",
                                       end_date="2025-07-20")], actor="tester")
    assert report.rejected == 0
    stored = Service.objects.get()
    assert (stored.basis, stored.continuation_id, stored.coe.coe_id) == (
        "continuation", continuation.pk, ana.coe_entries.get().coe.coe_id)


def test_a_child_found_ineligible_gets_no_service(world):
    ana = world.certify()
    void_coe(ana.coe_entries.get().coe.coe_id, reason="FOUND_INELIGIBLE", actor="reviewer", why="re-interview")
    report = record_services([service()], actor="tester")
    assert report.rejected == 1 and "neither eligible" in report.refused[0][1]


@pytest.mark.parametrize("row, field", [
    (service(hours=""), "hours"),
    (service(hours="0"), "hours"),
    (service(hours="-2", service="SUPPSERV"), "hours"),
    (service(hours="many"), "hours"),
    (service(service="SWIM"), "service"),
    (service(session_type="winter"), "session_type"),
    (service(begin_date="2025-13-01"), "begin_date"),
    (service(end_date="2025-09-01"), "end_date"),
    (service(state_student_id="999"), "state_student_id"),
    (service(state_student_id=""), "child"),
    (service(coe_id="WI-NOPE", child_index="0", state_student_id=""), "coe_id"),
    (service(project_id=""), "project_id"),
])
def test_a_bad_row_is_refused_with_its_field_and_the_good_rows_are_kept(world, row, field):
    world.certify()
    report = record_services([service(service="COUNSELSERV", hours=""), row], actor="tester")
    assert report.rejected == 1 and report.new == 1
    assert any(line == 2 and reason.startswith(f"{field}:") for line, reason in report.refused), report.refused


def test_a_project_keeps_its_session_type(world):
    world.certify()
    record_services([service(project_id="P-1", session_type="regular")], actor="tester")
    report = record_services([service(project_id="P-1", session_type="summer", service="SUPPSERV", hours="")],
                             actor="tester")
    assert report.rejected == 1 and "is a regular project" in report.refused[0][1]


def test_the_same_service_twice_in_a_file_is_refused_the_second_time(world):
    world.certify()
    report = record_services([service(), service(hours="30")], actor="tester")
    assert report.refused == [(2, "row: is the same service (child, project, service, begin date) as line 1.")]


def test_a_coe_child_and_a_state_student_id_that_disagree_are_refused(world):
    world.certify()
    world.certify("Luis", "5550001111", qad="2025-05-01")
    coe_id = world.certify("Eva", "5550002222").coe_entries.get().coe.coe_id
    report = record_services([service(coe_id=coe_id, child_index="0", state_student_id="5550001111")], actor="t")
    assert report.rejected == 1 and report.refused[0][1].startswith("state_student_id:")


def test_a_file_that_cannot_be_read_or_lacks_columns_stops_with_exit_2(world, mepsis, tmp_path):
    missing = mepsis("services", "import", tmp_path / "nothing.csv")
    lacking = tmp_path / "lacking.csv"
    lacking.write_text("service,begin_date\nREADINSTR,2025-01-01\n")
    short = mepsis("services", "import", lacking)
    assert (missing.code, short.code) == (2, 2)
    assert "project_id" in short.err


def test_the_set_based_check_agrees_with_the_rule_row_by_row(world):
    """Random services for children with one COE, two back-to-back COEs, a gap, a continuation: the import's
    SQL decides most rows, and each must get the basis, COE and continuation rules.service_basis gives."""
    import random

    from mepsis.delivery.servicefile import continuations_of, eligibility_of
    from mepsis.rules import services as rules

    one = world.certify("Ana", "1000000001", qad="2022-07-01")
    two = world.certify("Bea", "1000000002", qad="2021-01-01")
    world.certify("Bea", "1000000002", qad="2024-01-01")
    gap = world.certify("Cai", "1000000003", qad="2020-01-01")
    world.certify("Cai", "1000000003", qad="2023-01-05")
    record_continuation(one.child_id, reason="PREVIOUS_TERM", begin=D("2025-07-01"), end=D("2026-05-31"),
                        actor="r", why="no comparable services")
    record_continuation(gap.child_id, reason="PREVIOUS_TERM", begin=D("2023-01-01"), end=D("2023-01-02"),
                        actor="r", why="no comparable services")
    rng = random.Random(7)
    rows = []
    for number in range(400):
        begin = D("2020-06-01") + dt.timedelta(days=rng.randrange(2400))
        rows.append(service(state_student_id=rng.choice(["1000000001", "1000000002", "1000000003"]),
                            service="SUPPSERV", hours="", project_id=f"P{number}", begin_date=begin.isoformat(),
                            end_date=(begin + dt.timedelta(days=rng.randrange(120))).isoformat()))
    report = record_services(rows, actor="t")

    children = [one.pk, two.pk, gap.pk]
    eligibility, continuations = eligibility_of(children), continuations_of(children)
    stored = {s.project.project_id: s for s in Service.objects.select_related("project")}
    refused_lines = {line for line, _reason in report.refused}
    by_student = {"1000000001": one.pk, "1000000002": two.pk, "1000000003": gap.pk}
    decided = {"eligible": 0, "continuation": 0, "refused": 0}
    for line, row in enumerate(rows, 1):
        child = by_student[row["state_student_id"]]
        expected = rules.service_basis(D(row["begin_date"]), D(row["end_date"]), eligibility.get(child, []),
                                       continuations.get(child, []))
        if isinstance(expected, rules.Refusal):
            assert line in refused_lines
            decided["refused"] += 1
        else:
            found = stored[row["project_id"]]
            assert (found.basis, found.coe_id, found.continuation_id) == (
                expected.basis, expected.coe_id, expected.continuation_id), row
            decided[expected.basis] += 1
    assert min(decided.values()) > 0, decided  # every outcome was exercised


@pytest.mark.parametrize("row, sentence", [
    (service(coe_id="WI-NOPE", child_index="3", state_student_id=""),
     'coe_id: COE "WI-NOPE" has no child at position 3.'),
    (service(state_student_id="999"), 'state_student_id: no certified child has the state student id "999".'),
    (service(session_type="winter"), 'session_type: must be regular or summer, not "winter".'),
    (service(begin_date="2025-13-01"), 'begin_date: must be a date written YYYY-MM-DD, not "2025-13-01".'),
])
def test_a_refusal_is_one_sentence_with_the_row_s_values_in_it(world, row, sentence):
    world.certify()
    report = record_services([row], actor="tester")
    assert sentence in [reason for _, reason in report.refused]
