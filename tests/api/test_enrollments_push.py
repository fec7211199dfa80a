import pytest

from mepsis.access.models import Role
from mepsis.enrollments.models import Enrollment, IngestRun

pytestmark = pytest.mark.django_db


def row(**changes):
    values = {"district_id": "9001", "school_id": "9001-01", "school_year": "2025-26", "local_student_id": "S-1",
              "first_name": "Ana", "last_name": "García Hernández", "sex": "F", "birth_date": "2014-03-02",
              "grade": "05", "entry_date": "2025-09-02"}
    return {**values, **changes}


def test_a_sis_pushes_rows_of_its_district_and_gets_the_feeds_summary_with_each_refused_row(state, as_role):
    rows = [row(), row(local_student_id="S-2", sex="W"), row(local_student_id="S-3", district_id="9002",
                                                              school_id="9002-01"), "not a row"]

    response = as_role(Role.SIS_CLIENT).post("/api/v1/enrollments/", rows, format="json")

    assert response.status_code == 200, response.json()
    summary = response.json()
    assert {key: summary[key] for key in ("rows", "accepted", "rejected", "new")} == {
        "rows": 4, "accepted": 1, "rejected": 3, "new": 1}
    refused = {item["line"]: item["errors"] for item in summary["refused"]}
    assert refused[2] == [{"code": "INVALID_VALUE", "field": "sex", "message": 'must be one of F, M, X, not "W".'}]
    assert refused[3][0]["field"] == "row" and "not one of the districts you send" in refused[3][0]["message"]
    assert refused[4][0]["message"] == "is not a JSON object."
    assert Enrollment.objects.filter(local_student_id="S-1").exists()
    assert not Enrollment.objects.filter(local_student_id__in=["S-2", "S-3"]).exists()
    assert IngestRun.objects.get(pk=summary["run"]).source == "api"


def test_the_same_rows_again_change_nothing(state, as_role):
    client = as_role(Role.SIS_CLIENT)
    client.post("/api/v1/enrollments/", [row()], format="json")

    again = client.post("/api/v1/enrollments/", [row()], format="json").json()

    assert (again["new"], again["unchanged"]) == (0, 1)


@pytest.mark.parametrize("body", [[], {"rows": []}, "text"])
def test_a_body_that_is_not_an_array_of_rows_is_a_400(state, as_role, body):
    response = as_role(Role.SIS_CLIENT).post("/api/v1/enrollments/", body, format="json")

    assert response.status_code == 400 and response.json()["errors"]


def test_a_batch_whose_every_row_is_refused_stores_nothing_and_says_why(state, as_role):
    response = as_role(Role.SIS_CLIENT).post("/api/v1/enrollments/", [row(sex="W")], format="json")

    assert response.status_code == 200
    assert {key: response.json()[key] for key in ("rows", "accepted", "rejected", "new")} == {
        "rows": 1, "accepted": 0, "rejected": 1, "new": 0}


def test_a_row_with_a_nul_character_is_refused_not_a_server_error(state, as_role):
    response = as_role(Role.SIS_CLIENT).post("/api/v1/enrollments/", [row(first_name="A\u0000na")], format="json")

    assert response.status_code == 200
    assert response.json()["refused"] == [{"line": 1, "errors": [
        {"code": "INVALID_VALUE", "field": "first_name", "message": "contains a NUL character."}]}]
