"""`mepsis users` and the tokens it prints."""

import pytest
from django.test import RequestFactory

from mepsis.access.models import ApiToken, Role, RoleGrant
from mepsis.access.scope import scope_for
from mepsis.access.testing import small_state
from mepsis.access.tokens import TokenAuthentication

pytestmark = pytest.mark.django_db


@pytest.fixture
def state():
    return small_state()


def test_add_a_district_user_with_the_password_from_the_environment(mepsis, monkeypatch, state):
    from django.contrib.auth import authenticate, get_user_model

    monkeypatch.setenv("MEPSIS_PASSWORD", "a long enough passphrase")
    ran = mepsis("users", "add", "maria", "--role", "district_staff", "--district", "9001", "--district", "9003")
    assert ran.code == 0, ran.err
    maria = get_user_model().objects.get(username="maria")
    assert set(maria.role_grants.values_list("district__district_id", flat=True)) == {"9001", "9003"}
    assert authenticate(RequestFactory().post("/"), username="maria", password="a long enough passphrase") == maria
    assert scope_for(maria).children().count() == 2


def test_add_refuses_what_does_not_fit_the_role_and_saves_nothing(mepsis, monkeypatch, state):
    from django.contrib.auth import get_user_model

    monkeypatch.setenv("MEPSIS_PASSWORD", "a long enough passphrase")
    for argv, message in ((["--role", "district_staff"], "district"),
                          (["--role", "district_staff", "--district", "0000"], "There is no district 0000"),
                          (["--role", "reviewer", "--district", "9001"], "statewide"),
                          (["--role", "regional_admin", "--region", "Nowhere"], "There is no region Nowhere")):
        ran = mepsis("users", "add", "pedro", *argv)
        assert ran.code == 1 and message in ran.err, ran.err
    monkeypatch.setenv("MEPSIS_PASSWORD", "short")
    assert mepsis("users", "add", "pedro", "--role", "reviewer").code == 1
    assert not get_user_model().objects.filter(username="pedro").exists()


def test_add_without_a_password_at_no_terminal_cannot_run(mepsis, monkeypatch, state):
    monkeypatch.delenv("MEPSIS_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    assert mepsis("users", "add", "pedro", "--role", "reviewer").code == 2
    assert mepsis("users", "add", "sis", "--role", "sis_client", "--district", "9001", "--no-password").code == 0


def test_token_prints_a_key_that_works_until_revoked(mepsis, state):
    ran = mepsis("users", "token", "sis_client")
    key = ran.out.strip()
    assert ran.code == 0 and len(key) >= 40
    request = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {key}")
    assert TokenAuthentication().authenticate(request)[0] == state.users[Role.SIS_CLIENT]
    listed = mepsis("users", "list", "--format", "json").json()
    assert {"username": "sis_client", "active": True, "roles": [{"role": "sis_client", "district": "9001",
                                                                 "region": None}], "tokens": [key[:8]]} in listed
    assert mepsis("users", "revoke-token", "sis_client", "--prefix", "nothing1").code == 1
    assert mepsis("users", "revoke-token", "sis_client", "--prefix", key[:8]).code == 0
    assert ApiToken.objects.get().revoked_at is not None
    assert mepsis("users", "revoke-token", "sis_client", "--all").code == 1


def test_grant_and_end_grant(mepsis, state):
    assert mepsis("users", "grant", "reviewer", "--role", "regional_admin", "--region", "South").code == 0
    assert RoleGrant.objects.active().filter(user__username="reviewer", role="regional_admin").count() == 1
    assert mepsis("users", "end-grant", "reviewer", "--role", "regional_admin", "--region", "South",
                  "--why", "moved").code == 0
    assert not RoleGrant.objects.active().filter(user__username="reviewer", role="regional_admin").exists()
    assert mepsis("users", "end-grant", "reviewer", "--role", "regional_admin", "--region", "South").code == 1
    assert mepsis("users", "grant", "nobody", "--role", "reviewer").code == 1
