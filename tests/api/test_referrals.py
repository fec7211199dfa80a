import pytest

from mepsis.access.models import AuditEvent, Role
from mepsis.alerts.actions import ActionRefused, assign_referral, close_referral, record_referral_interview
from mepsis.alerts.models import Referral

pytestmark = pytest.mark.django_db


def test_district_staff_refer_a_family_of_their_district_and_it_is_audited(state, as_role):
    school = state.districts["9001"].schools.get()
    response = as_role(Role.DISTRICT_STAFF).post("/api/v1/referrals/", {
        "district_id": "9001", "school_id": school.school_id, "family_name": "Familia Pérez",
        "child_names": ["Luis Pérez", " "], "contact": "920-555-0142", "notes": "Moved for the cherry harvest."},
        format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["district_id"], body["school_id"], body["status"], body["created_by"], body["child_names"]) == (
        "9001", school.school_id, "open", "district_staff", ["Luis Pérez"])
    event = AuditEvent.objects.get(action="referral.created")
    assert (event.actor, event.object_id, event.after["status"]) == ("district_staff", str(body["id"]), "open")


@pytest.mark.parametrize("body, field", [
    ({"district_id": "9002", "family_name": "F", "contact": "555"}, "district_id"),
    ({"district_id": "9001", "school_id": "9002-01", "family_name": "F", "contact": "555"}, "school_id"),
    ({"district_id": "9001", "contact": "555"}, "family_name"),
    ({"district_id": "9001", "family_name": "F", "contact": " "}, "contact"),
])
def test_a_referral_outside_the_staffs_district_or_incomplete_is_refused_field_by_field(state, as_role, body, field):
    before = Referral.objects.count()

    response = as_role(Role.DISTRICT_STAFF).post("/api/v1/referrals/", body, format="json")

    assert response.status_code == 400
    assert field in [error["field"] for error in response.json()["errors"]]
    assert Referral.objects.count() == before


def test_a_recruiter_takes_a_referral_interviews_the_family_and_closes_it_with_the_coe(state, as_role):
    recruiter = as_role(Role.RECRUITER)
    referral = state.referrals["d1"]
    url = f"/api/v1/referrals/{referral.pk}/"

    assert recruiter.post(url + "assign/", {}, format="json").json()["assigned_to"] == "recruiter"
    interviewed = recruiter.post(url + "interviewed/", {"coe_id": state.coes["recruiters"].coe_id}, format="json")
    assert (interviewed.json()["status"], interviewed.json()["outcome_coe_id"]) == (
        "interviewed", state.coes["recruiters"].coe_id)
    closed = recruiter.post(url + "close/", {"why": "Certified."}, format="json").json()
    assert (closed["status"], closed["closing_note"]) == ("closed", "Certified.")

    assert list(AuditEvent.objects.filter(object_type="referral", object_id=str(referral.pk))
                .order_by("pk").values_list("action", flat=True)) == [
        "referral.assigned", "referral.interviewed", "referral.closed"]
    assert recruiter.post(url + "close/", {"why": "again"}, format="json").status_code == 400


def test_a_referral_is_assigned_only_to_a_recruiter(state):
    with pytest.raises(ActionRefused, match="not a recruiter"):
        assign_referral(state.referrals["d1"].pk, recruiter=state.users[Role.DISTRICT_STAFF],
                        by=state.users[Role.REVIEWER])
    assert Referral.objects.get(pk=state.referrals["d1"].pk).status == "open"


def test_an_open_referral_cannot_be_marked_interviewed_and_closing_says_why(state):
    user = state.users[Role.RECRUITER]
    with pytest.raises(ActionRefused, match="cannot be changed that way"):
        record_referral_interview(state.referrals["d1"].pk, by=user)
    with pytest.raises(ActionRefused, match="must say why"):
        close_referral(state.referrals["d1"].pk, by=user, why="  ")
    assert not AuditEvent.objects.filter(object_type="referral").exists()
