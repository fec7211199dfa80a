"""Every URL of the API, with a user of each role, against records in and out of the user's scope: 200 for
what the role may see and do, 404 for a record outside its scope (as if it did not exist), 403 for what the
role may not do. A write a role may make is sent with a body that is refused (400), so the walk changes
nothing; the writes themselves are tested with their resources."""

import pytest

from mepsis.access.models import Role

pytestmark = pytest.mark.django_db

STATEWIDE = {Role.STATE_ADMIN, Role.REVIEWER, Role.AUDITOR}
EVERY = set(Role)
# Which named records of the small state each role sees (roles.md), and who may do what.
CHILDREN = {Role.RECRUITER: {"recruiters"}, Role.REGIONAL_ADMIN: {"d1", "d2", "d1_last_year"},
            Role.DISTRICT_STAFF: {"d1"}}
ALL_CHILDREN = {"d1", "d2", "d3", "d1_last_year", "d3_coe_only", "recruiters"}
ALERTS = {Role.RECRUITER: {"recruiters"}, Role.REGIONAL_ADMIN: {"d1", "d2"}, Role.DISTRICT_STAFF: {"d1"}}
REFERRALS = {Role.RECRUITER: {"d1", "d2", "d3"}, Role.REGIONAL_ADMIN: {"d1", "d2"}, Role.DISTRICT_STAFF: {"d1"}}
SMEPA = {Role.REGIONAL_ADMIN: {"d1", "d2"}, Role.DISTRICT_STAFF: {"d1"}, Role.SIS_CLIENT: {"d1"}}
MAY = {
    "coe.write": {Role.RECRUITER},
    "coe.review": {Role.REVIEWER},
    "enrollments.push": {Role.SIS_CLIENT},
    "smepa.read": STATEWIDE | {Role.REGIONAL_ADMIN, Role.DISTRICT_STAFF, Role.SIS_CLIENT},
    "alert.acknowledge": {Role.RECRUITER, Role.DISTRICT_STAFF},
    "referral.create": {Role.DISTRICT_STAFF},
    "referral.work": {Role.RECRUITER},
    "counts.read": STATEWIDE | {Role.REGIONAL_ADMIN, Role.DISTRICT_STAFF, Role.DISTRICT_SUMMARY},
    "service.record": {Role.REGIONAL_ADMIN, Role.DISTRICT_STAFF},
    "continuation.record": {Role.REVIEWER},
}


def sees(table: dict, role: Role, every: set[str]) -> set[str]:
    return every if role in STATEWIDE else table.get(role, set())


def allowed(permission: str, role: Role) -> int:
    """The answer to a request the role may make with a refused body (400), or may not make (403)."""
    return 400 if role in MAY[permission] else 403


@pytest.mark.parametrize("role", list(Role))
def test_every_api_url_answers_each_role_by_its_scope_and_permissions(state, as_role, role):
    client = as_role(role)
    answers = []

    def expect(method, url, code, body=None):
        response = getattr(client, method)(url, body, format="json") if method != "get" else client.get(url)
        answers.append((method.upper(), url, response.status_code, code))
        return response

    children = sees(CHILDREN, role, ALL_CHILDREN)
    listed = expect("get", "/api/v1/children/", 200).json()["results"]
    assert {child["child_id"] for child in listed} == {state.children[name].child_id for name in children}
    listed = expect("get", "/api/v1/coes/", 200).json()["results"]
    assert {coe["coe_id"] for coe in listed} == {state.coes[name].coe_id for name in children}
    expect("post", "/api/v1/coes/", allowed("coe.write", role), {})
    for name, child in state.children.items():
        found = 200 if name in children else 404
        refused = lambda permission: allowed(permission, role) if name in children else 404  # noqa: E731
        expect("get", f"/api/v1/children/{child.child_id}/", found)
        coe = f"/api/v1/coes/{state.coes[name].coe_id}/"
        expect("get", coe, found)
        expect("put", coe, refused("coe.write"), [])
        expect("post", coe + "submit/", refused("coe.write"), {"version": "first"})
        for step in ("approve", "return", "reject"):
            expect("post", coe + f"{step}/", refused("coe.review"), {"version": "first"})

    expect("post", "/api/v1/enrollments/", allowed("enrollments.push", role), {})
    smepa = expect("get", "/api/v1/smepa/", 200 if role in MAY["smepa.read"] else 403)
    if smepa.status_code == 200:
        assert {record["studentReference"]["studentUniqueId"] for record in smepa.json()["results"]} == {
            state.smepa[name].student_unique_id for name in sees(SMEPA, role, {"d1", "d2", "d3"})}

    alerts = sees(ALERTS, role, set(state.alerts))
    listed = expect("get", "/api/v1/alerts/", 200).json()["results"]
    assert {alert["id"] for alert in listed} == {state.alerts[name].pk for name in alerts}
    for name, alert in state.alerts.items():
        can = 200 if role in MAY["alert.acknowledge"] else 403
        expect("post", f"/api/v1/alerts/{alert.pk}/acknowledge/", can if name in alerts else 404)

    referrals = sees(REFERRALS, role, set(state.referrals))
    listed = expect("get", "/api/v1/referrals/", 200).json()["results"]
    assert {referral["id"] for referral in listed} == {state.referrals[name].pk for name in referrals}
    expect("post", "/api/v1/referrals/", allowed("referral.create", role), {})
    for name, referral in state.referrals.items():
        url = f"/api/v1/referrals/{referral.pk}/"
        visible = name in referrals
        expect("get", url, 200 if visible else 404)
        for step, body in (("assign", {"recruiter": "nobody"}), ("interviewed", {"coe_id": "NO-SUCH-COE"}),
                           ("close", {})):
            expect("post", url + f"{step}/", allowed("referral.work", role) if visible else 404, body)

    counted = expect("get", f"/api/v1/reports/child-count/?period={state.school_year}",
                     200 if role in MAY["counts.read"] else 403)
    if counted.status_code == 200:
        assert counted.json().get("districts") == (None if role in STATEWIDE else sorted(
            {Role.REGIONAL_ADMIN: ["9001", "9002"]}.get(role, ["9001"])))

    services = expect("get", "/api/v1/services/", 200).json()["results"]
    assert {service["id"] for service in services} == {
        service.pk for name, service in state.services.items() if name in children}
    expect("post", "/api/v1/services/", allowed("service.record", role), {})
    expect("post", "/api/v1/continuations/", allowed("continuation.record", role), {})

    expect("get", "/api/v1/children/NO-SUCH-CHILD/", 404)
    expect("get", "/api/v1/coes/NO-SUCH-COE/", 404)
    wrong = [(method, url, got, wanted) for method, url, got, wanted in answers if got != wanted]
    assert wrong == []


def test_without_a_token_every_api_url_answers_401_but_the_schema_and_its_page_are_public(state, client):
    for url in ("/api/v1/children/", f"/api/v1/children/{state.children['d1'].child_id}/", "/api/v1/coes/",
                "/api/v1/smepa/", "/api/v1/alerts/", "/api/v1/referrals/", "/api/v1/services/"):
        assert client.get(url).status_code == 401, url
    assert client.post("/api/v1/enrollments/", [], content_type="application/json").status_code == 401
    assert client.get("/api/schema/").status_code == 200
    page = client.get("/api/docs/")
    assert page.status_code == 200 and b"/api/v1/coes/{coe_id}/approve/" in page.content


def test_a_revoked_token_authenticates_nobody(state, api):
    from mepsis.access.actions import revoke_token
    from mepsis.access.models import ApiToken

    client = api(state.users[Role.REVIEWER])
    assert client.get("/api/v1/children/").status_code == 200
    revoke_token(ApiToken.objects.get(user=state.users[Role.REVIEWER]), actor="tester")
    assert client.get("/api/v1/children/").status_code == 401
