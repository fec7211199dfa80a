"""Dashboards (issue 7, item 7): each chart's data worked out by hand on a small state, suppressed below the
state level, scoped to the user's districts, drawn on a page and downloadable as CSV."""

import csv
import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from mepsis.access.models import Role
from mepsis.access.testing import make_user
from mepsis.delivery.models import PfsDetermination, PfsRuleSet
from mepsis.orgs.models import Region
from mepsis.delivery.actions import record_services
from mepsis.registry.models import Coe
from mepsis.reports import dashboards
from mepsis.reports.models import CountedPeriod

from test_child_count import serve, void

D = dt.date.fromisoformat

pytestmark = pytest.mark.django_db


def move_to(child, district_id):
    """Put the child's COEs on moves to ``district_id``."""
    Coe.objects.filter(children__child=child).update(to_district_id=district_id)


@pytest.fixture
def dashboard_state(state):
    north, south = Region.objects.create(name="North"), Region.objects.create(name="South")
    north_district, south_district = state.district("5621"), state.district("5622", 255622)
    north_district.region, south_district.region = north, south
    north_district.save(), south_district.save()
    rules = PfsRuleSet.objects.create(version=1, criteria={"criteria": []}, created_by="t", created_at=timezone.now(), active=True)
    children = {}
    # North (5621): three children eligible all of 2024-25; one since 2023 (so in 2023-24 too).
    for number, qad in enumerate(["2023-06-01", "2024-06-01", "2024-06-01"]):
        children[f"n{number}"] = state.certify(f"Norte{number}", f"N{number}", qad=qad)
    # South (5622): one child, eligible through 2025-05-31 (QAD 2022-06-01), served in the summer of 2024.
    children["s0"] = state.certify("Sur", "S0", qad="2022-06-01")
    move_to(children["s0"], "5622")
    serve(children["s0"], "2024-07-08", "2024-07-19")
    # PFS: n0 since February, never served this spring; n1 PFS and served in March; n2 PFS ended in March.
    for key, on, pfs in (("n0", "2025-02-01", True), ("n1", "2025-02-01", True), ("n2", "2025-01-10", True),
                         ("n2", "2025-03-01", False)):
        PfsDetermination.objects.create(child=children[key], determination_date=D(on), pfs=pfs, inputs={},
                                        rule_set=rules, determined_at=timezone.now(), determined_by="t")
    serve(children["n1"], "2025-03-03", "2025-03-28", session="regular", service="MATHINSTR")
    serve(children["n0"], "2024-10-01", "2024-10-20", session="regular", service="SUPPSERV")
    return children


def test_counts_by_region_and_district_over_time_worked_out_by_hand(dashboard_state):
    by_district = dashboards.counts_over_time(["2023-24", "2024-25"])
    by_region = dashboards.counts_over_time(["2023-24", "2024-25"], level="region")

    # 2023-24 ends 2024-08-31: the QADs of 2024-06-01 count in it too; s0's service in July 2024 is in its
    # summer.
    assert by_district.rows == [["2023-24", "5621", 3, 0], ["2023-24", "5622", 1, 1],
                                ["2024-25", "5621", 3, 0], ["2024-25", "5622", 1, 0]]
    assert by_region.rows == [["2023-24", "North", 3, 0], ["2023-24", "South", 1, 1],
                              ["2024-25", "North", 3, 0], ["2024-25", "South", 1, 0]]
    assert dashboards.counts_over_time(["2024-25"], districts=["5622"]).rows == [["2024-25", "5622", 1, 0]]


def test_a_change_to_a_coe_or_a_service_shows_in_the_counts_over_time_at_once(dashboard_state, state, client):
    periods = ["2023-24", "2024-25"]
    dashboards.counts_over_time(periods)  # from now on these periods' counts are kept
    client.force_login(make_user(Role.STATE_ADMIN))

    # A re-interview finds n1 ineligible: North loses a child in both periods.
    void(state, dashboard_state["n1"])
    # n0 gets a summer service in July 2025 (the services import): Category 2 of 2024-25 in North.
    record_services([{"coe_id": "", "child_index": "", "state_student_id": "N0", "service": "MATHINSTR",
                      "project_id": "SUMMER-25", "session_type": "summer", "begin_date": "2025-07-07",
                      "end_date": "2025-07-18", "hours": "12"}], actor="tester")
    # A new child certified through a COE to North (5621), eligible from 2025-06-01.
    state.certify("Nuevo", "N9", qad="2025-06-01")

    expected = [["2023-24", "5621", 2, 0], ["2023-24", "5622", 1, 1],
                ["2024-25", "5621", 3, 1], ["2024-25", "5622", 1, 0]]
    assert dashboards.counts_over_time(periods).rows == expected
    assert dashboards.counts_over_time(periods, level="region").rows == [
        ["2023-24", "North", 2, 0], ["2023-24", "South", 1, 1], ["2024-25", "North", 3, 1], ["2024-25", "South", 1, 0]]
    page = list(csv.reader(client.get("/dashboards/counts-by-district.csv").content.decode().splitlines()))
    assert [row for row in page[1:] if row[0] in periods] == [[str(value) for value in row] for row in expected]
    # What the writes kept is what counting every child again gives.
    kept_at = CountedPeriod.objects.get(period="2024-25").computed_at
    dashboards.refresh_counts(periods=periods)
    assert dashboards.counts_over_time(periods).rows == expected
    assert CountedPeriod.objects.get(period="2024-25").computed_at >= kept_at


def test_refresh_counts_counts_again_what_was_changed_another_way(dashboard_state, mepsis):
    dashboards.counts_over_time(["2024-25"])
    move_to(dashboard_state["n2"], "5622")  # straight to the table, as no action of MEPSIS would

    assert dashboards.counts_over_time(["2024-25"]).rows == [["2024-25", "5621", 3, 0], ["2024-25", "5622", 1, 0]]
    ran = mepsis("report", "refresh-counts", "--period", "2024-25")
    assert ran.code == 0, ran.err
    assert dashboards.counts_over_time(["2024-25"]).rows == [["2024-25", "5621", 2, 0], ["2024-25", "5622", 2, 0]]


def test_small_counts_are_hidden_below_the_state(dashboard_state, settings):
    settings.MEPSIS_SMALL_CELL = 2
    table = dashboards.counts_over_time(["2024-25"], suppress=True)

    # Category 1: 3 and 1; the 1 is hidden, and the 3 with it (else the total would give it away).
    assert table.rows == [["2024-25", "5621", None, 0], ["2024-25", "5622", None, 0]]
    assert table.suppressed_below == 2
    assert dashboards.counts_over_time(["2024-25"]).suppressed_below is None


def test_children_whose_eligibility_ends_in_the_next_90_days(dashboard_state, state):
    table = dashboards.eligibility_ending(D("2025-04-01"))

    assert table.columns == ["district", "2025-05"] and table.rows == [["5622", 1]]
    # A new qualifying move that continues eligibility takes the child off the list.
    state.certify("Sur", "S0", qad="2025-05-20")
    assert dashboards.eligibility_ending(D("2025-04-01")).rows == []


def test_pfs_children_without_a_service_this_term(dashboard_state):
    # Spring term from 2025-01-01: n0 was served in October only; n1 in March; n2 lost PFS on March 1.
    assert dashboards.pfs_without_service(D("2025-04-15")).rows == [["5621", 1]]
    # In February n2 still had PFS and n1 had not been served yet.
    assert dashboards.pfs_without_service(D("2025-02-15")).rows == [["5621", 3]]
    assert dashboards.pfs_without_service(D("2025-02-15"), districts=["5622"]).rows == []


def test_services_by_type_and_session(dashboard_state):
    table = dashboards.services_by_type_and_session("2024-25")

    assert table.columns == ["service", "regular", "summer"]
    assert {row[0]: row[1:] for row in table.rows if any(row[1:])} == {"MATHINSTR": [1, 0], "SUPPSERV": [1, 0]}
    summer = dashboards.services_by_type_and_session("2023-24")
    assert {row[0]: row[1:] for row in summer.rows if any(row[1:])} == {"READINSTR": [0, 1]}
    assert table.csv().splitlines()[0] == "service,regular,summer"


def test_the_page_draws_each_chart_and_its_csv_for_the_users_scope(dashboard_state, state, client, settings):
    settings.MEPSIS_SMALL_CELL = 4
    cache.clear()  # the pages keep each chart for a while: none from another test
    summary = make_user(Role.DISTRICT_SUMMARY, state.district("5621"))
    client.force_login(summary)

    page = client.get("/dashboards/")
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("class=\"card dashboard\"") == 5 and "<svg" in text and "suppressed" in text
    download = client.get("/dashboards/counts-by-district.csv")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(download.content.decode().splitlines()))
    # Only the user's district, and its counts of 3 hidden (under 4); zeros are shown.
    assert rows[0] == ["period", "district", "category1", "category2"]
    assert [row for row in rows[1:] if row[0] in ("2023-24", "2024-25")] == [["2023-24", "5621", "", "0"],
                                                                           ["2024-25", "5621", "", "0"]]

    admin = make_user(Role.STATE_ADMIN)
    client.force_login(admin)
    statewide = list(csv.reader(client.get("/dashboards/counts-by-district.csv").content.decode().splitlines()))
    assert {row[1] for row in statewide[1:]} >= {"5621", "5622"}

    client.force_login(make_user(Role.RECRUITER))
    assert client.get("/dashboards/").status_code == 403
    assert client.get("/dashboards/counts-by-district.csv").status_code == 403
