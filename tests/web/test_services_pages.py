"""The services pages: services of the children in scope with a form to record one, the reviewer's
continuation of services, and the state's PFS criteria, each refusal beside its field and nothing half-saved."""

import datetime as dt

import pytest
from django.urls import reverse

from mepsis.access.models import Role
from mepsis.access.scope import ROLE_PERMISSIONS
from mepsis.delivery.models import ContinuationOfServices, PfsRuleSet, Service
from mepsis.registry.models import CoeChild

pytestmark = pytest.mark.django_db

# The role that edits the state's PFS criteria.
PFS_EDITOR = next(role for role in Role if "pfs.edit" in ROLE_PERMISSIONS[role])


def service_form(state, name="d1", **changes):
    service = state.services[name]
    return {"child_id": state.children[name].child_id, "project": service.project.project_id, "service": "MATHINSTR",
            "begin_date": service.begin_date.isoformat(), "end_date": service.end_date.isoformat(), "hours": "3",
            **changes}


def test_district_staff_see_the_services_of_their_children_only(signed_in, state):
    html = signed_in(Role.DISTRICT_STAFF).get(reverse("services")).content.decode()
    assert state.children["d1"].child_id in html
    assert state.children["d2"].child_id not in html and state.children["d3"].child_id not in html
    assert 'name="child_id"' in html


def test_a_service_is_recorded_through_the_form(signed_in, state):
    page = signed_in(Role.DISTRICT_STAFF).post(reverse("services"), service_form(state))
    assert page.status_code == 302
    recorded = Service.objects.get(child=state.children["d1"], service="MATHINSTR")
    assert str(recorded.hours) == "3.00" and recorded.recorded_by == state.users[Role.DISTRICT_STAFF].username


@pytest.mark.parametrize("changes, field, message", [
    ({"hours": ""}, "hours", "an instructional service needs its hours."),
    ({"begin_date": "2001-01-02", "end_date": "2001-01-03"}, "begin_date", ""),
    ({"end_date": "2001-01-01"}, "end_date", "is before the begin date."),
    ({"project": "P-9003"}, "project", ""),
])
def test_a_refused_service_says_why_beside_its_field_and_saves_nothing(signed_in, state, changes, field, message):
    before = Service.objects.count()
    page = signed_in(Role.DISTRICT_STAFF).post(reverse("services"), service_form(state, **changes))
    assert page.status_code == 400
    errors = page.context["form"].errors
    assert list(errors) == [field] and message in " ".join(errors[field])
    assert Service.objects.count() == before


def test_a_child_outside_the_users_scope_is_unknown_to_the_form(signed_in, state):
    d2 = state.children["d2"].child_id
    page = signed_in(Role.DISTRICT_STAFF).post(reverse("services"), service_form(state, "d2"))
    assert page.status_code == 400 and page.context["form"].errors["child_id"] == [f"There is no child {d2}."]
    assert not Service.objects.filter(service="MATHINSTR").exists()


def test_a_role_that_records_no_service_reads_them_without_the_form_and_may_not_post(signed_in, state):
    admin = signed_in(Role.STATE_ADMIN)
    html = admin.get(reverse("services")).content.decode()
    assert state.children["d3"].child_id in html and 'name="child_id"' not in html
    assert admin.post(reverse("services"), service_form(state)).status_code == 403


def test_a_reviewer_records_a_continuation_and_a_refused_one_says_why(reviewer, state, signed_in):
    child = state.children["d1"]
    after = CoeChild.objects.get(child=child).last_eligible_day + dt.timedelta(days=1)
    form = {"child_id": child.child_id, "reason": "PREVIOUS_TERM", "begin_date": after.isoformat(),
            "end_date": after.isoformat(), "why": "No comparable services nearby."}
    still_eligible = reviewer.post(reverse("continuation"), {**form, "begin_date": after - dt.timedelta(days=1)})
    assert still_eligible.status_code == 400 and list(still_eligible.context["form"].errors) == ["begin_date"]
    assert not ContinuationOfServices.objects.exists()
    assert reviewer.post(reverse("continuation"), form).status_code == 302
    assert ContinuationOfServices.objects.get().child == child
    assert child.child_id in reviewer.get(reverse("continuation")).content.decode()
    assert signed_in(Role.DISTRICT_STAFF).get(reverse("continuation")).status_code == 403


def criteria_form(page, **changes) -> dict:
    """What the PFS criteria page posts unchanged (with ``changes`` by field name)."""
    criteria = page.context["criteria"]
    data = {f"criteria-{name}": value for name, value in criteria.management_form.initial.items()}
    for form in criteria:
        for name, field in form.fields.items():
            value = form.initial.get(name)
            if name in ("secondary_only", "DELETE"):
                if value:
                    data[form.add_prefix(name)] = "on"
            elif value is not None:
                data[form.add_prefix(name)] = str(value)
    return {**data, "why": "Proficiency cut moved.", **changes}


def test_the_pfs_criteria_page_shows_the_rule_set_and_saves_an_edit_as_a_new_version(signed_in, state):
    editor = signed_in(PFS_EDITOR)
    page = editor.get(reverse("pfs_criteria"))
    html = page.content.decode()
    assert "Version 1 is in force" in html and "state assessment below proficient" in html
    assert editor.post(reverse("pfs_criteria"), criteria_form(page, **{"criteria-0-threshold": "2"})).status_code == 302
    versions = list(PfsRuleSet.objects.order_by("version"))
    assert [(version.version, version.active) for version in versions] == [(1, False), (2, True)]
    assert versions[1].criteria["criteria"][0]["threshold"] == 2
    assert versions[1].criteria["criteria"][1:] == versions[0].criteria["criteria"][1:]
    assert versions[1].why == "Proficiency cut moved."
    assert "Version 2 is in force" in editor.get(reverse("pfs_criteria")).content.decode()


def test_a_refused_pfs_edit_says_why_and_keeps_the_version_in_force(signed_in, state):
    editor = signed_in(PFS_EDITOR)
    page = editor.get(reverse("pfs_criteria"))
    not_a_number = editor.post(reverse("pfs_criteria"), criteria_form(page, **{"criteria-0-threshold": "three"}))
    assert not_a_number.status_code == 400
    assert not_a_number.context["criteria"].forms[0].errors == {"threshold": ["Give a number."]}
    dropped_out = next(index for index, criterion in enumerate(PfsRuleSet.objects.get().criteria["criteria"])
                       if criterion["indicator"] == "dropped_out")
    without = editor.post(reverse("pfs_criteria"), criteria_form(page, **{f"criteria-{dropped_out}-DELETE": "on"}))
    assert without.status_code == 400 and "dropped_out" in without.content.decode()
    assert list(PfsRuleSet.objects.values_list("version", "active")) == [(1, True)]


def test_only_the_pfs_editor_opens_the_criteria_page_and_the_nav_shows_it_to_them(signed_in, state):
    others = [role for role in Role if "pfs.edit" not in ROLE_PERMISSIONS[role]]
    for role in others:
        assert signed_in(role).get(reverse("pfs_criteria")).status_code == 403, role
    assert reverse("pfs_criteria") in signed_in(PFS_EDITOR).get(reverse("home")).content.decode()
    assert reverse("dashboards") in signed_in(Role.STATE_ADMIN).get(reverse("home")).content.decode()
