"""Users, role grants and API tokens: who may manage whom, revocation, sign-in throttling, sessions."""

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from rest_framework.exceptions import AuthenticationFailed

from mepsis.access import actions
from mepsis.access.models import ApiToken, AuditEvent, Role, RoleGrant
from mepsis.access.scope import scope_for
from mepsis.access.testing import PASSWORD, make_user, small_state
from mepsis.access.tokens import TokenAuthentication

pytestmark = pytest.mark.django_db


@pytest.fixture
def state():
    return small_state()


def token_request(key):
    return RequestFactory().get("/api/v1/children/", HTTP_AUTHORIZATION=f"Token {key}")


def test_a_district_security_administrator_grants_district_roles_in_their_district_only(state):
    admin = state.users[Role.DISTRICT_SECURITY]
    newcomer = actions.add_user("coordinator", "a long enough passphrase", by=admin, actor="district_security")
    grant = actions.grant_role(newcomer, Role.DISTRICT_STAFF, district=state.districts["9001"], by=admin,
                               actor="district_security")
    assert scope_for(type(newcomer).objects.get(pk=newcomer.pk)).roles == {Role.DISTRICT_STAFF}
    for role, district in ((Role.DISTRICT_STAFF, state.districts["9002"]), (Role.DISTRICT_SECURITY,
                                                                           state.districts["9001"])):
        with pytest.raises(PermissionDenied):
            actions.grant_role(newcomer, role, district=district, by=admin, actor="district_security")
    for role in (Role.STATE_ADMIN, Role.RECRUITER):
        with pytest.raises(PermissionDenied):
            actions.grant_role(newcomer, role, by=admin, actor="district_security")
    actions.end_grant(grant, by=admin, actor="district_security", why="left the district")
    grant.refresh_from_db()
    assert grant.ended_at and grant.ended_by == admin
    assert RoleGrant.objects.filter(pk=grant.pk).exists()
    assert list(AuditEvent.objects.filter(object_id="coordinator").values_list("action", flat=True)) == [
        "user.created", "role.granted", "role.ended"]


def test_a_district_security_administrator_cannot_end_another_districts_grant(state):
    other = make_user(Role.DISTRICT_STAFF, state.districts["9002"])
    with pytest.raises(PermissionDenied):
        actions.end_grant(other.role_grants.get(), by=state.users[Role.DISTRICT_SECURITY], actor="x")
    assert other.role_grants.get().ended_at is None


def test_the_state_administrator_grants_any_role_and_others_none(state):
    user = make_user(None)
    actions.grant_role(user, Role.REGIONAL_ADMIN, region=state.regions["South"], by=state.users[Role.STATE_ADMIN],
                       actor="state_admin")
    for role in (Role.REVIEWER, Role.DISTRICT_STAFF, Role.AUDITOR):
        with pytest.raises(PermissionDenied):
            actions.grant_role(user, Role.RECRUITER, by=state.users[role], actor="x")


def test_a_grant_names_a_district_or_region_exactly_when_its_role_needs_one(state):
    user = make_user(None)
    for role, where in ((Role.DISTRICT_STAFF, {}), (Role.REGIONAL_ADMIN, {"district": state.districts["9001"]}),
                        (Role.REVIEWER, {"district": state.districts["9001"]})):
        with pytest.raises(ValidationError):
            actions.grant_role(user, role, actor="cli:test", **where)
    assert not user.role_grants.exists()


def test_a_weak_password_or_a_taken_username_is_refused(state):
    with pytest.raises(ValidationError):
        actions.add_user("newbie", "12345", actor="cli:test")
    with pytest.raises(ValidationError):
        actions.add_user("reviewer", "a long enough passphrase", actor="cli:test")
    with pytest.raises(PermissionDenied):
        actions.add_user("newbie", "a long enough passphrase", by=state.users[Role.REVIEWER], actor="reviewer")


def test_a_token_authenticates_until_it_is_revoked(state):
    sis = state.users[Role.SIS_CLIENT]
    token, key = actions.issue_token(sis, actor="cli:test")
    assert ApiToken.objects.get().key_hash != key and key not in str(list(AuditEvent.objects.values()))
    user, used = TokenAuthentication().authenticate(token_request(key))
    assert user == sis and used == token
    token.refresh_from_db()
    assert token.last_used_at is not None
    actions.revoke_token(token, by=state.users[Role.DISTRICT_SECURITY], actor="district_security")
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate(token_request(key))
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate(token_request("not-a-key"))
    assert TokenAuthentication().authenticate(RequestFactory().get("/")) is None


def test_a_token_of_a_deactivated_user_authenticates_nobody(state):
    sis = state.users[Role.SIS_CLIENT]
    _, key = actions.issue_token(sis, actor="cli:test")
    actions.set_active(sis, False, by=state.users[Role.STATE_ADMIN], actor="state_admin", why="vendor changed")
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate(token_request(key))


def test_only_a_manager_of_the_user_issues_or_revokes_their_tokens(state):
    outsider = make_user(Role.SIS_CLIENT, state.districts["9003"])
    with pytest.raises(PermissionDenied):
        actions.issue_token(outsider, by=state.users[Role.DISTRICT_SECURITY], actor="district_security")
    token, _ = actions.issue_token(outsider, by=state.users[Role.STATE_ADMIN], actor="state_admin")
    with pytest.raises(PermissionDenied):
        actions.revoke_token(token, by=state.users[Role.DISTRICT_STAFF], actor="district_staff")


def login_request():
    return RequestFactory().post("/login/", REMOTE_ADDR="10.0.0.7")


def test_sign_in_is_throttled_after_the_configured_number_of_failures(state):
    assert authenticate(login_request(), username="reviewer", password=PASSWORD) == state.users[Role.REVIEWER]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert authenticate(login_request(), username="reviewer", password="wrong") is None
    assert authenticate(login_request(), username="reviewer", password=PASSWORD) is None
    # Another user from the same address is not locked out.
    assert authenticate(login_request(), username="auditor", password=PASSWORD) == state.users[Role.AUDITOR]


def test_a_locked_out_sign_in_page_answers_429(client, state):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "state_admin", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "state_admin", "password": PASSWORD})
    assert response.status_code == 429


def test_the_test_clients_login_still_works(client, state):
    assert client.login(username="reviewer", password=PASSWORD)


def test_sessions_end_with_the_browser_and_after_the_configured_time():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    assert settings.PASSWORD_HASHERS[0].endswith("PBKDF2PasswordHasher") or "Argon2" in settings.PASSWORD_HASHERS[0]
