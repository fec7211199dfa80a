import csv
import json

import pytest

from mepsis.access.models import AuditEvent
from mepsis.enrollments.feed import COLUMNS
from mepsis.enrollments.models import Enrollment, EnrollmentChange
from mepsis.matching.models import MatchCandidate
from mepsis.registry.actions import save_coes
from mepsis.registry.models import Child

pytestmark = pytest.mark.django_db

ORGS = (
    "district_id,district_name,school_id,school_name,nces_district_id,nces_school_id,region,grades,edfi_id\n"
    "5621,Sturgeon Bay School District,,,5514250,,CESA 7,,255621\n"
    "5621,Sturgeon Bay School District,0020,Sunrise Elementary,5514250,551425001234,CESA 7,PK-05,\n"
    "5621,Sturgeon Bay School District,0040,Sturgeon Bay High,5514250,551425001240,CESA 7,09-12,\n"
    "3619,Hartford J1 School District,0100,Central Middle,5506030,550603000800,CESA 1,06-08,\n"
)


def row(**values):
    """Ana García Hernández of the interfaces.md COE, enrolled in Sturgeon Bay, as her SIS sends her."""
    base = {"district_id": "5621", "school_id": "0020", "school_year": "2025-26", "local_student_id": "S-1001",
            "state_student_id": "1234567890", "first_name": "Ana", "last_name": "Garcia Hernandez",
            "sex": "F", "birth_date": "2014-03-02", "grade": "05", "entry_date": "2025-09-02",
            "free_reduced_lunch": "Y"}
    return {column: "" for column in COLUMNS} | base | values


@pytest.fixture
def state(mepsis, tmp_path, example_coe):
    orgs = tmp_path / "orgs.csv"
    orgs.write_text(ORGS)
    assert mepsis("orgs", "load", orgs).code == 0
    save_coes([("test", example_coe())], actor="test", why="test")


def ingest(mepsis, path, *extra):
    ran = mepsis("enrollments", "ingest", path, "--format", "json", *extra)
    return ran, (ran.json() if ran.out else None)


def test_a_feed_is_stored_matched_and_summarised(state, mepsis, feed):
    ran, summary = ingest(mepsis, feed(row(), row(local_student_id="S-2000", state_student_id="9999999999",
                                               first_name="Pedro", last_name="Smith", birth_date="2013-05-05",
                                               sex="M")))

    assert ran.code == 0
    assert {key: summary[key] for key in ("rows", "accepted", "rejected", "new", "updated", "unchanged",
                                          "matched_auto", "matched_review")} == {
        "rows": 2, "accepted": 2, "rejected": 0, "new": 2, "updated": 0, "unchanged": 0, "matched_auto": 1,
        "matched_review": 0}
    ana = Enrollment.objects.get(local_student_id="S-1001")
    assert (ana.child.first_name, ana.match_method) == ("Ana", "state_student_id")
    assert Enrollment.objects.get(local_student_id="S-2000").child is None
    assert set(summary) >= {"alerts", "seconds"}


def test_the_same_feed_again_changes_nothing(state, mepsis, feed):
    path = feed(row(), row(local_student_id="S-2000", first_name="Pedro", state_student_id=""))
    ingest(mepsis, path)
    events = AuditEvent.objects.exclude(action="enrollments.ingested").count()

    ran, summary = ingest(mepsis, path)

    assert (summary["new"], summary["updated"], summary["unchanged"], summary["matched_auto"]) == (0, 0, 2, 0)
    assert Enrollment.objects.count() == 2 and not EnrollmentChange.objects.exists()
    assert AuditEvent.objects.exclude(action="enrollments.ingested").count() == events


def test_a_changed_row_updates_the_enrollment_and_keeps_what_it_said(state, mepsis, feed):
    ingest(mepsis, feed(row()))

    ran, summary = ingest(mepsis, feed(row(grade="06", exit_date="2026-01-15", exit_reason="MOVED_OUT_OF_STATE")))

    assert (summary["updated"], summary["new"]) == (1, 0)
    enrollment = Enrollment.objects.get()
    assert (enrollment.grade, str(enrollment.exit_date), enrollment.exit_reason) == ("06", "2026-01-15",
                                                                                     "MOVED_OUT_OF_STATE")
    change = EnrollmentChange.objects.get()
    assert (change.before["grade"], change.before["exit_date"], change.before["exit_reason"]) == ("05", None, "")
    assert enrollment.child is not None, "a change keeps the enrollment's link to its child"


@pytest.mark.parametrize(("values", "reason"), [
    ({"first_name": ""}, "first_name: is required."),
    ({"birth_date": "03/02/2014"}, 'birth_date: must be a date written YYYY-MM-DD, not "03/02/2014".'),
    ({"birth_date": "2014-02-30"}, 'birth_date: must be a date written YYYY-MM-DD, not "2014-02-30".'),
    ({"district_id": "0000"}, 'district_id: is not one of the state\'s districts: "0000".'),
    ({"school_id": "0100"}, 'school_id: is not a school of district 5621: "0100".'),
    ({"sex": "W"}, 'sex: must be one of F, M, X, not "W".'),
    ({"grade": "5"}, 'grade: must be one of PK, KG, 01, 02, 03, 04, 05, 06, 07, 08, 09, 10, 11, 12, UG, not "5".'),
    ({"school_year": "2025-2026"}, 'school_year: must be two consecutive years written like 2025-26, not "2025-2026".'),
    ({"entry_date": "2025-06-30"}, "entry_date: is outside the school year 2025-26 (July 1 to June 30)."),
    ({"exit_date": "2025-09-01", "exit_reason": "OTHER"}, "exit_date: is before the entry date."),
    ({"exit_date": "2025-12-01"}, "exit_reason: is required when there is an exit date."),
    ({"exit_reason": "OTHER"}, "exit_date: is required when there is an exit reason."),
    ({"free_reduced_lunch": "yes"}, 'free_reduced_lunch: must be one of Y, N, not "yes".'),
    ({"local_student_id": "x" * 41}, "local_student_id: is longer than 40 characters."),
])
def test_a_bad_row_is_refused_with_its_line_and_reason_and_the_good_rows_are_kept(state, mepsis, feed, values, reason):
    ran, summary = ingest(mepsis, feed(row(local_student_id="S-0001", state_student_id=""), row(**values)))

    assert ran.code == 1
    assert (summary["accepted"], summary["rejected"]) == (1, 1)
    (refusal,) = [line for line in ran.err.splitlines() if "feed.csv:3: " in line]
    assert reason in refusal.split("feed.csv:3: ", 1)[1].split("; ")
    assert Enrollment.objects.count() == 1


def test_a_row_given_twice_in_one_feed_is_taken_once(state, mepsis, feed):
    ran, summary = ingest(mepsis, feed(row(), row(grade="06")))

    assert (summary["accepted"], summary["rejected"]) == (1, 1)
    assert "feed.csv:3: row: is the same enrollment" in ran.err and "as line 2." in ran.err


def test_the_refused_rows_go_to_the_rejects_file_with_their_reasons(state, mepsis, feed, tmp_path):
    rejects = tmp_path / "rejects.csv"

    ingest(mepsis, feed(row(), row(local_student_id="S-9", sex="", grade="13")), "--rejects", rejects)

    (refused,) = list(csv.DictReader(rejects.open()))
    assert refused["line"] == "3" and refused["local_student_id"] == "S-9"
    assert refused["reasons"] == 'sex: is required.; grade: must be one of PK, KG, 01, 02, 03, 04, 05, 06, 07, 08, 09, 10, 11, 12, UG, not "13".'


def test_a_row_with_too_many_fields_is_refused_and_the_rest_is_read(state, mepsis, feed, tmp_path):
    path = feed(row(), row(local_student_id="S-3"))
    lines = path.read_text().splitlines()
    lines[1] += ",extra"
    path.write_text("\n".join(lines) + "\n")

    ran, summary = ingest(mepsis, path)

    assert ran.code == 1 and (summary["accepted"], summary["rejected"]) == (1, 1)
    assert f"feed.csv:2: row: has {len(COLUMNS) + 1} fields where the header has {len(COLUMNS)}." in ran.err


@pytest.mark.parametrize(("content", "message"), [
    (b"district_id,school_id\n5621,0020\n", "there is no column school_year"),
    ("district_id,school_id\n".encode() + "5621,\xe9cole\n".encode("latin-1"), "line 2 is not UTF-8 text"),
    (b"", "the file is empty"),
])
def test_a_file_that_cannot_be_read_is_refused_whole_with_exit_2(state, mepsis, tmp_path, content, message):
    path = tmp_path / "feed.csv"
    path.write_bytes(content)

    ran = mepsis("enrollments", "ingest", path)

    assert ran.code == 2 and message in ran.err
    assert not Enrollment.objects.exists()


def test_a_csv_with_a_byte_order_mark_and_json_lines_read_the_same(state, mepsis, feed, tmp_path):
    csv_path = feed(row())
    csv_path.write_bytes(b"\xef\xbb\xbf" + csv_path.read_bytes())
    lines = tmp_path / "feed.jsonl"
    lines.write_text(json.dumps(row(local_student_id="S-2")) + "\n\nnot json\n")

    assert ingest(mepsis, csv_path)[1]["accepted"] == 1
    ran, summary = ingest(mepsis, lines)

    assert (summary["accepted"], summary["rejected"]) == (1, 1)
    assert "feed.jsonl:3: row: is not JSON" in ran.err


def test_a_certified_child_without_a_state_id_is_matched_by_exact_identity_and_takes_the_id(
        state, mepsis, feed, example_coe):
    sibling = example_coe()
    sibling["coe_id"] = "WI-2025-000124"
    sibling["children"] = [dict(sibling["children"][0], first_name="Mateo José", birth_date="2016-09-10", sex="M",
                                state_student_id=None)]
    save_coes([("test", sibling)], actor="test", why="test")

    ran, summary = ingest(mepsis, feed(row(local_student_id="S-77", state_student_id="5550001111",
                                           first_name="MATEO JOSE", last_name="García-Hernández",
                                           birth_date="2016-09-10", sex="M", grade="03")))

    assert summary["matched_auto"] == 1
    mateo = Child.objects.get(first_name="Mateo José")
    assert mateo.state_student_id == "5550001111"
    assert Enrollment.objects.get().match_method == "exact_identity"
    event = AuditEvent.objects.get(action="child.state_student_id_linked")
    assert (event.object_id, event.after) == (mateo.child_id, {"state_student_id": "5550001111"})


def test_the_state_id_decides_whose_enrollment_it_is_even_when_the_name_is_another_child_s(
        state, mepsis, feed, example_coe):
    twin = example_coe()
    twin["coe_id"] = "WI-2025-000124"
    twin["children"] = [dict(twin["children"][0], first_name="Lucía", state_student_id=None)]
    save_coes([("test", twin)], actor="test", why="test")

    ran, summary = ingest(mepsis, feed(row(first_name="Lucia", state_student_id="1234567890")))

    enrollment = Enrollment.objects.get()
    assert enrollment.child.first_name == "Ana", "the id decides: it is Ana's enrollment"
    assert Child.objects.get(first_name="Lucía").state_student_id is None


def test_an_identity_match_whose_state_id_another_child_holds_goes_to_the_review_list(
        state, mepsis, feed, example_coe):
    lucia = example_coe()
    lucia["coe_id"] = "WI-2025-000124"
    lucia["children"] = [dict(lucia["children"][0], first_name="Lucía", birth_date="2015-04-04",
                              state_student_id=None)]
    save_coes([("test", lucia)], actor="test", why="test")
    Child.objects.create(child_id="WI0000000018", first_name="Other", last_name_1="Child", sex="F",
                         birth_date="2015-01-01", state_student_id="7777777777")

    ran, summary = ingest(mepsis, feed(row(first_name="Lucía", birth_date="2015-04-04",
                                           state_student_id="7777777777", grade="04")))

    assert (summary["matched_auto"], summary["matched_review"]) == (0, 1)
    candidate = MatchCandidate.objects.get()
    assert (candidate.child.first_name, candidate.reason) == ("Lucía", "STATE_ID_HELD_BY_ANOTHER_CHILD")
    assert Enrollment.objects.get().child is None
    assert ingest(mepsis, feed(row(first_name="Lucía", birth_date="2015-04-04", state_student_id="7777777777",
                                   grade="04")))[1]["matched_review"] == 0, "a pair is proposed once"


def test_a_child_on_a_coe_that_is_not_approved_is_not_matched(state, mepsis, feed, example_coe):
    draft = example_coe()
    draft.update(coe_id="WI-2025-000124", status="submitted")
    draft["children"] = [dict(draft["children"][0], first_name="Sofía", state_student_id="2222222222")]
    save_coes([("test", draft)], actor="test", why="test")

    ran, summary = ingest(mepsis, feed(row(first_name="Sofia", state_student_id="2222222222")))

    assert summary["matched_auto"] == 0 and Enrollment.objects.get().child is None


def test_an_exact_identity_enrolled_outside_the_region_of_the_move_goes_to_review_not_linked(
        state, mepsis, feed, example_coe):
    sibling = example_coe()
    sibling["coe_id"] = "WI-2025-000124"
    sibling["children"] = [dict(sibling["children"][0], first_name="Mateo", birth_date="2016-09-10", sex="M",
                                state_student_id=None)]
    save_coes([("test", sibling)], actor="test", why="test")

    ran, summary = ingest(mepsis, feed(row(district_id="3619", school_id="0100", local_student_id="H-1",
                                           state_student_id="5550001111", first_name="Mateo",
                                           birth_date="2016-09-10", sex="M", grade="03")))

    assert (summary["matched_auto"], summary["matched_review"]) == (0, 1)
    assert MatchCandidate.objects.get().reason == "FAR_FROM_THE_MOVE"
    assert Child.objects.get(first_name="Mateo").state_student_id is None
