import csv
import io

import pytest

from mepsis.orgs.models import School
from mepsis.registry.actions import void_coe

pytestmark = pytest.mark.django_db


@pytest.fixture
def district_5621(state):
    """Sturgeon Bay on 2026-01-15: children enrolled and eligible (SIS says Y, N, nothing), one who left,
    one not eligible yet, one whose COE was voided, one enrolled elsewhere, one not matched."""
    district = state.district("5621")
    ana = state.certify()
    state.enroll(ana, free_reduced_lunch="Y", local_student_id="S-1")
    pedro = state.certify("Pedro", "2222222222", birth_date="2013-05-05")
    state.enroll(pedro, free_reduced_lunch="N", local_student_id="S-2")
    luz = state.certify("Luz", None, birth_date="2015-01-10", last_name_1="Ortiz")
    state.enroll(luz, free_reduced_lunch="", local_student_id="S-3", grade="04")
    gone = state.certify("Marta", "4444444444", birth_date="2012-02-02")
    state.enroll(gone, exit="2026-01-14", exit_reason="MOVED_OUT_OF_STATE")
    later = state.certify("Juan", "5555555555", birth_date="2011-03-03", qad="2026-01-16")
    state.enroll(later)
    voided = state.certify("Rosa", "6666666666", birth_date="2010-04-04")
    state.enroll(voided)
    void_coe(voided.coe_entries.get().coe.coe_id, actor="tester", reason="FOUND_INELIGIBLE", why="re-interview")
    elsewhere = state.certify("Eva", "7777777777", birth_date="2012-05-05")
    state.enroll(elsewhere, state.district("3619"))
    state.enroll(None)
    return district


def migrant_list(mepsis, *options):
    ran = mepsis("export", "migrant-list", "--district", "5621", "--on", "2026-01-15", *options)
    assert ran.code == 0, ran.err
    return ran


def test_the_list_has_the_enrolled_eligible_children_and_flags_those_the_sis_must_fix(district_5621, mepsis):
    ran = migrant_list(mepsis, "--format", "json")

    listing = ran.json()
    assert (listing["district_id"], listing["on"]) == ("5621", "2026-01-15")
    rows = {row["first_name"]: row for row in listing["children"]}
    assert sorted(rows) == ["Ana", "Luz", "Pedro"], "no one who left, is not eligible, or is in another district"
    assert {name: (row["sis_free_reduced_lunch"], row["fix_in_sis"]) for name, row in rows.items()} == {
        "Ana": ("Y", False), "Pedro": ("N", True), "Luz": (None, True)}
    assert all(row["categorically_eligible_free_meals"] is True for row in rows.values())
    ana = rows["Ana"]
    assert {name: ana[name] for name in ("state_student_id", "local_student_id", "last_name_1", "birth_date",
                                         "school_id", "grade", "entry_date", "eligibility_start",
                                         "last_eligible_day")} == {
        "state_student_id": "1234567890", "local_student_id": "S-1", "last_name_1": "García",
        "birth_date": "2014-03-02", "school_id": "5621-01", "grade": "05", "entry_date": "2025-09-02",
        "eligibility_start": "2025-06-01", "last_eligible_day": "2028-05-31"}
    assert ana["child_id"].startswith("WI")
    assert "3 enrolled eligible children, 2 to record" in ran.err


def test_the_csv_list_has_a_header_and_a_row_a_child(district_5621, mepsis):
    ran = migrant_list(mepsis)

    rows = list(csv.DictReader(io.StringIO(ran.out)))
    assert [row["first_name"] for row in rows] == ["Ana", "Pedro", "Luz"], "ordered by last name"
    assert [(row["sis_free_reduced_lunch"], row["fix_in_sis"]) for row in rows] == [
        ("Y", "false"), ("N", "true"), ("", "true")]
    assert rows[0]["categorically_eligible_free_meals"] == "true"


def test_a_child_who_exits_on_the_day_is_still_on_the_list_that_day(district_5621, mepsis):
    ran = mepsis("export", "migrant-list", "--district", "5621", "--on", "2026-01-14", "--format", "json")

    assert "Marta" in {row["first_name"] for row in ran.json()["children"]}


def test_an_enrollment_left_open_last_school_year_is_not_current(state, mepsis):
    ana = state.certify()
    state.enroll(ana, school_year="2024-25", entry="2025-06-02")

    ran = mepsis("export", "migrant-list", "--district", "5621", "--on", "2025-09-15", "--format", "json")

    assert ran.json()["children"] == []


def test_a_child_in_two_schools_of_the_district_is_listed_once(state, mepsis):
    ana = state.certify()
    district = state.district("5621")
    state.enroll(ana, entry="2025-09-02")
    School.objects.create(district=district, school_id="5621-02", name="Second")
    second = state.enroll(ana, entry="2025-11-03")
    second.school = district.schools.get(school_id="5621-02")
    second.save()

    ran = mepsis("export", "migrant-list", "--district", "5621", "--on", "2026-01-15", "--format", "json")

    assert [(row["school_id"], row["entry_date"]) for row in ran.json()["children"]] == [("5621-02", "2025-11-03")]


def test_an_unknown_district_is_an_input_error(mepsis, db):
    ran = mepsis("export", "migrant-list", "--district", "0000")

    assert ran.code == 1 and "There is no district 0000" in ran.err


def test_the_district_is_required(mepsis):
    assert mepsis("export", "migrant-list").code == 2
