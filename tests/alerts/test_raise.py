import pytest

from mepsis.access.models import AuditEvent
from mepsis.alerts.actions import raise_alerts
from mepsis.alerts.models import Alert, AlertChild

pytestmark = pytest.mark.django_db

DISTRICT, RECRUITER, REINTERVIEW = (Alert.Kind.DISTRICT_ENROLLMENT, Alert.Kind.RECRUITER_ENROLLMENT,
                                    Alert.Kind.RECRUITER_REINTERVIEW)


def raised(run):
    """The run's alerts as {(kind, district id): sorted child ids}."""
    found = {}
    for entry in AlertChild.objects.filter(alert__run=run).select_related("alert__district", "child"):
        alert = entry.alert
        key = (alert.kind, alert.district.district_id if alert.district else None)
        found.setdefault(key, []).append(entry.child.child_id)
    for alert in Alert.objects.filter(run=run):
        found.setdefault((alert.kind, alert.district.district_id if alert.district else None), [])
    return {key: sorted(children) for key, children in found.items()}


def test_a_first_link_of_an_eligible_child_raises_one_district_alert_and_one_recruiter_alert(world):
    ana = world.certify("Ana")
    run = world.run()
    enrollment = world.enroll(ana, run)

    assert raise_alerts(run, actor="ingest") == 2

    assert raised(run) == {(DISTRICT, "5621"): [ana.child_id], (RECRUITER, None): [ana.child_id]}
    district_alert = Alert.objects.get(kind=DISTRICT)
    assert district_alert.acknowledged_at is None and district_alert.acknowledged_by == ""
    assert AlertChild.objects.get(alert=district_alert).enrollment == enrollment
    events = AuditEvent.objects.filter(action="alert.raised").order_by("object_id")
    assert [(e.actor, e.object_id, e.after) for e in events] == [
        ("ingest", str(district_alert.pk),
         {"kind": DISTRICT.value, "district_id": "5621", "run": run.pk, "children": 1}),
        ("ingest", str(Alert.objects.get(kind=RECRUITER).pk),
         {"kind": RECRUITER.value, "district_id": None, "run": run.pk, "children": 1}),
    ]


def test_a_second_enrollment_in_the_same_district_and_year_in_a_later_run_raises_nothing(world):
    ana = world.certify("Ana")
    first = world.run()
    world.enroll(ana, first, entry="2025-09-02", exit="2025-12-19")
    raise_alerts(first, actor="ingest")
    later = world.run()
    world.enroll(ana, later, entry="2026-01-05")

    assert raise_alerts(later, actor="ingest") == 0

    assert raised(later) == {}
    assert not AuditEvent.objects.filter(action="alert.raised", after__run=later.pk).exists()


def test_the_same_child_in_the_same_district_next_school_year_is_new_again(world):
    ana = world.certify("Ana")
    first = world.run()
    world.enroll(ana, first, school_year="2025-26", entry="2025-09-02")
    raise_alerts(first, actor="ingest")
    later = world.run()
    world.enroll(ana, later, school_year="2026-27", entry="2026-09-01")

    raise_alerts(later, actor="ingest")

    assert raised(later) == {(DISTRICT, "5621"): [ana.child_id], (RECRUITER, None): [ana.child_id]}


def test_a_child_in_two_districts_raises_one_alert_in_each_and_is_listed_once_for_the_recruiters(world):
    ana = world.certify("Ana")
    run = world.run()
    world.enroll(ana, run, district="5621", entry="2025-09-02", exit="2025-10-31")
    world.enroll(ana, run, district="3619", entry="2025-11-03")

    assert raise_alerts(run, actor="ingest") == 3

    assert raised(run) == {(DISTRICT, "5621"): [ana.child_id], (DISTRICT, "3619"): [ana.child_id],
                           (RECRUITER, None): [ana.child_id]}


def test_a_district_alert_lists_its_new_children_once_each_with_their_earliest_enrollment(world):
    ana, mateo = world.certify("Ana"), world.certify("Mateo")
    run = world.run()
    later = world.enroll(ana, run, entry="2025-11-03")
    earliest = world.enroll(ana, run, entry="2025-09-02", exit="2025-10-31")
    world.enroll(mateo, run, entry="2025-09-02")

    assert raise_alerts(run, actor="ingest") == 2

    assert raised(run) == {(DISTRICT, "5621"): sorted([ana.child_id, mateo.child_id]),
                           (RECRUITER, None): sorted([ana.child_id, mateo.child_id])}
    assert set(AlertChild.objects.filter(child=ana).values_list("enrollment", flat=True)) == {earliest.pk}
    assert later.pk != earliest.pk


def test_an_enrollment_entirely_after_eligibility_ended_raises_a_reinterview_alert_and_no_district_alert(world):
    # QAD 2021-06-01: the last eligible day is 2024-05-31.
    luis = world.certify("Luis", qad="2021-06-01")
    run = world.run()
    world.enroll(luis, run, school_year="2024-25", entry="2024-09-03")

    assert raise_alerts(run, actor="ingest") == 1

    assert raised(run) == {(REINTERVIEW, None): [luis.child_id]}
    event = AuditEvent.objects.get(action="alert.raised")
    assert event.after == {"kind": REINTERVIEW.value, "district_id": None, "run": run.pk, "children": 1}


def test_an_enrollment_overlapping_the_last_eligible_day_by_one_day_raises_a_district_alert(world):
    luis = world.certify("Luis", qad="2021-06-01")  # last eligible day 2024-05-31
    run = world.run()
    world.enroll(luis, run, school_year="2023-24", entry="2024-05-31")

    raise_alerts(run, actor="ingest")

    assert raised(run) == {(DISTRICT, "5621"): [luis.child_id], (RECRUITER, None): [luis.child_id]}


def test_an_enrollment_that_exits_the_day_before_eligibility_starts_raises_nothing(world):
    ana = world.certify("Ana", qad="2026-06-01")
    run = world.run()
    world.enroll(ana, run, school_year="2025-26", entry="2025-09-02", exit="2026-05-31")

    assert raise_alerts(run, actor="ingest") == 0


def test_an_open_enrollment_runs_to_the_end_of_its_school_year(world):
    ana = world.certify("Ana", qad="2026-06-01")  # eligible from 2026-06-01, inside 2025-26 (ends June 30)
    run = world.run()
    world.enroll(ana, run, school_year="2025-26", entry="2025-09-02")

    raise_alerts(run, actor="ingest")

    assert raised(run) == {(DISTRICT, "5621"): [ana.child_id], (RECRUITER, None): [ana.child_id]}


def test_a_new_coe_after_an_ended_one_makes_the_child_eligible_again_and_not_a_reinterview(world):
    luis = world.certify("Luis", "1111111111", qad="2021-06-01")
    again = world.certify("Luis", "1111111111", qad="2025-06-01")
    assert again == luis
    run = world.run()
    world.enroll(luis, run, entry="2025-09-02")

    raise_alerts(run, actor="ingest")

    assert raised(run) == {(DISTRICT, "5621"): [luis.child_id], (RECRUITER, None): [luis.child_id]}


@pytest.mark.parametrize("status, void_reason", [("void", "FOUND_INELIGIBLE"), ("void", "DUPLICATE"),
                                                 ("submitted", None), ("returned", None), ("rejected", None),
                                                 ("draft", None)])
def test_a_void_or_not_approved_coe_gives_no_alert(world, status, void_reason):
    for qad in ("2025-06-01", "2021-06-01"):  # eligible on the enrollment's days, or ended before them
        child = world.certify("Ana", qad=qad, status=status, void_reason=void_reason)
        run = world.run()
        world.enroll(child, run, entry="2025-09-02")

        assert raise_alerts(run, actor="ingest") == 0


def test_only_links_made_by_this_run_raise_alerts(world):
    ana, mateo = world.certify("Ana"), world.certify("Mateo")
    earlier = world.run()
    world.enroll(ana, earlier)
    run = world.run()
    world.enroll(mateo, run, linked=False)

    assert raise_alerts(run, actor="ingest") == 0


def test_a_run_with_new_children_and_reinterviews_raises_all_three_kinds(world):
    ana, luis = world.certify("Ana"), world.certify("Luis", qad="2021-06-01")
    run = world.run()
    world.enroll(ana, run, district="3619")
    world.enroll(luis, run, district="5621")

    assert raise_alerts(run, actor="ingest") == 3

    assert raised(run) == {(DISTRICT, "3619"): [ana.child_id], (RECRUITER, None): [ana.child_id],
                           (REINTERVIEW, None): [luis.child_id]}


def test_raising_alerts_takes_the_same_few_queries_for_one_enrollment_or_many(world, django_assert_max_num_queries):
    children = [world.certify(f"Child{n}") for n in range(12)]
    ended = [world.certify(f"Ended{n}", qad="2021-06-01") for n in range(4)]
    one = world.run()
    world.enroll(children[0], one)
    world.enroll(ended[0], one)
    many = world.run()
    for number, child in enumerate(children[1:] + ended[1:]):
        world.enroll(child, many, district=("5621", "3619", "1000")[number % 3])
        world.enroll(child, many, district=("5621", "3619", "1000")[number % 3], entry="2025-10-01")

    # The audit log's hash chain reads its last hash (and on PostgreSQL takes its lock) before appending.
    with django_assert_max_num_queries(9) as small:
        assert raise_alerts(one, actor="ingest") == 3
    with django_assert_max_num_queries(9) as large:
        assert raise_alerts(many, actor="ingest") == 5

    assert len(small.captured_queries) == len(large.captured_queries)
    assert AlertChild.objects.filter(alert__run=many, alert__kind=DISTRICT).count() == 11
    assert AlertChild.objects.filter(alert__run=many, alert__kind=REINTERVIEW).count() == 3


def test_a_child_linked_while_ineligible_then_certified_again_alerts_the_district_on_the_next_run(world):
    pedro = world.certify("Pedro", qad="2021-06-01")
    first = world.run()
    world.enroll(pedro, first)
    raise_alerts(first, actor="ingest")
    assert raised(first) == {(REINTERVIEW, None): [pedro.child_id]}
    recertified = world.certify("Pedro", state_student_id=pedro.state_student_id, qad="2025-06-01")
    assert recertified == pedro, "the new COE lists the same child (same state student id)"

    second = world.run()

    assert raise_alerts(second, actor="ingest") == 2
    assert raised(second) == {(DISTRICT, "5621"): [pedro.child_id], (RECRUITER, None): [pedro.child_id]}
    assert raise_alerts(world.run(), actor="ingest") == 0, "a child is alerted once per district and year"
