import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mepsis.access import audit
from mepsis.access.models import AuditEvent, Role, RoleGrant
from mepsis.access.testing import make_user

pytestmark = pytest.mark.django_db
User = get_user_model()
GOOD_PASSWORD = "orchard ladder 2025 cherries"


def usernames(page) -> set[str]:
    return set(re.findall(r'<a href="/people/\d+/">([^<]+)</a>', page.content.decode()))


def errors_beside(page, field: str) -> list[str]:
    """The messages shown in the field's own block."""
    block = re.search(rf'<div class="field[^"]*">\s*<label for="id_{field}">.*?</div>', page.content.decode(), re.S)
    return re.findall(r'<p class="error" role="alert">(.*?)</p>', block.group()) if block else []


def test_the_state_administrator_lists_every_user(signed_in, state):
    page = signed_in(Role.STATE_ADMIN).get(reverse("people"))

    assert page.status_code == 200
    assert usernames(page) == {role.value for role in Role}


def test_a_district_security_administrator_lists_only_the_users_of_their_district(signed_in, state):
    make_user(Role.DISTRICT_STAFF, state.districts["9002"], username="staff-9002")

    page = signed_in(Role.DISTRICT_SECURITY).get(reverse("people"))

    assert usernames(page) == {"district_staff", "district_summary", "district_security", "sis_client"}


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.DISTRICT_STAFF, Role.AUDITOR, Role.RECRUITER])
def test_roles_that_manage_no_users_may_not_enter_the_people_pages(signed_in, state, role):
    client = signed_in(role)

    assert client.get(reverse("people")).status_code == 403
    assert client.get(reverse("person_add")).status_code == 403
    assert client.get(reverse("person", args=[state.users[Role.REVIEWER].pk])).status_code == 403


def test_the_state_administrator_adds_a_user_with_a_role_and_both_are_audited(signed_in, state):
    answer = signed_in(Role.STATE_ADMIN).post(reverse("person_add"), {
        "username": "jlee", "first_name": "J.", "last_name": "Lee", "email": "jlee@example.org",
        "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD, "grant-role": "regional_admin",
        "grant-region": state.regions["South"].pk, "grant-why": "new regional director"})

    user = User.objects.get(username="jlee")
    assert answer.status_code == 302 and answer.url == reverse("person", args=[user.pk])
    assert user.check_password(GOOD_PASSWORD) and user.password != GOOD_PASSWORD
    grant = RoleGrant.objects.active().get(user=user)
    assert (grant.role, grant.region, grant.granted_by) == ("regional_admin", state.regions["South"],
                                                             state.users[Role.STATE_ADMIN])
    assert [(event.action, event.actor) for event in AuditEvent.objects.filter(object_id="jlee").order_by("id")] == [
        ("user.created", "state_admin"), ("role.granted", "state_admin")]


@pytest.mark.parametrize("changes, field", [
    ({"password_again": "something else entirely"}, "password_again"),
    ({"password": "short", "password_again": "short"}, "password"),
    ({"username": "reviewer"}, "username"),
    ({"username": "bad name!"}, "username"),
    ({"grant-role": "district_staff"}, "grant-district"),
    ({"grant-role": ""}, "grant-role"),
])
def test_a_new_user_that_cannot_be_added_is_answered_beside_the_field_and_nothing_is_saved(signed_in, state, changes,
                                                                                          field):
    users, events = User.objects.count(), AuditEvent.objects.count()
    form = {"username": "newcomer", "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD,
            "grant-role": "reviewer", **changes}

    page = signed_in(Role.STATE_ADMIN).post(reverse("person_add"), form)

    assert page.status_code == 200
    assert errors_beside(page, field), page.content.decode()
    assert (User.objects.count(), AuditEvent.objects.count()) == (users, events)


def test_a_district_security_administrator_adds_district_staff_in_their_district(signed_in, state):
    answer = signed_in(Role.DISTRICT_SECURITY).post(reverse("person_add"), {
        "username": "maria", "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD,
        "grant-role": "district_staff", "grant-district": "9001"})

    assert answer.status_code == 302
    grant = RoleGrant.objects.get(user__username="maria")
    assert (grant.role, grant.district.district_id) == ("district_staff", "9001")


@pytest.mark.parametrize("role, district, field", [
    ("district_staff", "9002", "grant-district"),   # another district
    ("reviewer", "9001", "grant-role"),             # a role they do not grant
    ("district_security", "9001", "grant-role"),
])
def test_a_district_security_administrator_grants_nothing_outside_their_district_roles(signed_in, state, role,
                                                                                      district, field):
    page = signed_in(Role.DISTRICT_SECURITY).post(reverse("person_add"), {
        "username": "maria", "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD,
        "grant-role": role, "grant-district": district})

    assert page.status_code == 200 and errors_beside(page, field)
    assert not User.objects.filter(username="maria").exists()


def test_a_role_is_granted_and_ended_on_the_users_page_and_both_are_audited(signed_in, state):
    admin, reviewer = signed_in(Role.STATE_ADMIN), state.users[Role.REVIEWER]

    granted = admin.post(reverse("person", args=[reviewer.pk]), {"role": "district_summary", "district": "9003",
                                                                 "why": "covers 9003"})
    grant = RoleGrant.objects.active().get(user=reviewer, role="district_summary")
    ended = admin.post(reverse("grant_end", args=[grant.pk]), {"why": "left the district"})

    assert granted.status_code == ended.status_code == 302
    grant.refresh_from_db()
    assert grant.ended_at is not None and grant.ended_by == state.users[Role.STATE_ADMIN]
    assert RoleGrant.objects.active().filter(user=reviewer, role="reviewer").exists()
    event = AuditEvent.objects.get(action="role.ended")
    assert (event.actor, event.object_id, event.why) == ("state_admin", "reviewer", "left the district")
    page = admin.get(reverse("person", args=[reviewer.pk]))
    assert "End this role" in page.content.decode()  # the reviewer role is still there to end
    assert page.content.decode().count('action="/people/grants/') == 1


def test_a_district_security_administrator_may_not_open_or_change_users_outside_their_district(signed_in, state):
    client = signed_in(Role.DISTRICT_SECURITY)
    reviewer_grant = RoleGrant.objects.get(user=state.users[Role.REVIEWER])

    assert client.get(reverse("person", args=[state.users[Role.REVIEWER].pk])).status_code == 404
    assert client.post(reverse("grant_end", args=[reviewer_grant.pk])).status_code == 404
    assert RoleGrant.objects.get(pk=reviewer_grant.pk).ended_at is None


def test_a_district_security_administrator_may_not_end_a_statewide_role_of_a_user_in_their_district(signed_in, state):
    staff = state.users[Role.DISTRICT_STAFF]
    statewide = RoleGrant.objects.create(user=staff, role=Role.REVIEWER)

    answer = signed_in(Role.DISTRICT_SECURITY).post(reverse("grant_end", args=[statewide.pk]), follow=True)

    assert "Only the state administrator may end this role." in answer.content.decode()
    assert RoleGrant.objects.get(pk=statewide.pk).ended_at is None


def test_ending_the_last_district_role_of_a_user_takes_them_off_the_district_list(signed_in, state):
    summary = state.users[Role.DISTRICT_SUMMARY]
    grant = RoleGrant.objects.get(user=summary)

    answer = signed_in(Role.DISTRICT_SECURITY).post(reverse("grant_end", args=[grant.pk]))

    assert answer.url == reverse("people")
    assert "district_summary" not in usernames(signed_in(Role.DISTRICT_SECURITY).get(reverse("people")))


def test_the_people_forms_need_the_csrf_token(state):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(state.users[Role.STATE_ADMIN])

    answer = browser.post(reverse("person_add"), {"username": "x", "password": GOOD_PASSWORD,
                                                  "password_again": GOOD_PASSWORD, "grant-role": "reviewer"})

    assert answer.status_code == 403 and not User.objects.filter(username="x").exists()


# --- The audit log ---------------------------------------------------------------------------------

def events_shown(page) -> int:
    return page.content.decode().count('<tr class="audit-event">')


@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.AUDITOR])
def test_state_administrators_and_auditors_search_the_audit_log(signed_in, state, role):
    audit.record("maria", "alert.acknowledged", "alert", "17")
    audit.record("maria", "child.read", "child", "WI0001")
    audit.record("lee", "child.read", "child", "WI0002")
    client = signed_in(role)

    everything = client.get(reverse("audit"))
    by_maria = client.get(reverse("audit"), {"actor": "maria"})
    reads = client.get(reverse("audit"), {"action": "child.read", "object_id": "WI0002"})
    today = timezone.localdate()
    today_only = client.get(reverse("audit"), {"actor": "maria", "since": today, "until": today})
    tomorrow = client.get(reverse("audit"), {"actor": "maria", "since": today + dt.timedelta(days=1)})

    assert everything.status_code == 200 and events_shown(everything) >= 3
    assert events_shown(by_maria) == 2
    assert events_shown(reads) == 1 and "lee" in reads.content.decode()
    assert events_shown(today_only) == 2 and events_shown(tomorrow) == 0


def test_an_audit_search_with_the_end_before_the_start_is_answered_beside_the_end(signed_in, state):
    page = signed_in(Role.AUDITOR).get(reverse("audit"), {"since": "2026-03-02", "until": "2026-03-01"})

    assert errors_beside(page, "until") and events_shown(page) == 0


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.DISTRICT_SECURITY, Role.DISTRICT_STAFF, Role.RECRUITER])
def test_other_roles_may_not_read_the_audit_log(signed_in, state, role):
    assert signed_in(role).get(reverse("audit")).status_code == 403


def test_the_user_and_the_role_are_both_checked_at_once(signed_in, state):
    page = signed_in(Role.STATE_ADMIN).post(reverse("person_add"), {"username": "", "grant-role": ""})

    assert errors_beside(page, "username") and errors_beside(page, "password") and errors_beside(page, "grant-role")
