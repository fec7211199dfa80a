import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from mepsis.access.models import AuditEvent, Role, RoleGrant
from mepsis.access.testing import make_user
from mepsis.alerts.models import Alert, AlertChild, Referral
from mepsis.reports.queries import MIGRANT_LIST_FIELDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(signed_in):
    return signed_in(Role.DISTRICT_STAFF)


def alert_ids(page) -> set[int]:
    return {int(found) for found in re.findall(r'id="alert-(\d+)"', page.content.decode())}


def test_district_staff_see_the_open_alerts_of_their_district_only(staff, state):
    page = staff.get(reverse("district_alerts"))

    assert page.status_code == 200
    assert alert_ids(page) == {state.alerts["d1"].pk}
    assert state.children["d1"].child_id in page.content.decode()


def test_an_acknowledged_alert_shows_under_all_alerts_but_not_under_open_ones(staff, state):
    staff.post(reverse("district_alert_acknowledge", args=[state.alerts["d1"].pk]))

    assert alert_ids(staff.get(reverse("district_alerts"))) == set()
    assert alert_ids(staff.get(reverse("district_alerts"), {"show": "all"})) == {state.alerts["d1"].pk}


@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.DISTRICT_SUMMARY, Role.AUDITOR])
def test_roles_that_do_not_acknowledge_alerts_may_not_enter_the_alerts_page(client, state, role):
    client.force_login(state.users[role])

    assert client.get(reverse("district_alerts")).status_code == 403
    assert client.post(reverse("district_alert_acknowledge", args=[state.alerts["d1"].pk])).status_code == 403


def test_acknowledging_with_htmx_answers_the_new_status_and_records_who_in_the_audit_log(staff, state):
    alert = state.alerts["d1"]

    answer = staff.post(reverse("district_alert_acknowledge", args=[alert.pk]), HTTP_HX_REQUEST="true")

    assert answer.status_code == 200
    assert "acknowledged" in answer.content.decode() and "<html" not in answer.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_by == Role.DISTRICT_STAFF.value
    assert AuditEvent.objects.get(action="alert.acknowledged").actor == Role.DISTRICT_STAFF.value


def test_acknowledging_twice_says_who_did_it_first_and_changes_nothing(staff, state):
    alert = state.alerts["d1"]
    staff.post(reverse("district_alert_acknowledge", args=[alert.pk]))

    again = staff.post(reverse("district_alert_acknowledge", args=[alert.pk]), HTTP_HX_REQUEST="true")

    assert "already acknowledged by district_staff" in again.content.decode()
    assert AuditEvent.objects.filter(action="alert.acknowledged").count() == 1


@pytest.mark.parametrize("name", ["d2", "recruiters"])
def test_acknowledging_an_alert_of_another_district_answers_404_and_changes_nothing(staff, state, name):
    alert = state.alerts[name]

    assert staff.post(reverse("district_alert_acknowledge", args=[alert.pk])).status_code == 404
    assert Alert.objects.get(pk=alert.pk).acknowledged_at is None


def test_acknowledging_needs_the_csrf_token_and_a_post(state):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(state.users[Role.DISTRICT_STAFF])
    url = reverse("district_alert_acknowledge", args=[state.alerts["d1"].pk])

    assert browser.post(url).status_code == 403
    assert browser.get(url).status_code == 405
    assert Alert.objects.get(pk=state.alerts["d1"].pk).acknowledged_at is None


def test_the_migrant_list_shows_the_districts_enrolled_eligible_children(staff, state):
    page = staff.get(reverse("district_migrant_list"), {"district": "9001"})

    body = page.content.decode()
    assert page.status_code == 200
    assert state.children["d1"].child_id in body and state.children["d1_last_year"].child_id not in body


def test_the_migrant_list_downloads_as_csv_and_the_download_is_audited(staff, state):
    download = staff.get(reverse("district_migrant_list"), {"district": "9001", "download": "csv"})

    assert download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert tuple(rows[0]) == MIGRANT_LIST_FIELDS
    assert [row["child_id"] for row in rows] == [state.children["d1"].child_id]
    event = AuditEvent.objects.get(action="export")
    assert event.actor == Role.DISTRICT_STAFF.value and event.object_id.startswith("migrant_list/9001/")
    assert event.after == {"count": 1}


def test_a_district_outside_the_users_scope_is_refused_beside_the_field_and_nothing_is_exported(staff, state):
    page = staff.get(reverse("district_migrant_list"), {"district": "9002", "download": "csv"})

    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert 'class="error"' in page.content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_referring_a_family_saves_the_referral_and_audits_it(staff, state):
    answer = staff.post(reverse("district_refer"), {
        "district": "9001", "school": "9001-01", "family_name": "Familia Ruiz", "contact": "920-555-0101",
        "child_names": "Ana\nLuis\n", "notes": "Parents pick cherries each summer."})

    assert answer.status_code == 302
    referral = Referral.objects.get(family_name="Familia Ruiz")
    assert (referral.district.district_id, referral.child_names, referral.created_by) == (
        "9001", ["Ana", "Luis"], state.users[Role.DISTRICT_STAFF])
    assert AuditEvent.objects.filter(action="referral.created", object_id=str(referral.pk)).exists()


def test_a_referral_form_with_errors_answers_each_beside_its_field_and_saves_nothing(staff, state):
    before = Referral.objects.count()

    page = staff.post(reverse("district_refer"), {"district": "9002", "school": "9003-01", "family_name": "",
                                                  "contact": ""})

    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('class="error"') == 4  # district out of scope, unknown school, no family, no contact
    assert Referral.objects.count() == before


def test_a_school_of_another_of_the_users_districts_is_refused_beside_the_school(client, state):
    user = make_user(Role.DISTRICT_STAFF, state.districts["9001"])
    RoleGrant.objects.create(user=user, role=Role.DISTRICT_STAFF, district=state.districts["9002"])
    client.force_login(user)

    page = client.post(reverse("district_refer"), {"district": "9001", "school": "9002-01", "family_name": "F",
                                                   "contact": "c"})

    assert page.status_code == 200
    assert re.search(r'id="id_school".*?class="error"', page.content.decode(), re.S)
    assert not Referral.objects.filter(family_name="F").exists()


def test_only_district_staff_refer_families(client, state):
    client.force_login(state.users[Role.REGIONAL_ADMIN])

    assert client.get(reverse("district_refer")).status_code == 403


def test_an_alert_lists_only_the_children_the_user_still_sees(staff, state):
    alert = state.alerts["d1"]
    gone = state.children["d1_last_year"]
    AlertChild.objects.create(alert=alert, child=gone, enrollment=state.enrollments["d1_last_year"])

    body = staff.get(reverse("district_alerts")).content.decode()

    assert state.children["d1"].child_id in body and gone.child_id not in body
