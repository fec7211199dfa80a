"""The children of each district (``DistrictChild``): an enrollment linked to them there or a COE moving
there, with the names the lists sort by."""

import datetime as dt

import pytest
from certified_children import certify

from mepsis.access.testing import small_state
from mepsis.enrollments.models import IngestRun
from mepsis.matching.actions import merge_children
from mepsis.matching.models import MatchCandidate
from mepsis.registry.models import DistrictChild
from mepsis.registry.roster import refresh_roster

pytestmark = pytest.mark.django_db


def roster() -> set[tuple[str, str, str]]:
    return set(DistrictChild.objects.values_list("district", "child__child_id", "last_name_1"))


def test_a_district_has_the_children_enrolled_there_or_moving_there():
    state = small_state()
    name = {key: (child.child_id, child.last_name_1) for key, child in state.children.items()}

    assert roster() == {("9001", *name["d1"]), ("9001", *name["d1_last_year"]), ("9002", *name["d2"]),
                        ("9003", *name["d3"]), ("9003", *name["d3_coe_only"]), ("9003", *name["recruiters"])}
    row = DistrictChild.objects.get(child=state.children["d1"])
    d1 = state.children["d1"]
    assert (row.last_name_2, row.first_name, row.child_key) == (d1.last_name_2, d1.first_name, d1.child_id)


def test_a_refresh_rewrites_only_the_children_it_names_and_agrees_with_a_whole_refresh():
    state = small_state()
    d2, d3 = state.children["d2"], state.children["d3"]
    enrollment = state.enrollments["d2"]
    enrollment.district = state.districts["9003"]
    enrollment.save()
    d3.last_name_1 = "Renamed"
    d3.save()

    refresh_roster([d2.pk])
    # d2 moved: still on its COE to 9002, now enrolled in 9003; d3's row waits for its own refresh.
    assert set(DistrictChild.objects.filter(child=d2).values_list("district", flat=True)) == {
        "9002", "9003"}
    assert DistrictChild.objects.get(child=d3).last_name_1 != "Renamed"

    enrollment.child = None
    enrollment.save()
    refresh_roster([d2.pk, d3.pk])
    piecewise = roster()
    assert set(DistrictChild.objects.filter(child=d2).values_list("district", flat=True)) == {"9002"}
    assert DistrictChild.objects.get(child=d3).last_name_1 == "Renamed"
    refresh_roster()
    assert roster() == piecewise


ORGS = ("district_id,district_name,school_id,school_name,nces_district_id,nces_school_id,region,grades,edfi_id\n"
        "5622,Algoma School District,,,5500001,,CESA 7,,255622\n"
        "5622,Algoma School District,0010,Algoma Elementary,5500001,550000101234,CESA 7,PK-08,\n")


def districts_of(child) -> set[str]:
    return set(DistrictChild.objects.filter(child=child).values_list("district", flat=True))


def test_a_childs_districts_follow_its_coes_its_enrollments_and_a_merge(example_coe, mepsis, feed, tmp_path):
    orgs = tmp_path / "orgs.csv"
    orgs.write_text(ORGS)
    assert mepsis("orgs", "load", orgs).code == 0
    # The example COE moves the family to 5621, a district not loaded: its children are 5621's all the same.
    ana = certify(example_coe, "WI-ROSTER-1", qad="2025-06-01")
    assert districts_of(ana) == {"5621"}

    path = feed({"district_id": "5622", "school_id": "0010", "school_year": "2025-26", "local_student_id": "S-1",
                 "state_student_id": "1234567890", "first_name": "Ana", "last_name": "Garcia Hernandez", "sex": "F",
                 "birth_date": "2014-03-02", "grade": "05", "entry_date": "2025-09-02"})
    assert mepsis("enrollments", "ingest", path).code == 0
    assert districts_of(ana) == {"5621", "5622"}

    twin = certify(example_coe, "WI-ROSTER-2", "Anna", "7777777777", qad="2025-06-01")
    candidate = MatchCandidate.objects.create(kind=MatchCandidate.Kind.MERGE, child=ana, other_child=twin,
                                              reason=MatchCandidate.Reason.POSSIBLE_DUPLICATE,
                                              run=IngestRun.objects.create(started_at=dt.datetime.now(dt.UTC),
                                                                           actor="t"))
    merge_children(candidate, "reviewer")
    assert districts_of(ana) == {"5621", "5622"} and districts_of(twin) == set()
