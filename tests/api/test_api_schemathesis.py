"""Schemathesis against the API's own OpenAPI schema: every operation, called with the token of a role that may
use it, on a small state; no answer may be a server error or break the schema (its status codes, content
type and body)."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from mepsis.access.actions import issue_token
from mepsis.access.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = 20
# The role whose token calls an operation: one that may use it (a state administrator reads the rest).
ROLE_FOR = {
    ("POST", "/api/v1/coes/"): Role.RECRUITER,
    ("PUT", "/api/v1/coes/{coe_id}/"): Role.RECRUITER,
    ("POST", "/api/v1/coes/{coe_id}/submit/"): Role.RECRUITER,
    ("POST", "/api/v1/coes/{coe_id}/approve/"): Role.REVIEWER,
    ("POST", "/api/v1/coes/{coe_id}/return/"): Role.REVIEWER,
    ("POST", "/api/v1/coes/{coe_id}/reject/"): Role.REVIEWER,
    ("POST", "/api/v1/enrollments/"): Role.SIS_CLIENT,
    ("GET", "/api/v1/smepa/"): Role.SIS_CLIENT,
    ("POST", "/api/v1/alerts/{id}/acknowledge/"): Role.DISTRICT_STAFF,
    ("POST", "/api/v1/referrals/"): Role.DISTRICT_STAFF,
    ("POST", "/api/v1/referrals/{id}/assign/"): Role.RECRUITER,
    ("POST", "/api/v1/referrals/{id}/interviewed/"): Role.RECRUITER,
    ("POST", "/api/v1/referrals/{id}/close/"): Role.RECRUITER,
    ("POST", "/api/v1/services/"): Role.DISTRICT_STAFF,
    ("POST", "/api/v1/continuations/"): Role.REVIEWER,
}


@pytest.fixture
def wsgi():
    """The WSGI application, which must not close the test's database connection at the end of each request
    (the test's transaction holds the data), as Django's own test client does not."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield WSGIHandler()
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def keys(state):
    return {role: issue_token(user, actor="tester")[1] for role, user in state.users.items()}


def test_no_operation_answers_a_server_error_or_breaks_its_schema(state, keys, wsgi):
    # Path parameters name records of the state (an unknown one is a 404, which the walk of every URL tests).
    records = {"child_id": state.children["d1"].child_id, "coe_id": state.coes["recruiters"].coe_id,
               "/api/v1/alerts/": state.alerts["d1"].pk, "/api/v1/referrals/": state.referrals["d1"].pk}
    api_schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    failures, operations = {}, []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        token = keys[ROLE_FOR.get((operation.method.upper(), operation.path), Role.STATE_ADMIN)]
        operations.append(f"{operation.method.upper()} {operation.path}")

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def call(case):
            for name in case.path_parameters or {}:
                case.path_parameters[name] = records.get(name) or records[case.path[:case.path.index("{")]]
            case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=checks)

        try:
            call()
        except Exception as error:  # noqa: BLE001  (every operation is tried; the failures are listed at the end)
            failures[operations[-1]] = str(error)[:2000]
    assert len(operations) >= 20
    assert failures == {}
