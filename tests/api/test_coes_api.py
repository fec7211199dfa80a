import pytest

from mepsis.access.models import AuditEvent, CoeAuthor, Role
from mepsis.registry import actions
from mepsis.registry.models import Coe, CoeVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_document(example_coe):
    document = example_coe()
    del document["status"], document["signatures"]["reviewer"]
    document["coe_id"] = "WI-2025-API001"
    document["qualifying_move"]["to"]["district_id"] = "9001"
    return document


@pytest.fixture
def submitted(state, as_role, draft_document):
    """A COE the recruiter wrote and submitted through the API."""
    recruiter = as_role(Role.RECRUITER)
    assert recruiter.post("/api/v1/coes/", draft_document, format="json").status_code == 201
    assert recruiter.post("/api/v1/coes/WI-2025-API001/submit/", {}, format="json").status_code == 200
    return Coe.objects.get(coe_id="WI-2025-API001")


def test_a_recruiter_writes_a_draft_that_comes_back_judged_with_its_version_and_is_theirs(state, as_role,
                                                                                          draft_document):
    draft_document["comments"] = ""
    draft_document["qualifying_move"]["work"]["duration"] = "temporary"
    draft_document["qualifying_move"]["temporary_basis"] = "worker_statement"

    response = as_role(Role.RECRUITER).post("/api/v1/coes/", draft_document, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["coe_id"], body["status"], body["version"], response["ETag"]) == ("WI-2025-API001", "draft", 1, '"1"')
    assert body["children"][0]["child_id"]
    assert [warning["code"] for warning in body["findings"]["warnings"]] == ["COMMENTS_RECOMMENDED"]
    assert CoeAuthor.objects.filter(coe__coe_id="WI-2025-API001", user=state.users[Role.RECRUITER]).exists()
    assert as_role(Role.RECRUITER).get("/api/v1/coes/WI-2025-API001/").status_code == 200


def test_a_coe_without_an_id_gets_one_and_a_coe_written_as_approved_is_refused(state, as_role, draft_document):
    del draft_document["coe_id"]
    recruiter = as_role(Role.RECRUITER)

    made = recruiter.post("/api/v1/coes/", draft_document, format="json")
    refused = recruiter.post("/api/v1/coes/", {**draft_document, "status": "approved"}, format="json")

    assert made.status_code == 201 and made.json()["coe_id"].startswith("WI-2025-")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "status"


def test_an_incomplete_coe_is_refused_with_the_rules_engines_codes_and_nothing_is_saved(state, as_role,
                                                                                       draft_document):
    del draft_document["children"][0]["birth_date"]
    draft_document["qualifying_move"]["moved"] = "with_parent"
    before = (Coe.objects.count(), CoeVersion.objects.count(), AuditEvent.objects.filter(action="coe.created").count())

    response = as_role(Role.RECRUITER).post("/api/v1/coes/", draft_document, format="json")

    assert response.status_code == 400
    assert {(error["code"], error["field"]) for error in response.json()["errors"]} >= {
        ("MISSING_FIELD", "children[0].birth_date"), ("INVALID_VALUE", "qualifying_move.moved")}
    assert all(error["message"] for error in response.json()["errors"])
    assert (Coe.objects.count(), CoeVersion.objects.count(),
            AuditEvent.objects.filter(action="coe.created").count()) == before


def test_a_coe_already_written_is_not_written_again(state, as_role, draft_document):
    recruiter = as_role(Role.RECRUITER)
    recruiter.post("/api/v1/coes/", draft_document, format="json")

    again = recruiter.post("/api/v1/coes/", draft_document, format="json")

    assert again.status_code == 409 and "already exists" in again.json()["detail"]


def test_a_returned_coe_is_corrected_by_put_and_resubmitted(state, as_role, submitted, draft_document):
    reviewer, recruiter = as_role(Role.REVIEWER), as_role(Role.RECRUITER)
    url = "/api/v1/coes/WI-2025-API001/"
    returned = reviewer.post(url + "return/", {"reasons": ["Name the orchard."]}, format="json").json()
    assert (returned["status"], returned["return_reasons"]) == ("returned", ["Name the orchard."])

    read = recruiter.get(url)
    corrected = recruiter.put(url, {**read.json(), "comments": "Orchard on Hwy 42."}, format="json",
                              HTTP_IF_MATCH=read["ETag"])
    assert corrected.status_code == 200, corrected.json()
    assert (corrected.json()["version"], corrected.json()["comments"]) == (2, "Orchard on Hwy 42.")
    assert recruiter.post(url + "submit/", {"version": 2}, format="json").json()["status"] == "submitted"
    approved = reviewer.post(url + "approve/", {"reviewer_name": "J. Lee", "date": "2025-06-24"}, format="json")
    assert approved.json()["status"] == "approved"
    assert approved.json()["signatures"]["reviewer"] == {"name": "J. Lee", "date": "2025-06-24"}
    assert recruiter.put(url, {**read.json()}, format="json").status_code == 409  # approved: no more edits


def test_a_return_without_reasons_and_a_reject_without_why_are_refused_by_field(state, as_role, submitted):
    reviewer = as_role(Role.REVIEWER)
    url = "/api/v1/coes/WI-2025-API001/"

    no_reasons = reviewer.post(url + "return/", {"reasons": []}, format="json")
    no_why = reviewer.post(url + "reject/", {}, format="json")

    assert [e["field"] for e in no_reasons.json()["errors"]] == ["reasons"] and no_reasons.status_code == 400
    assert [(e["code"], e["field"]) for e in no_why.json()["errors"]] == [("MISSING_FIELD", "why")]
    assert Coe.objects.get(coe_id="WI-2025-API001").status == "submitted"


def test_two_reviewers_acting_at_once_one_wins_and_the_other_gets_409_and_nothing_is_lost(state, as_role, api,
                                                                                      submitted):
    from mepsis.access.testing import make_user

    first, second = as_role(Role.REVIEWER), api(make_user(Role.REVIEWER))
    url = "/api/v1/coes/WI-2025-API001/"
    etag = first.get(url)["ETag"]
    assert second.get(url)["ETag"] == etag

    approved = first.post(url + "approve/", {}, format="json", HTTP_IF_MATCH=etag)
    late = second.post(url + "return/", {"reasons": ["Check the QAD."]}, format="json", HTTP_IF_MATCH=etag)

    assert approved.status_code == 200
    assert late.status_code == 409
    assert "changed since you read it" in late.json()["detail"] and late.json()["errors"][0]["code"] == "CONFLICT"
    coe = Coe.objects.get(coe_id="WI-2025-API001")
    assert (coe.status, coe.return_reasons) == ("approved", [])


def test_a_review_step_on_a_coe_another_reviewer_already_decided_gets_409_even_without_a_version(state, as_role,
                                                                                               submitted):
    url = "/api/v1/coes/WI-2025-API001/"
    as_role(Role.REVIEWER).post(url + "reject/", {"why": "Moved within the district."}, format="json")

    late = as_role(Role.REVIEWER).post(url + "approve/", {}, format="json")

    assert late.status_code == 409 and "is rejected" in late.json()["detail"]


def test_the_registry_action_refuses_a_stale_version_and_changes_nothing(state, submitted):
    with pytest.raises(actions.Conflict, match="changed since you read it"):
        actions.reject_coe("WI-2025-API001", actor="reviewer", why="no", expected_version=7)
    with pytest.raises(actions.Conflict):
        actions.revise_coe("WI-2025-API001", {}, actor="recruiter", expected_version=7)
    assert Coe.objects.get(coe_id="WI-2025-API001").status == "submitted"


def test_a_bad_version_is_a_400_not_a_conflict(state, as_role, submitted):
    response = as_role(Role.REVIEWER).post("/api/v1/coes/WI-2025-API001/reject/", {"why": "x"}, format="json",
                                           HTTP_IF_MATCH='"three"')

    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "version"


def test_reading_a_coe_is_audited(state, as_role):
    coe = state.coes["d1"].coe_id

    as_role(Role.AUDITOR).get(f"/api/v1/coes/{coe}/")

    assert AuditEvent.objects.filter(action="coe.read", object_id=coe, actor="auditor").count() == 1


def test_a_body_that_is_not_json_is_a_400_with_its_code(state, as_role):
    response = as_role(Role.RECRUITER).post("/api/v1/coes/", "{not json", content_type="application/json")

    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "INVALID_JSON"


def test_a_coe_cannot_claim_a_child_the_recruiter_does_not_see(state, as_role, draft_document):
    draft_document["children"][0]["child_id"] = state.children["d1"].child_id

    response = as_role(Role.RECRUITER).post("/api/v1/coes/", draft_document, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "children[0].child_id"
    assert not Coe.objects.filter(coe_id="WI-2025-API001").exists()


def test_a_document_with_a_nul_character_is_a_400_on_either_database(state, as_role, draft_document):
    draft_document["comments"] = "orchard\u0000"

    response = as_role(Role.RECRUITER).post("/api/v1/coes/", draft_document, format="json")

    assert response.status_code == 400 and not Coe.objects.filter(coe_id="WI-2025-API001").exists()
