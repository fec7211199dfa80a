"""A small state (``mepsis.access.testing.small_state``: three districts in two regions, children in and out of
each role's scope, one user per role) and API clients that authenticate with a real token."""

import pytest
from rest_framework.test import APIClient

from mepsis.access.actions import issue_token
from mepsis.access.models import Role
from mepsis.access.testing import small_state


@pytest.fixture
def state(db):
    return small_state()


@pytest.fixture
def api():
    """``api(user)``: an APIClient sending a new token of that user (``Authorization: Token KEY``)."""

    def client(user) -> APIClient:
        _, key = issue_token(user, actor="tester")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return client


@pytest.fixture
def as_role(state, api):
    """``as_role(Role.X)``: the API client of the small state's user of that role."""
    return lambda role: api(state.users[Role(role)])
