"""What the web page tests share: the small state (mepsis.access.testing) and its users signed in."""

import pytest

from mepsis.access.models import Role
from mepsis.access.testing import small_state


@pytest.fixture
def state():
    return small_state()


@pytest.fixture
def signed_in(client, state):
    """Signs the test client in as the small state's user of a role, and returns it."""
    def sign_in(role: Role):
        client.force_login(state.users[role])
        return client
    return sign_in


@pytest.fixture
def recruiter(signed_in):
    return signed_in(Role.RECRUITER)


@pytest.fixture
def reviewer(signed_in):
    return signed_in(Role.REVIEWER)
