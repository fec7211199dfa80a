import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mepsis.access.models import AuditEvent, Role
from mepsis.delivery.actions import active_rule_set
from mepsis.delivery.models import PfsDetermination
from mepsis.registry.actions import save_coes
from mepsis.registry.models import Child, CoeChild, CoeStatus
from mepsis.web.views.children import timeline

pytestmark = pytest.mark.django_db


def listed(page) -> set[str]:
    return set(re.findall(r'href="/children/([^/"]+)/"', page.content.decode()))


def ids(state, *names) -> set[str]:
    return {state.children[name].child_id for name in names}


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.DISTRICT_STAFF, Role.REGIONAL_ADMIN, Role.RECRUITER,
                                  Role.DISTRICT_SUMMARY])
def test_the_children_list_shows_every_child_in_the_users_scope_and_no_other(signed_in, state, role):
    page = signed_in(role).get(reverse("children"))

    assert page.status_code == 200
    assert listed(page) == ids(state, *state.visible(role))


def test_the_children_list_filters_by_name_birth_date_district_and_eligibility(signed_in, state):
    reviewer = signed_in(Role.REVIEWER)
    d1, d2 = state.children["d1"], state.children["d2"]
    entry = CoeChild.objects.get(child=d2)

    by_name = reviewer.get(reverse("children"), {"name": f"{d1.first_name[:3]} {d1.last_name_1}"})
    by_birth = reviewer.get(reverse("children"), {"birth_date": d1.birth_date.isoformat()})
    by_district = reviewer.get(reverse("children"), {"district": "9003"})
    eligible = reviewer.get(reverse("children"), {"eligible_on": entry.eligibility_start.isoformat()})
    too_early = reviewer.get(reverse("children"), {"eligible_on": (entry.eligibility_start - dt.timedelta(days=1))
                                                   .isoformat(), "district": "9002"})

    assert d1.child_id in listed(by_name) and d2.child_id not in listed(by_name)
    assert all(Child.objects.get(child_id=child_id).birth_date == d1.birth_date for child_id in listed(by_birth))
    assert listed(by_district) == ids(state, "d3", "d3_coe_only", "recruiters")
    assert d2.child_id in listed(eligible)
    assert listed(too_early) == set()


def test_a_filter_that_is_not_valid_is_answered_beside_its_field_and_lists_nothing(signed_in, state):
    page = signed_in(Role.DISTRICT_STAFF).get(reverse("children"), {"birth_date": "2014-02-30", "district": "9003"})

    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('class="error"') == 2  # the date, and a district outside the user's scope
    assert listed(page) == set()


def test_the_children_list_pages_by_25_in_a_fixed_number_of_queries(signed_in, state):
    reviewer = signed_in(Role.REVIEWER)
    reviewer.get(reverse("children"))  # the session and scope are read on the first page as on every one
    with CaptureQueriesContext(connection) as few:
        first = reviewer.get(reverse("children"))
    Child.objects.bulk_create([Child(child_id=f"X{number:04d}", first_name="Zoe", last_name_1="Zuniga", sex="F",
                                     birth_date=dt.date(2015, 1, 1)) for number in range(40)])
    with CaptureQueriesContext(connection) as many:
        page_1 = reviewer.get(reverse("children"))
    page_2 = reviewer.get(reverse("children"), {"page": 2})

    assert len(listed(first)) == 6
    assert len(listed(page_1)) == 25 and len(listed(page_2)) == 46 - 25
    assert len(many) == len(few)


def test_the_child_record_shows_identity_coes_enrollments_services_and_flags(signed_in, state):
    child = state.children["d1"]
    rules = active_rule_set()  # made by the registry's first PFS determination
    # A determination later than the one the registry made when the child's COE was saved: the one in force.
    today = timezone.localdate()
    PfsDetermination.objects.create(child=child, determination_date=today, pfs=True, inputs={},
                                    rule_set=rules, determined_at=timezone.now(), determined_by="t")

    page = signed_in(Role.DISTRICT_STAFF).get(reverse("child", args=[child.child_id]))

    body = page.content.decode()
    assert page.status_code == 200
    assert child.first_name in body and child.state_student_id in body
    assert f'href="{reverse("coe_detail", args=[state.coes["d1"].coe_id])}"' in body
    assert state.enrollments["d1"].local_student_id in body
    assert "READINSTR" in body
    assert f"yes (determined {today.isoformat()})" in body


def test_every_view_of_a_child_record_is_audited_with_who_read_it(signed_in, state):
    child = state.children["d1"]
    staff = signed_in(Role.DISTRICT_STAFF)

    staff.get(reverse("child", args=[child.child_id]))
    staff.get(reverse("child", args=[child.child_id]))

    events = AuditEvent.objects.filter(action="child.read", object_id=child.child_id)
    assert [event.actor for event in events] == [Role.DISTRICT_STAFF.value] * 2


@pytest.mark.parametrize("name", ["d2", "d1_last_year", "recruiters"])
def test_a_child_out_of_scope_answers_404_and_nothing_is_audited(signed_in, state, name):
    page = signed_in(Role.DISTRICT_STAFF).get(reverse("child", args=[state.children[name].child_id]))

    assert page.status_code == 404
    assert not AuditEvent.objects.filter(action="child.read").exists()


def test_the_child_record_makes_a_fixed_number_of_queries_whatever_its_rows(signed_in, state):
    child = state.children["d1"]
    reviewer = signed_in(Role.REVIEWER)
    with CaptureQueriesContext(connection) as few:
        reviewer.get(reverse("child", args=[child.child_id]))
    service = state.services["d1"]
    for number in range(1, 6):
        service.pk, service.begin_date = None, service.begin_date + dt.timedelta(days=40 * number)
        service.save()
        enrollment = state.enrollments["d1"]
        enrollment.pk, enrollment.local_student_id = None, f"MORE{number}"
        enrollment.save()
    with CaptureQueriesContext(connection) as many:
        page = reviewer.get(reverse("child", args=[child.child_id]))

    assert page.content.decode().count('class="served"') == 6
    assert len(many) == len(few)


def test_the_timeline_draws_each_coe_the_enrollments_the_services_and_today(signed_in, state):
    page = signed_in(Role.REVIEWER).get(reverse("child", args=[state.children["d1"].child_id]))

    svg = re.search(r"<svg.*?</svg>", page.content.decode(), re.S).group()
    assert svg.count('class="eligible"') == 1
    assert svg.count('class="enrolled"') == 1 and svg.count('class="served"') == 1
    assert svg.count('class="today"') == 1


def test_the_timeline_places_intervals_on_one_axis_and_dashes_a_coe_that_does_not_count(state):
    entry = CoeChild.objects.select_related("coe").get(child=state.children["d1"])
    voided = CoeChild.objects.select_related("coe").get(child=state.children["d2"])
    voided.coe.status = CoeStatus.VOID
    today = entry.last_eligible_day + dt.timedelta(days=1)

    drawn = timeline([entry, voided], [], [], today)

    (counted,), (dashed,) = (lane.bars for lane in drawn["lanes"])
    assert (counted.css, dashed.css) == ("eligible", "not-counted")
    assert counted.x + counted.width == pytest.approx(drawn["today"], abs=0.2)  # the day after the last eligible
    assert drawn["labels"] <= min(counted.x, dashed.x) and drawn["today"] <= drawn["width"]
    assert [tick.label for tick in drawn["ticks"]] == [str(year) for year in range(
        min(entry.eligibility_start, voided.eligibility_start).year, today.year + 1)]


def test_a_child_with_nothing_to_draw_has_no_timeline(state):
    assert timeline([], [], [], dt.date(2026, 1, 1)) is None


def test_the_pages_ask_an_anonymous_visitor_to_sign_in(client, state):
    page = client.get(reverse("child", args=[state.children["d1"].child_id]))

    assert page.status_code == 302 and page.url.startswith(reverse("login"))


def test_the_record_lists_every_coe_of_the_child_but_links_only_those_the_user_may_open(client, state):
    child, written = state.children["recruiters"], state.coes["recruiters"]
    document = written.versions.get(number=written.version).document | {"coe_id": "WI-OTHER-000001"}
    document["children"][0]["child_id"] = child.child_id
    assert save_coes([("other", document)], actor="another recruiter", why="test").refused == []
    client.force_login(state.users[Role.RECRUITER])

    body = client.get(reverse("child", args=[child.child_id])).content.decode()

    assert f'href="{reverse("coe_detail", args=[written.coe_id])}"' in body
    assert "WI-OTHER-000001" in body and reverse("coe_detail", args=["WI-OTHER-000001"]) not in body
