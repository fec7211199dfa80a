"""The federal child counts, set-based (mepsis.reports.child_count): one hand-built scenario per rule of
domain.md's counts (issue 7, "Correctness"), each expected count written by hand, through the registry's
real COE import; and `mepsis report child-count` with --explain, --list and a district's suppressed count."""

import csv
import datetime as dt

import pytest
from django.utils import timezone

from mepsis.delivery.models import Project, Service
from mepsis.registry.models import Child
from mepsis.registry.queries import iter_documents
from mepsis.reports.child_count import CATEGORY_1, CATEGORY_2, child_count, counted_children

D = dt.date.fromisoformat
PERIOD = "2024-25"  # 2024-09-01 .. 2025-08-31

pytestmark = pytest.mark.django_db


def serve(child: Child, begin: str, end: str, *, session="summer", service="READINSTR", basis="eligible",
          project_id=None) -> Service:
    project, _ = Project.objects.get_or_create(project_id=project_id or f"P-{session}",
                                               defaults={"session_type": session, "name": session})
    return Service.objects.create(child=child, service=service, project=project, begin_date=D(begin),
                                  end_date=D(end), hours=10 if service != "SUPPSERV" else None, basis=basis,
                                  recorded_at=timezone.now(), recorded_by="tester")


def void(state, child: Child) -> None:
    """The child's COE voided after a re-interview found it wrong."""
    entry = child.coe_entries.select_related("coe").get()
    document = next(doc for doc in iter_documents() if doc["coe_id"] == entry.coe.coe_id)
    document["status"], document["void_reason"] = "void", "FOUND_INELIGIBLE"
    state.save(document)


def ids(category: str) -> dict[str, tuple]:
    return {row.child_id: (row.day, row.age_grade) for row in counted_children(PERIOD, category)}


@pytest.fixture
def scenarios(state):
    """One child per rule; the comments give the expected answer, worked out by hand."""
    s = {}
    # Turns 3 on 2025-01-10, eligible and resident all period: Category 1 from that day, aged 3-5.
    s["turns_3"] = state.certify("Tres", "S01", qad="2024-06-01", birth_date="2022-01-10")
    # Turns 22 on 2024-10-01: eligibility ends 2024-09-30 (the day before), so counted on 2024-09-01.
    s["turns_22_in"] = state.certify("Veinti", "S02", qad="2024-06-01", birth_date="2002-10-01")
    # Turned 22 on 2024-09-01: last eligible day 2024-08-31, the day before the period: not counted.
    s["turns_22_before"] = state.certify("Viejo", "S03", qad="2024-06-01", birth_date="2002-09-01")
    # Eligibility starts 2025-06-01 (QAD), mid-period: counted from that day.
    s["starts_mid"] = state.certify("Nueva", "S04", qad="2025-06-01")
    # QAD 2021-11-15: eligible through 2024-11-14, so counted on the period's first day.
    s["ends_mid"] = state.certify("Fin", "S05", qad="2021-11-15")
    # QAD 2021-09-01: eligible through 2024-08-31, the day before the period: not counted.
    s["ended_before"] = state.certify("Antes", "S06", qad="2021-09-01")
    # Left the state on 2024-08-20 and came back with a new qualifying move on 2025-03-03: counted that day.
    s["came_back"] = state.certify("Vuelve", "S07", qad="2024-06-01")
    state.enroll(s["came_back"], entry="2024-07-01", exit="2024-08-20", exit_reason="MOVED_OUT_OF_STATE",
                 school_year="2024-25", grade="04")
    state.certify("Vuelve", "S07", qad="2025-03-03")
    # Left the state on 2024-08-20 and never came back: not counted in Category 1.
    s["left"] = state.certify("Fuera", "S08", qad="2024-06-01")
    state.enroll(s["left"], entry="2024-07-01", exit="2024-08-20", exit_reason="MOVED_OUT_OF_STATE",
                 school_year="2024-25")
    # Eligibility ended 2024-06-30; served in the summer of 2025 only under continuation: in neither count.
    s["continuation"] = state.certify("Sigue", "S09", qad="2021-07-01")
    serve(s["continuation"], "2025-07-07", "2025-07-31", basis="continuation")
    # Found ineligible in a re-interview (COE void): in neither count, though served in the summer.
    s["ineligible"] = state.certify("Nada", "S10", qad="2024-06-01")
    serve(s["ineligible"], "2025-07-07", "2025-07-31")
    void(state, s["ineligible"])
    # Eligible through 2025-07-06; served in a summer project from 2025-07-07, the day after: Category 1
    # only. Served in a regular-year project all year: that does not make Category 2 either.
    s["day_after"] = state.certify("Tarde", "S11", qad="2022-07-07")
    serve(s["day_after"], "2025-07-07", "2025-07-25")
    serve(s["day_after"], "2024-09-03", "2025-06-10", session="regular")
    # The same, served from 2025-07-06, its last eligible day: Category 2 on 2025-07-06, in grade 05.
    s["last_day"] = state.certify("Justo", "S12", qad="2022-07-07")
    state.enroll(s["last_day"], entry="2024-09-03", school_year="2024-25", grade="05")
    serve(s["last_day"], "2025-07-06", "2025-07-25")
    # Referred in the summer (a referral is not a MEP-funded service): not in Category 2.
    s["referred"] = state.certify("Referido", "S13", qad="2024-06-01")
    serve(s["referred"], "2025-07-07", "2025-07-10", service="REFSERV")
    return s


def test_each_rule_of_the_counts_gives_the_count_worked_out_by_hand(scenarios):
    name = {child.child_id: key for key, child in scenarios.items()}

    # A child with no enrollment on or before the day goes by age: born 2014-03-02 (the default), out of
    # school (OOS) at 10; "came_back" was enrolled in grade 04 before leaving.
    assert {name[child_id]: value for child_id, value in ids(CATEGORY_1).items()} == {
        "turns_3": (D("2025-01-10"), "3TO5NOTK"),
        "turns_22_in": (D("2024-09-01"), "OOS"),
        "starts_mid": (D("2025-06-01"), "OOS"),
        "ends_mid": (D("2024-09-01"), "OOS"),
        "came_back": (D("2025-03-03"), "04"),
        "day_after": (D("2024-09-01"), "OOS"),
        "last_day": (D("2024-09-01"), "OOS"),
        "referred": (D("2024-09-01"), "OOS"),
    }
    assert {name[child_id]: value for child_id, value in ids(CATEGORY_2).items()} == {
        "last_day": (D("2025-07-06"), "05"),
    }
    count = child_count(PERIOD)
    assert (count.category1, count.category2) == (8, 1)
    assert count.by_age_grade == {CATEGORY_1: {"3TO5NOTK": 1, "04": 1, "OOS": 6}, CATEGORY_2: {"05": 1}}


def test_the_command_gives_the_counts_of_interfaces_md(scenarios, mepsis):
    ran = mepsis("report", "child-count", "--period", PERIOD, "--format", "json")

    assert ran.code == 0, ran.err
    assert ran.json() == {"period": PERIOD, "category1": 8, "category2": 1,
                          "by_age_grade": {"category1": {"3TO5NOTK": 1, "04": 1, "OOS": 6},
                                           "category2": {"05": 1}}}
    ran = mepsis("report", "child-count", "--period", PERIOD, "--format", "csv")
    assert list(csv.reader(ran.out.splitlines())) == [
        ["period", "category", "age_grade", "count"],
        [PERIOD, "category1", "3TO5NOTK", "1"], [PERIOD, "category1", "04", "1"], [PERIOD, "category1", "OOS", "6"],
        [PERIOD, "category1", "TOTAL", "8"], [PERIOD, "category2", "05", "1"], [PERIOD, "category2", "TOTAL", "1"]]


def test_explain_names_the_day_the_coe_and_the_service_or_why_not(scenarios, mepsis):
    last_day = scenarios["last_day"]
    ran = mepsis("report", "child-count", "--period", PERIOD, "--explain", last_day.child_id)

    answer = ran.json()
    coe_id = last_day.coe_entries.get().coe.coe_id
    assert answer["category1"] | {"reason": ""} == {
        "counted": True, "day": "2024-09-01", "coe_id": coe_id, "eligibility": ["2022-07-07", "2025-07-06"],
        "age_grade": "OOS", "reason": ""}
    assert answer["category2"]["day"] == "2025-07-06"
    assert answer["category2"]["service"] == {"service": "READINSTR", "project_id": "P-summer",
                                              "begin_date": "2025-07-06", "end_date": "2025-07-25",
                                              "basis": "eligible"}
    assert coe_id in answer["category2"]["reason"] and "P-summer" in answer["category2"]["reason"]

    day_after = mepsis("report", "child-count", "--period", PERIOD, "--explain",
                       scenarios["day_after"].child_id).json()
    assert day_after["category2"]["counted"] is False
    assert "No summer or intersession service fell on a day the child was eligible" in day_after["category2"]["reason"]
    assert "2025-07-07..2025-07-25" in day_after["category2"]["reason"]

    ineligible = mepsis("report", "child-count", "--period", PERIOD, "--explain",
                        scenarios["ineligible"].child_id).json()
    assert "void FOUND_INELIGIBLE" in ineligible["category1"]["reason"]
    left = mepsis("report", "child-count", "--period", PERIOD, "--explain", scenarios["left"].child_id).json()
    assert "did not reside in the state" in left["category1"]["reason"]
    assert "2024-06-01..2024-08-20" in left["category1"]["reason"]
    assert mepsis("report", "child-count", "--period", PERIOD, "--explain", "NOBODY").code == 1


def test_the_list_gives_every_counted_child_with_the_day_and_coe_for_msix(scenarios, mepsis, tmp_path):
    out = tmp_path / "counted.csv"
    ran = mepsis("report", "child-count", "--period", PERIOD, "--list", out)

    assert ran.code == 0, ran.err
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 9
    came_back = next(row for row in rows if row["child_id"] == scenarios["came_back"].child_id)
    first_coe = scenarios["came_back"].coe_entries.order_by("coe__qad").first().coe.coe_id
    assert came_back == {"category": "category1", "child_id": scenarios["came_back"].child_id,
                         "state_student_id": "S07", "day": "2025-03-03", "coe_id": first_coe, "service": "",
                         "project_id": "", "service_begin_date": "", "age_grade": "04"}
    summer = next(row for row in rows if row["category"] == "category2")
    assert (summer["state_student_id"], summer["day"], summer["service"], summer["project_id"],
            summer["service_begin_date"]) == ("S12", "2025-07-06", "READINSTR", "P-summer", "2025-07-06")


def test_a_district_count_hides_small_cells_with_their_complements(scenarios, mepsis, settings):
    settings.MEPSIS_SMALL_CELL = 2
    ran = mepsis("report", "child-count", "--period", PERIOD, "--district", "5621")

    assert ran.code == 0, ran.err
    document = ran.json()
    cells = document["by_age_grade"]["category1"]
    # The 3TO5NOTK and 04 cells hold one child each: hidden, and OOS with them (one hidden cell of a line
    # could be recovered from the total, and two ones cannot move against each other without a zero).
    assert (cells["3TO5NOTK"], cells["04"], cells["OOS"], cells["KG"]) == (None, None, None, 0)
    assert document["category1"] == 8
    assert document["category2"] is None and document["by_age_grade"]["category2"]["05"] is None
    assert document["suppressed_below"] == 2
    assert mepsis("report", "child-count", "--period", PERIOD, "--district", "9999").code == 1
    assert mepsis("report", "child-count", "--period", "2024-26").code == 2
