"""Reads: the children list and its filters, the consolidated record, and a number of queries that does not
grow with the rows an endpoint answers."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mepsis.access.models import AuditEvent, Role
from mepsis.access.testing import _certify, _enroll
from mepsis.enrollments.models import IngestRun

pytestmark = pytest.mark.django_db


def ids(response):
    return {row["child_id"] for row in response.json()["results"]}


def test_the_children_list_filters_by_district_name_birth_date_and_eligibility(state, as_role):
    admin = as_role(Role.STATE_ADMIN)
    d1, d2 = state.children["d1"], state.children["d2"]
    entry = d1.coe_entries.get()

    assert ids(admin.get("/api/v1/children/", {"district": "9002"})) == {d2.child_id}
    assert ids(admin.get("/api/v1/children/", {"name": d1.first_name[:3], "birth_date": d1.birth_date})) == {
        d1.child_id}
    eligible = ids(admin.get("/api/v1/children/", {"eligible_on": entry.eligibility_start}))
    before = ids(admin.get("/api/v1/children/", {"eligible_on": entry.eligibility_start - dt.timedelta(days=1)}))
    assert d1.child_id in eligible and d1.child_id not in before


def test_a_districts_children_come_25_a_page_in_name_order_with_links_and_no_total(state, as_role):
    admin = as_role(Role.STATE_ADMIN)
    grow(state, 30)

    first = admin.get("/api/v1/children/", {"district": "9001"}).json()
    second = admin.get(first["next"]).json()
    rows = first["results"] + second["results"]
    assert "count" not in first and first["previous"] is None
    assert len(first["results"]) == 25 and second["next"] is None and second["previous"].endswith("?district=9001")
    assert len(rows) == 32  # d1, d1_last_year and the 30 grown
    order = [(row["last_name_1"], row["last_name_2"] or "", row["first_name"], row["child_id"]) for row in rows]
    assert order == sorted(order)
    for page in ("3", "0", "x"):
        assert admin.get("/api/v1/children/", {"district": "9001", "page": page}).status_code == 404


def test_a_bad_filter_is_a_400_naming_the_field(state, as_role):
    response = as_role(Role.STATE_ADMIN).get("/api/v1/children/", {"eligible_on": "2025-02-30"})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(error["code"], error["field"]) for error in errors] == [("INVALID_VALUE", "eligible_on")]


def test_the_consolidated_record_has_identity_coes_eligibility_enrollments_services_flags_and_is_audited(
        state, as_role):
    child = state.children["d1"]

    record = as_role(Role.DISTRICT_STAFF).get(f"/api/v1/children/{child.child_id}/").json()

    assert (record["child_id"], record["first_name"], record["birth_date"]) == (
        child.child_id, child.first_name, child.birth_date.isoformat())
    assert [coe["coe_id"] for coe in record["coes"]] == [state.coes["d1"].coe_id]
    assert record["eligibility"][0]["coe_id"] == state.coes["d1"].coe_id
    assert {e["district_id"] for e in record["enrollments"]} == {"9001"}
    assert [service["service"] for service in record["services"]] == ["READINSTR"]
    assert "MATCH_REVIEW" in [flag["code"] for flag in record["flags"]]
    assert AuditEvent.objects.filter(action="child.read", object_id=child.child_id,
                                     actor="district_staff").count() == 1


def test_a_page_of_the_list_is_one_audit_event_whatever_its_children(state, as_role):
    before = AuditEvent.objects.count()

    as_role(Role.STATE_ADMIN).get("/api/v1/children/", {"district": "9001"})

    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(event.action, event.after) for event in events if event.action != "token.issued"] == [
        ("export", {"count": 2})]


def grow(state, more: int) -> None:
    """More children of district 9001 on the same pages: each certified, enrolled, alerted and referred."""
    from mepsis.alerts.models import Alert, AlertChild, Referral
    from mepsis.registry.roster import refresh_roster
    from mepsis.reports.models import SmepaRecord

    grown = []
    run = IngestRun.objects.create(started_at=state.enrollments["d1"].first_run.started_at, actor="tester")
    alert = Alert.objects.create(kind=Alert.Kind.DISTRICT_ENROLLMENT, district=state.districts["9001"], run=run)
    for number in range(more):
        coe, child = _certify(100 + number, "9001", dt.date.today())
        enrollment = _enroll(child, state.districts["9001"], state.school_year, run)
        _enroll(child, state.districts["9002"], state.school_year, run)
        AlertChild.objects.create(alert=alert, child=child, enrollment=enrollment)
        Referral.objects.create(district=state.districts["9001"], family_name=f"F{number}", contact="555",
                                created_by=state.users[Role.STATE_ADMIN])
        SmepaRecord.objects.create(child=child, district=state.districts["9001"], school_year=state.school_year,
                                   student_unique_id=child.state_student_id or "", begin_date=enrollment.entry_date,
                                   last_qualifying_move=coe.qad, updated_at=timezone.now())
        grown.append(child.pk)
    refresh_roster(grown)  # the enrollments were made here, not by the ingest


@pytest.mark.parametrize("role, url", [
    (Role.STATE_ADMIN, "/api/v1/children/?district=9001"),
    (Role.DISTRICT_STAFF, "/api/v1/children/"),
    (Role.REVIEWER, "/api/v1/coes/"),
    (Role.DISTRICT_STAFF, "/api/v1/alerts/"),
    (Role.DISTRICT_STAFF, "/api/v1/referrals/"),
    (Role.SIS_CLIENT, "/api/v1/smepa/"),
    (Role.DISTRICT_STAFF, "/api/v1/children/{d1}/"),
])
def test_no_endpoint_makes_more_queries_for_more_rows(state, as_role, role, url):
    from mepsis.registry.actions import save_coes
    from mepsis.registry.queries import current_documents

    client = as_role(role)
    url = url.format(d1=state.children["d1"].child_id)

    def count() -> tuple[int, int]:
        """The queries of the request, and the size of its answer."""
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), len(response.content)

    count()  # the token's first use is stamped once: not a query of the endpoint
    few, small = count()
    grow(state, 6)
    # The record of d1 grows too: more COEs list it, more enrollments.
    document = current_documents([state.coes["d1"]])[0]
    for number in range(3):
        save_coes([("t", {**document, "coe_id": f"WI-MORE-{number}"})], actor="tester", why="test")
        _enroll(state.children["d1"], state.districts["9001"], state.school_year, IngestRun.objects.first())
    queries, size = count()
    assert size > 2 * small  # the answer grew
    assert queries == few


def test_the_child_count_is_statewide_for_the_state_and_suppressed_for_a_district(state, as_role):
    from mepsis.reports.child_count import child_count

    period = state.school_year
    statewide = as_role(Role.REVIEWER).get("/api/v1/reports/child-count/", {"period": period}).json()
    district = as_role(Role.DISTRICT_SUMMARY).get("/api/v1/reports/child-count/", {"period": period}).json()

    assert statewide == child_count(period).as_dict()
    assert district["districts"] == ["9001"] and district["suppressed_below"] >= 1
    assert district["category1"] is None  # one or two children: a small cell


@pytest.mark.parametrize("query", [{}, {"period": "2024"}, {"period": "9999-00"}, {"period": "2024-25",
                                                                                   "district": "9003"}])
def test_a_child_count_of_no_period_or_of_another_district_is_a_400(state, as_role, query):
    response = as_role(Role.DISTRICT_SUMMARY).get("/api/v1/reports/child-count/", query)

    assert response.status_code == 400 and response.json()["errors"]
