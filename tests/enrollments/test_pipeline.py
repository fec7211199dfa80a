"""The state data flow of domain.md, end to end through the command line: a feed arrives, the district is
alerted, the child's migrant status is published; the same feed again raises nothing; a re-interview voids
the COE and the published record is withdrawn."""

import csv
import json
from pathlib import Path

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator

from mepsis.enrollments.feed import COLUMNS
from mepsis.registry.actions import void_coe

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parents[1] / "fixtures" / "smepa.schema.json").read_text())
ORGS = (
    "district_id,district_name,school_id,school_name,nces_district_id,nces_school_id,region,grades,edfi_id\n"
    "5621,Sturgeon Bay School District,,,5514250,,CESA 7,,255621\n"
    "5621,Sturgeon Bay School District,0020,Sunrise Elementary,5514250,551425001234,CESA 7,PK-05,\n"
)


@pytest.fixture
def files(tmp_path, example_coe):
    orgs, coes, feed = tmp_path / "orgs.csv", tmp_path / "coes.jsonl", tmp_path / "feed.csv"
    orgs.write_text(ORGS)
    coes.write_text(json.dumps(example_coe()) + "\n")
    with feed.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerow({column: "" for column in COLUMNS} | {
            "district_id": "5621", "school_id": "0020", "school_year": "2025-26", "local_student_id": "S-1001",
            "state_student_id": "1234567890", "first_name": "Ana", "last_name": "García Hernández", "sex": "F",
            "birth_date": "2014-03-02", "grade": "05", "entry_date": "2025-09-02", "free_reduced_lunch": "N"})
    return orgs, coes, feed


def test_a_feed_alerts_the_district_publishes_smepa_and_a_voided_coe_withdraws_it(mepsis, files, tmp_path):
    orgs, coes, feed = files
    assert mepsis("orgs", "load", orgs).code == 0
    assert mepsis("coe", "import", coes).code == 0

    summary = mepsis("enrollments", "ingest", feed, "--format", "json").json()

    assert (summary["matched_auto"], summary["alerts"]) == (1, 2)
    (district_alert,) = mepsis("alerts", "list", "--district", "5621", "--open", "--format", "json").json()
    assert [child["first_name"] for child in district_alert["children"]] == ["Ana"]
    (record,) = [json.loads(line) for line in mepsis("export", "smepa").out.splitlines()]
    Draft202012Validator(SCHEMA).validate(record)
    assert (record["studentReference"], record["educationOrganizationReference"], record["beginDate"],
            record["lastQualifyingMove"]) == ({"studentUniqueId": "1234567890"}, {"educationOrganizationId": 255621},
                                              "2025-09-02", "2025-06-01")
    listed = mepsis("export", "migrant-list", "--district", "5621", "--on", "2025-10-01", "--format", "json").json()
    (ana,) = listed["children"]
    assert (ana["state_student_id"], ana["fix_in_sis"]) == ("1234567890", True)

    again = mepsis("enrollments", "ingest", feed, "--format", "json").json()
    assert (again["unchanged"], again["matched_auto"], again["alerts"]) == (1, 0, 0)

    before_void = timezone.now().isoformat()
    assert mepsis("export", "smepa", "--since", before_void).out == "", "nothing changed since"
    void_coe("WI-2025-000123", actor="reviewer", reason="FOUND_INELIGIBLE", why="re-interview: no qualifying work")

    withdrawn = tmp_path / "withdrawn.jsonl"
    assert mepsis("export", "smepa", "--since", before_void, "--withdrawn", withdrawn).out == ""
    (key,) = [json.loads(line) for line in withdrawn.read_text().splitlines()]
    assert key["withdrawn"] is True and key["key"]["studentReference"] == {"studentUniqueId": "1234567890"}
    after_void = mepsis("export", "migrant-list", "--district", "5621", "--on", "2025-10-01", "--format", "json")
    assert after_void.json()["children"] == []
