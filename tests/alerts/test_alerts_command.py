import datetime as dt

import pytest

from mepsis.access.models import AuditEvent
from mepsis.alerts.actions import raise_alerts
from mepsis.alerts.models import Alert
from mepsis.alerts.queries import alerts

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_runs(world):
    """A first run with Ana in 5621 and Luis (eligibility ended) in 3619; a later run with Mateo in 5621."""
    ana, luis, mateo = world.certify("Ana"), world.certify("Luis", qad="2021-06-01"), world.certify("Mateo")
    first = world.run()
    world.enroll(ana, first, district="5621")
    world.enroll(luis, first, district="3619")
    raise_alerts(first, actor="ingest")
    later = world.run()
    world.enroll(mateo, later, district="5621", entry="2025-10-06")
    raise_alerts(later, actor="ingest")
    return ana, luis, mateo


def test_alerts_lists_every_alert_newest_first_with_its_children_as_json(mepsis, two_runs):
    ana, luis, mateo = two_runs

    ran = mepsis("alerts", "list", "--format", "json")

    assert ran.code == 0, ran.err
    listed = ran.json()
    assert [(a["kind"], a["district_id"]) for a in listed] == [
        ("recruiter_enrollment", None), ("district_enrollment", "5621"),
        ("recruiter_reinterview", None), ("recruiter_enrollment", None), ("district_enrollment", "5621")]
    newest = listed[1]
    assert set(newest) == {"id", "kind", "district_id", "run", "raised", "acknowledged_at", "acknowledged_by",
                           "children"}
    assert (newest["acknowledged_at"], newest["acknowledged_by"]) == (None, None)
    assert dt.datetime.fromisoformat(newest["raised"]).tzinfo is not None
    assert newest["children"] == [{"child_id": mateo.child_id, "state_student_id": mateo.state_student_id,
                                   "first_name": "Mateo", "last_name_1": "García", "school_id": "5621-01",
                                   "entry_date": "2025-10-06"}]
    assert [c["child_id"] for c in listed[2]["children"]] == [luis.child_id]
    assert "5 alerts." in ran.err


def test_alerts_list_filters_by_district_and_by_open(mepsis, two_runs):
    ana, _, mateo = two_runs
    first_district_alert = Alert.objects.filter(district__district_id="5621").order_by("pk").first()
    assert mepsis("alerts", "acknowledge", first_district_alert.pk).code == 0

    in_5621 = mepsis("alerts", "list", "--district", "5621", "--format", "json").json()
    open_in_5621 = mepsis("alerts", "list", "--district", "5621", "--open", "--format", "json").json()
    open_anywhere = mepsis("alerts", "list", "--open", "--format", "json").json()

    assert [[c["child_id"] for c in a["children"]] for a in in_5621] == [[mateo.child_id], [ana.child_id]]
    assert in_5621[1]["acknowledged_by"].startswith("cli:")
    assert [[c["child_id"] for c in a["children"]] for a in open_in_5621] == [[mateo.child_id]]
    assert first_district_alert.pk not in {a["id"] for a in open_anywhere} and len(open_anywhere) == 4
    assert mepsis("alerts", "list", "--district", "3619", "--format", "json").json() == []


def test_alerts_list_of_an_unknown_district_says_so(mepsis, two_runs):
    ran = mepsis("alerts", "list", "--district", "9999")

    assert ran.code == 1
    assert "no district 9999" in ran.err


def test_alerts_list_in_text_gives_one_readable_block_per_alert(mepsis, two_runs):
    ana, luis, mateo = two_runs

    ran = mepsis("alerts", "list", "--district", "5621")

    assert ran.code == 0
    blocks = [block for block in ran.out.split("\n\n") if block.strip()]
    assert len(blocks) == 2
    assert "Migrant Student Enrollment Alert, for 5621 District 5621" in blocks[0]
    assert "OPEN" in blocks[0] and "1 child:" in blocks[0]
    assert f"{mateo.child_id}  Mateo García  state student id {mateo.state_student_id}  school 5621-01  " \
           f"entered 2025-10-06" in blocks[0]
    assert ana.child_id in blocks[1]


def test_listing_alerts_is_written_to_the_audit_log_because_they_name_children(mepsis, two_runs):
    mepsis("alerts", "list", "--district", "5621", "--open")

    event = AuditEvent.objects.get(action="alert.listed")
    assert event.actor.startswith("cli:")
    assert event.after == {"district_id": "5621", "open_only": True,
                           "alerts": list(alerts("5621", open_only=True).values_list("pk", flat=True))}


def test_alerts_acknowledge_and_unacknowledge_from_the_command_line(mepsis, two_runs):
    alert = Alert.objects.filter(kind=Alert.Kind.RECRUITER_REINTERVIEW).get()

    acknowledged = mepsis("alerts", "acknowledge", alert.pk)
    again = mepsis("alerts", "acknowledge", alert.pk)
    listed = mepsis("alerts", "list", "--format", "json").json()
    reopened = mepsis("alerts", "unacknowledge", alert.pk)
    reopened_again = mepsis("alerts", "unacknowledge", alert.pk)

    assert acknowledged.code == 0 and f"Alert {alert.pk} acknowledged by cli:" in acknowledged.err
    assert again.code == 1 and "already acknowledged" in again.err
    (shown,) = [a for a in listed if a["id"] == alert.pk]
    assert shown["acknowledged_at"] and shown["acknowledged_by"].startswith("cli:")
    assert reopened.code == 0 and "open again" in reopened.err
    assert reopened_again.code == 1 and "is open" in reopened_again.err
    assert Alert.objects.get(pk=alert.pk).acknowledged_at is None
    assert [e.action for e in AuditEvent.objects.filter(object_type="alert", object_id=str(alert.pk))
            .exclude(action="alert.raised").order_by("pk")] == ["alert.acknowledged", "alert.unacknowledged"]


def test_acknowledging_an_unknown_alert_fails_with_a_message(mepsis):
    ran = mepsis("alerts", "acknowledge", "424242")

    assert ran.code == 1 and "There is no alert 424242" in ran.err


@pytest.mark.parametrize("argv", [["alerts", "--help"], ["alerts", "list", "--help"],
                                  ["alerts", "acknowledge", "--help"], ["alerts", "unacknowledge", "--help"]])
def test_alerts_commands_describe_themselves(mepsis, argv):
    ran = mepsis(*argv)

    assert ran.code == 0 and "usage: mepsis alerts" in ran.out


def test_mepsis_help_lists_the_alerts_command(mepsis):
    assert "\n  alerts " in mepsis("--help").out
