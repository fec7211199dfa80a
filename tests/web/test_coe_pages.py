"""The recruiter's COE pages: writing, checking as typed, submitting, answering a return; the certified search."""

import re

import pytest
from django.urls import reverse
from web_forms import coe_form_data

from mepsis.access.models import Role
from mepsis.access.testing import make_user
from mepsis.registry import actions
from mepsis.registry.models import Coe, CoeStatus

pytestmark = pytest.mark.django_db


def findings_beside(response, name: str) -> str:
    """The text of the findings shown beside one field of the COE form."""
    html = response.content.decode()
    match = re.search(rf'<div id="findings-{re.escape(name)}" class="findings"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no findings slot for {name}"
    return re.sub(r"<[^>]+>", " ", match[1]).strip()


def test_the_coe_form_is_titled_by_its_coe_and_runs_its_offline_script_once(recruiter):
    html = recruiter.get(reverse("coe_new")).content.decode()

    assert re.search(r"<title>\s*New COE · MEPSIS</title>", html)
    assert html.count('getElementById("offline")') == 1


def test_a_recruiter_saves_a_new_coe_as_a_draft_that_only_they_see(recruiter, example_coe, state, client):
    response = recruiter.post(reverse("coe_new"), coe_form_data(example_coe()) | {"action": "save"})

    coe = Coe.objects.get(authors__user=state.users[Role.RECRUITER], status=CoeStatus.DRAFT)
    assert response.status_code == 302 and response["Location"] == reverse("coe_edit", args=[coe.coe_id])
    document = actions.current_document(coe)
    assert document["qualifying_move"]["qad"] == "2025-06-01"
    assert [child["first_name"] for child in document["children"]] == ["Ana"]
    assert "reviewer" not in document["signatures"]
    assert coe.coe_id in recruiter.get(reverse("coe_list") + "?status=draft").content.decode()
    client.force_login(make_user(Role.RECRUITER))
    assert client.get(reverse("coe_edit", args=[coe.coe_id])).status_code == 404


def test_the_check_puts_each_rule_error_beside_its_field_as_the_form_is_typed(recruiter, example_coe):
    data = coe_form_data(example_coe(), qualifying_move__qad="2025-07-01", children_0_birth_date="2025-08-01")

    response = recruiter.post(reverse("coe_check"), data, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "after the interview date" in findings_beside(response, "qualifying_move__qad")
    assert "born on 2025-08-01" in findings_beside(response, "children-0-birth_date")
    assert findings_beside(response, "family__parent1__first_name") == ""
    assert 'hx-swap-oob="true"' in response.content.decode()


def test_the_check_shows_a_date_that_is_not_a_date_without_the_rules_calling_it_missing(recruiter, example_coe):
    response = recruiter.post(reverse("coe_check"), coe_form_data(example_coe(), interview_date="20th of June"))

    assert findings_beside(response, "interview_date") == "Enter a valid date."


def test_submitting_a_coe_with_errors_saves_nothing_and_shows_them_beside_the_fields(recruiter, example_coe):
    coes = Coe.objects.count()
    data = coe_form_data(example_coe(), qualifying_move__economic_necessity="false") | {"action": "submit"}

    response = recruiter.post(reverse("coe_new"), data)

    assert response.status_code == 400
    assert "economic necessity" in findings_beside(response, "qualifying_move__economic_necessity")
    assert Coe.objects.count() == coes


def test_a_draft_with_a_missing_required_field_is_refused_with_the_field_named(recruiter, example_coe):
    coes = Coe.objects.count()

    response = recruiter.post(reverse("coe_new"), coe_form_data(example_coe(), children_0_first_name="")
                              | {"action": "save"})

    assert response.status_code == 400
    assert "first name is missing" in findings_beside(response, "children-0-first_name")
    assert Coe.objects.count() == coes


def test_a_child_is_added_with_the_next_index_and_the_form_count_follows(recruiter, example_coe):
    response = recruiter.post(reverse("coe_child"), coe_form_data(example_coe()))

    html = response.content.decode()
    assert 'name="children-1-first_name"' in html
    assert 'id="id_children-TOTAL_FORMS" hx-swap-oob="true"' in html and 'value="2"' in html


def test_a_removed_child_form_lists_no_child_and_findings_follow_the_children_left(recruiter, example_coe):
    document = example_coe()
    document["children"].append({**document["children"][0], "first_name": "Luz", "birth_date": "2030-01-01",
                                 "state_student_id": None})
    data = coe_form_data(document)
    data["children-TOTAL_FORMS"] = "3"  # the page had a child 1 that was removed: the post skips it
    data.update({key.replace("children-1-", "children-2-"): value for key, value in data.items()
                 if key.startswith("children-1-")})
    for key in [key for key in data if key.startswith("children-1-")]:
        del data[key]

    response = recruiter.post(reverse("coe_check"), data)

    assert "born on 2030-01-01" in findings_beside(response, "children-2-birth_date")


def test_a_recruiter_submits_then_answers_a_returned_coe(recruiter, example_coe, state):
    recruiter.post(reverse("coe_new"), coe_form_data(example_coe()) | {"action": "submit"})
    coe = Coe.objects.get(authors__user=state.users[Role.RECRUITER], status=CoeStatus.SUBMITTED)
    actions.return_coe(coe.coe_id, actor="reviewer", reasons=["The phone number is wrong."])

    page = recruiter.get(reverse("coe_edit", args=[coe.coe_id]))
    assert page.status_code == 200 and "The phone number is wrong." in page.content.decode()
    data = coe_form_data(actions.current_document(coe), family__phone="920-555-0199") | {
        "action": "submit", "version": coe.version}
    response = recruiter.post(reverse("coe_edit", args=[coe.coe_id]), data)

    coe.refresh_from_db()
    assert response.status_code == 302 and coe.status == CoeStatus.SUBMITTED and coe.version == 2
    assert actions.current_document(coe)["family"]["phone"] == "920-555-0199"
    assert actions.current_document(coe)["children"][0]["child_id"]  # the same child, not a new one


def test_an_edit_of_a_coe_that_moved_on_is_refused_and_the_recruiter_told(recruiter, example_coe, state):
    recruiter.post(reverse("coe_new"), coe_form_data(example_coe()) | {"action": "save"})
    coe = Coe.objects.get(authors__user=state.users[Role.RECRUITER], status=CoeStatus.DRAFT)
    stale = coe.version
    actions.revise_coe(coe.coe_id, {**actions.current_document(coe), "comments": "by another tab"}, actor="x")

    response = recruiter.post(reverse("coe_edit", args=[coe.coe_id]), coe_form_data(
        example_coe(), comments="mine") | {"action": "save", "version": stale}, follow=True)

    assert "Someone else acted on this COE" in response.content.decode()
    assert actions.current_document(Coe.objects.get(pk=coe.pk))["comments"] == "by another tab"


def test_the_certified_search_shows_only_name_birth_date_coe_and_district(recruiter, state):
    child = state.children["d1"]

    response = recruiter.get(reverse("certified_search"), {
        "name": f"{child.first_name} {child.last_name_1}", "birth_date": child.birth_date.isoformat()})

    html = response.content.decode()
    assert state.coes["d1"].coe_id in html and "9001" in html
    assert child.child_id not in html and (child.state_student_id or "-") not in html


def test_the_recruiter_pages_are_closed_to_roles_that_do_not_write_coes(client, state):
    client.force_login(state.users[Role.DISTRICT_STAFF])

    assert client.get(reverse("coe_list")).status_code == 403
    assert client.get(reverse("coe_new")).status_code == 403
    assert client.get(reverse("coe_detail", args=[state.coes["d3"].coe_id])).status_code == 404


def test_every_coe_form_carries_a_csrf_token_and_a_post_without_one_is_refused(state, example_coe):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(state.users[Role.RECRUITER])

    assert 'name="csrfmiddlewaretoken"' in client.get(reverse("coe_new")).content.decode()
    assert client.post(reverse("coe_new"), coe_form_data(example_coe())).status_code == 403
