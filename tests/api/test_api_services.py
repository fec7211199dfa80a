"""``/api/v1/services/`` and ``/api/v1/continuations/``: the services in the caller's scope, a batch recorded as
the services import records it (good rows kept, refused rows listed), and a reviewer's continuation."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mepsis.access.models import Role
from mepsis.delivery.models import ContinuationOfServices, Service
from mepsis.registry.models import Child, CoeChild

pytestmark = pytest.mark.django_db


def row(state, name, **changes):
    """A service of the named child of the small state on the days of its service there (it was eligible)."""
    service = state.services[name]
    return {"coe_id": state.coes[name].coe_id, "child_index": 0, "service": "MATHINSTR",
            "project_id": service.project.project_id, "session_type": "regular",
            "begin_date": service.begin_date.isoformat(), "end_date": service.end_date.isoformat(), "hours": 4.5,
            **changes}


def test_the_list_shows_the_services_in_the_callers_scope_filtered(state, as_role):
    staff = as_role(Role.DISTRICT_STAFF)
    listed = staff.get("/api/v1/services/").json()["results"]
    assert [service["child_id"] for service in listed] == [state.children["d1"].child_id]
    assert listed[0]["project_id"] == "P-9001" and listed[0]["hours"] == 10
    admin = as_role(Role.STATE_ADMIN)
    d2 = state.services["d2"]
    assert [s["id"] for s in admin.get(f"/api/v1/services/?child_id={state.children['d2'].child_id}")
            .json()["results"]] == [d2.pk]
    assert [s["id"] for s in admin.get("/api/v1/services/?project_id=P-9003").json()["results"]] == [
        state.services["d3"].pk]
    after = (d2.end_date + dt.timedelta(days=1)).isoformat()
    assert admin.get(f"/api/v1/services/?begin_date={after}").json()["results"] == []
    before = (d2.begin_date - dt.timedelta(days=1)).isoformat()
    assert admin.get(f"/api/v1/services/?end_date={before}").json()["results"] == []
    assert len(admin.get(f"/api/v1/services/?begin_date={d2.end_date}&end_date={d2.begin_date}").json()["results"]) == 3
    wrong = admin.get("/api/v1/services/?begin_date=soon")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "begin_date"


def test_the_list_reads_a_page_in_as_many_queries_whatever_its_rows(state, as_role):
    admin = as_role(Role.STATE_ADMIN)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin.get("/api/v1/services/").status_code == 200
        return len(captured)

    queries()  # the first request of a token also notes its first use
    few = queries()
    for name in ("d1", "d2"):
        service = state.services[name]
        Service.objects.create(child=service.child, coe=service.coe, service="REFSERV", project=service.project,
                               begin_date=service.begin_date, end_date=service.end_date, basis=service.basis,
                               recorded_at=service.recorded_at, recorded_by="tester")
    assert queries() == few


def test_good_rows_are_recorded_and_refused_rows_listed_with_their_line(state, as_role):
    staff = as_role(Role.DISTRICT_STAFF)
    answer = staff.post("/api/v1/services/", [row(state, "d1"), row(state, "d1", service="READINSTR", hours=""),
                                              row(state, "d1", begin_date="2024-13-01")], format="json")
    assert answer.status_code == 200, answer.json()
    report = answer.json()
    assert (report["rows"], report["accepted"], report["rejected"], report["new"]) == (3, 1, 2, 1)
    assert [(refused["line"], refused["field"]) for refused in report["refused"]] == [(2, "hours"),
                                                                                      (3, "begin_date")]
    recorded = Service.objects.get(child=state.children["d1"], service="MATHINSTR")
    assert str(recorded.hours) == "4.50" and recorded.recorded_by == state.users[Role.DISTRICT_STAFF].username
    again = staff.post("/api/v1/services/", [row(state, "d1")], format="json").json()
    assert (again["new"], again["unchanged"]) == (0, 1)


def test_a_child_outside_the_callers_scope_is_refused_as_one_that_does_not_exist(state, as_role):
    staff = as_role(Role.DISTRICT_STAFF)
    hidden = row(state, "d2")
    unknown = row(state, "d2", coe_id="WI-NO-SUCH-COE")
    Child.objects.filter(pk=state.children["d2"].pk).update(state_student_id="9002000042")
    by_student = row(state, "d2", coe_id=None, child_index=None, state_student_id="9002000042")
    report = staff.post("/api/v1/services/", [hidden, unknown, by_student], format="json").json()
    assert report["accepted"] == 0 and report["rejected"] == 3
    refused = {refused["line"]: refused for refused in report["refused"]}
    assert refused[1]["field"] == refused[2]["field"] == "coe_id"
    assert refused[1]["message"] == refused[2]["message"].replace("WI-NO-SUCH-COE", state.coes["d2"].coe_id)
    assert refused[3]["field"] == "state_student_id"
    assert not Service.objects.filter(child=state.children["d2"], service="MATHINSTR").exists()
    # The state administrator may see d2 but records no service; the regional administrator may.
    assert as_role(Role.STATE_ADMIN).post("/api/v1/services/", [hidden], format="json").status_code == 403
    assert as_role(Role.REGIONAL_ADMIN).post("/api/v1/services/", [hidden], format="json").json()["new"] == 1


def test_a_body_that_is_not_an_array_of_rows_is_a_400(state, as_role):
    staff = as_role(Role.DISTRICT_STAFF)
    assert staff.post("/api/v1/services/", {"service": "MATHINSTR"}, format="json").status_code == 400
    answer = staff.post("/api/v1/services/", [row(state, "d1", hours=[1])], format="json")
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "[0].hours"
    assert staff.post("/api/v1/services/", [], format="json").json()["rows"] == 0


def test_a_reviewer_records_a_continuation_and_a_bad_one_is_refused(state, as_role):
    reviewer = as_role(Role.REVIEWER)
    child = state.children["d1"]
    after = CoeChild.objects.get(child=child).last_eligible_day + dt.timedelta(days=1)
    # The previous-term reason lasts a year past the term in which eligibility ended: a day is within it.
    body = {"child_id": child.child_id, "reason": "PREVIOUS_TERM", "begin_date": after.isoformat(),
            "end_date": after.isoformat(), "why": "no comparable services nearby"}
    answer = reviewer.post("/api/v1/continuations/", {**body, "why": " "}, format="json")
    assert answer.status_code == 400
    answer = reviewer.post("/api/v1/continuations/", {**body, "begin_date": (after - dt.timedelta(days=1))
                                                      .isoformat()}, format="json")
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "begin_date"
    answer = reviewer.post("/api/v1/continuations/", {**body, "child_id": "NO-SUCH-CHILD"}, format="json")
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "child_id"
    assert as_role(Role.DISTRICT_STAFF).post("/api/v1/continuations/", body, format="json").status_code == 403
    assert not ContinuationOfServices.objects.exists()
    answer = reviewer.post("/api/v1/continuations/", body, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["child_id"] == child.child_id
    assert ContinuationOfServices.objects.get().recorded_by == state.users[Role.REVIEWER].username
