import pytest

from mepsis.access.models import AuditEvent
from mepsis.alerts.actions import acknowledge_alert, raise_alerts, unacknowledge_alert
from mepsis.alerts.models import Alert
from mepsis.registry.actions import ActionRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(world):
    run = world.run()
    world.enroll(world.certify("Ana"), run)
    raise_alerts(run, actor="ingest")
    return Alert.objects.get(kind=Alert.Kind.DISTRICT_ENROLLMENT)


def test_acknowledging_an_alert_records_who_and_when_in_the_alert_and_the_audit_log(alert):
    acknowledge_alert(alert.pk, actor="maria@5621")

    alert.refresh_from_db()
    assert alert.acknowledged_by == "maria@5621" and alert.acknowledged_at is not None
    event = AuditEvent.objects.get(action="alert.acknowledged")
    assert (event.actor, event.object_type, event.object_id) == ("maria@5621", "alert", str(alert.pk))
    assert event.before == {"acknowledged_at": None, "acknowledged_by": None}
    assert event.after == {"acknowledged_at": alert.acknowledged_at.isoformat(), "acknowledged_by": "maria@5621"}


def test_unacknowledging_reopens_the_alert_and_is_audited_with_what_it_was(alert):
    acknowledge_alert(alert.pk, actor="maria@5621")
    acknowledged_at = Alert.objects.get(pk=alert.pk).acknowledged_at

    unacknowledge_alert(str(alert.pk), actor="lee@state")

    alert.refresh_from_db()
    assert (alert.acknowledged_at, alert.acknowledged_by) == (None, "")
    event = AuditEvent.objects.get(action="alert.unacknowledged")
    assert event.actor == "lee@state"
    assert event.before == {"acknowledged_at": acknowledged_at.isoformat(), "acknowledged_by": "maria@5621"}
    assert event.after == {"acknowledged_at": None, "acknowledged_by": None}


def test_acknowledging_twice_is_refused_and_keeps_the_first_acknowledgement(alert):
    acknowledge_alert(alert.pk, actor="maria@5621")

    with pytest.raises(ActionRefused, match="already acknowledged by maria@5621"):
        acknowledge_alert(alert.pk, actor="someone@else")

    assert Alert.objects.get(pk=alert.pk).acknowledged_by == "maria@5621"
    assert AuditEvent.objects.filter(action="alert.acknowledged").count() == 1


def test_unacknowledging_an_open_alert_is_refused_and_changes_nothing(alert):
    with pytest.raises(ActionRefused, match="is open"):
        unacknowledge_alert(alert.pk, actor="lee@state")

    assert not AuditEvent.objects.filter(action="alert.unacknowledged").exists()


@pytest.mark.parametrize("alert_id", [999999, "abc", "", "-1", "99999999999999999999"])
def test_acknowledging_an_alert_that_does_not_exist_is_refused(alert_id):
    with pytest.raises(ActionRefused, match="There is no alert"):
        acknowledge_alert(alert_id, actor="maria@5621")
