"""The children of each district (``DistrictChild``): an enrollment linked to them there or a COE moving
there, with the names the lists sort by."""

import pytest

from mepsis.access.testing import small_state
from mepsis.registry.models import DistrictChild
from mepsis.registry.roster import refresh_roster

pytestmark = pytest.mark.django_db


def roster() -> set[tuple[str, str, str]]:
    return set(DistrictChild.objects.values_list("district__district_id", "child__child_id", "last_name_1"))


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
    assert set(DistrictChild.objects.filter(child=d2).values_list("district__district_id", flat=True)) == {
        "9002", "9003"}
    assert DistrictChild.objects.get(child=d3).last_name_1 != "Renamed"

    enrollment.child = None
    enrollment.save()
    refresh_roster([d2.pk, d3.pk])
    piecewise = roster()
    assert set(DistrictChild.objects.filter(child=d2).values_list("district__district_id", flat=True)) == {"9002"}
    assert DistrictChild.objects.get(child=d3).last_name_1 == "Renamed"
    refresh_roster()
    assert roster() == piecewise
