"""Who sees what (roles.md): every role against the records of a small state, in and out of its scope."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from mepsis.access.middleware import ScopeMiddleware
from mepsis.access.models import Role, RoleGrant
from mepsis.access.scope import scope_for
from mepsis.access.testing import ALL_CHILDREN, VISIBLE_CHILDREN, make_user, small_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def state():
    return small_state()


def names_of(state, records, queryset):
    pks = set(queryset.values_list("pk", flat=True))
    return {name for name, record in records.items() if record.pk in pks}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_exactly_the_children_roles_md_gives_it(state, role):
    scope = scope_for(state.users[role])
    assert names_of(state, state.children, scope.children()) == VISIBLE_CHILDREN[role]


@pytest.mark.parametrize("role", list(Role))
def test_the_records_of_a_visible_child_are_those_the_scope_gives_of_each_kind(state, role):
    from mepsis.registry.models import CoeChild

    # The child of the recruiter's COE is served in district 9003: the recruiter sees the child, not the service.
    served = state.services["d3"]
    served.pk, served.child, served.coe = None, state.children["recruiters"], state.coes["recruiters"]
    served.save()
    scope = scope_for(state.users[role])
    for child in scope.children():
        records = scope.records_of(child)
        assert set(records.coe_entries) == set(CoeChild.objects.filter(child=child, coe__in=scope.coes()))
        assert set(records.enrollments) == set(scope.enrollments().filter(child=child))
        assert set(records.services) == set(scope.services().filter(child=child))
    if role == Role.RECRUITER:
        assert not scope.records_of(state.children["recruiters"]).services.exists()


@pytest.mark.parametrize("role", list(Role))
def test_a_districts_children_are_those_of_the_scope_with_a_row_of_that_district(state, role):
    from mepsis.orgs.models import District

    scope = scope_for(state.users[role])
    for district in District.objects.all():
        assert set(scope.children_of(district)) == set(
            scope.children().filter(districts__district=district.district_id)), district


@pytest.mark.parametrize("role", list(Role))
def test_a_child_out_of_scope_is_simply_absent(state, role):
    children = scope_for(state.users[role]).children()
    for child in state.hidden(role).values():
        assert not children.filter(child_id=child.child_id).exists()


def test_state_admin_reviewer_and_auditor_see_everything_statewide(state):
    for role in (Role.STATE_ADMIN, Role.REVIEWER, Role.AUDITOR):
        scope = scope_for(state.users[role])
        assert scope.statewide and not scope.suppress_counts
        assert names_of(state, state.alerts, scope.alerts()) == {"d1", "d2", "d3", "recruiters"}
        assert names_of(state, state.candidates, scope.candidates()) == {"d1"}
        assert scope.districts().count() == 3


def test_district_staff_see_their_district_this_school_year_and_its_alerts(state):
    scope = scope_for(state.users[Role.DISTRICT_STAFF])
    assert not scope.statewide and scope.suppress_counts
    assert names_of(state, state.alerts, scope.alerts()) == {"d1"}
    assert names_of(state, state.coes, scope.coes()) == {"d1"}
    assert names_of(state, state.smepa, scope.smepa()) == {"d1"}
    assert names_of(state, state.referrals, scope.referrals()) == {"d1"}
    assert names_of(state, state.services, scope.services()) == {"d1"}
    # Their district's own enrollments, last year's and unlinked ones included.
    assert names_of(state, state.enrollments, scope.enrollments()) == {"d1", "d1_last_year", "d1_unlinked"}
    assert not scope.candidates().exists()
    assert list(scope.districts()) == [state.districts["9001"]]


def test_district_staff_lose_a_child_whose_enrollment_is_in_another_school_year(state):
    scope = scope_for(state.users[Role.DISTRICT_STAFF])
    assert not scope.children().filter(pk=state.children["d1_last_year"].pk).exists()


def test_regional_admin_sees_children_with_an_enrollment_coe_or_service_in_the_region(state):
    from mepsis.delivery.models import Project, Service

    scope = scope_for(state.users[Role.REGIONAL_ADMIN])
    assert names_of(state, state.coes, scope.coes()) == {"d1", "d2", "d1_last_year"}
    assert names_of(state, state.alerts, scope.alerts()) == {"d1", "d2"}
    assert names_of(state, state.smepa, scope.smepa()) == {"d1", "d2"}
    assert {district.district_id for district in scope.districts()} == {"9001", "9002"}
    # A service of a regional project brings the child into the region's scope.
    project = Project.objects.create(project_id="P-NORTH", session_type="summer", region=state.regions["North"])
    service = state.services["d3"]
    Service.objects.create(child=state.children["d3_coe_only"], service="READINSTR", project=project,
                           begin_date=service.begin_date, end_date=service.end_date, basis="eligible",
                           recorded_at=service.recorded_at, recorded_by="tester")
    assert scope_for(make_user(Role.REGIONAL_ADMIN, region=state.regions["North"])).children().filter(
        pk=state.children["d3_coe_only"].pk).exists()


def test_recruiter_sees_the_coes_they_wrote_and_the_recruiters_alerts(state):
    scope = scope_for(state.users[Role.RECRUITER])
    assert names_of(state, state.coes, scope.coes()) == {"recruiters"}
    assert names_of(state, state.alerts, scope.alerts()) == {"recruiters"}
    assert not scope.enrollments().exclude(child=state.children["recruiters"]).exists()
    assert not scope.smepa().exists() and not scope.candidates().exists() and not scope.services().exists()


def test_summary_security_and_sis_users_see_no_child_record(state):
    for role in (Role.DISTRICT_SUMMARY, Role.DISTRICT_SECURITY, Role.SIS_CLIENT):
        scope = scope_for(state.users[role])
        assert not scope.children().exists() and not scope.coes().exists() and not scope.alerts().exists()
        assert list(scope.districts()) == [state.districts["9001"]]
    sis = scope_for(state.users[Role.SIS_CLIENT])
    assert names_of(state, state.smepa, sis.smepa()) == {"d1"}
    assert sis.may("enrollments.push") and sis.may("smepa.read") and not sis.may("counts.read")
    summary = scope_for(state.users[Role.DISTRICT_SUMMARY])
    assert summary.may("counts.read") and summary.suppress_counts and not summary.may("smepa.read")


def test_the_district_security_administrator_sees_only_their_districts_users(state):
    admin = state.users[Role.DISTRICT_SECURITY]
    outsider = make_user(Role.DISTRICT_STAFF, state.districts["9002"])
    users = scope_for(admin).users()
    assert set(users.values_list("username", flat=True)) == {
        "district_staff", "district_summary", "district_security", "sis_client"}
    assert not users.filter(pk=outsider.pk).exists()
    assert scope_for(state.users[Role.STATE_ADMIN]).users().filter(pk=outsider.pk).exists()
    assert not scope_for(state.users[Role.DISTRICT_STAFF]).users().exists()


def test_an_ended_grant_gives_nothing(state):
    from django.utils import timezone

    user = state.users[Role.DISTRICT_STAFF]
    RoleGrant.objects.filter(user=user).update(ended_at=timezone.now())
    user.refresh_from_db()
    fresh = type(user).objects.get(pk=user.pk)
    assert not scope_for(fresh).children().exists() and not scope_for(fresh).roles


def test_an_anonymous_or_inactive_user_sees_nothing(state):
    from django.contrib.auth.models import AnonymousUser

    user = make_user(Role.STATE_ADMIN, is_active=False)
    for scope in (scope_for(AnonymousUser()), scope_for(None), scope_for(user)):
        assert not scope.children().exists() and not scope.districts().exists() and not scope.roles
        assert not scope.may("child.search")


def test_grants_in_two_districts_add_up(state):
    user = make_user(Role.DISTRICT_STAFF, state.districts["9001"])
    RoleGrant.objects.create(user=user, role=Role.DISTRICT_STAFF, district=state.districts["9003"])
    assert names_of(state, state.children, scope_for(user).children()) == {"d1", "d3"}


def test_may_and_require_follow_the_roles(state):
    reviewer = scope_for(state.users[Role.REVIEWER])
    assert reviewer.may("coe.review") and not reviewer.may("coe.write")
    with pytest.raises(PermissionDenied):
        reviewer.require("users.manage")
    with pytest.raises(ValueError):
        reviewer.may("coe.delete")
    auditor = scope_for(state.users[Role.AUDITOR])
    writes = {"coe.write", "coe.review", "worklist.decide", "alert.acknowledge", "referral.create", "referral.work",
              "service.record", "continuation.record", "pfs.edit", "users.manage", "district_users.manage",
              "enrollments.push"}
    assert not any(auditor.may(permission) for permission in writes)
    assert auditor.may("audit.read")


def test_only_a_state_administrator_changes_the_pfs_criteria(state):
    assert [role for role in Role if scope_for(state.users[role]).may("pfs.edit")] == [Role.STATE_ADMIN]


def test_a_superuser_without_grants_is_a_state_administrator(state):
    user = make_user(None, is_superuser=True, is_staff=True)
    assert scope_for(user).roles == {Role.STATE_ADMIN}


def test_the_recruiters_search_answers_only_name_birth_date_coe_and_district(state):
    child = state.children["d3"]
    scope = scope_for(state.users[Role.RECRUITER])
    found = scope.certified_search(f"{child.first_name.lower()} {child.last_name_1}", child.birth_date)
    assert found == [{"name": " ".join(filter(None, (child.first_name, child.last_name_1, child.last_name_2))),
                      "birth_date": child.birth_date, "coe_id": state.coes["d3"].coe_id, "district": "9003"}]
    assert scope.certified_search("Nobody", child.birth_date) == []
    with pytest.raises(PermissionDenied):
        scope_for(state.users[Role.DISTRICT_STAFF]).certified_search(child.first_name, child.birth_date)


def test_the_middleware_gives_each_request_its_users_scope(state):
    request = RequestFactory().get("/")
    request.user = state.users[Role.DISTRICT_STAFF]
    seen = []
    ScopeMiddleware(lambda request: seen.append(request.scope.roles))(request)
    assert seen == [{Role.DISTRICT_STAFF}]
    assert scope_for(request.user) is scope_for(request.user)


def test_the_small_state_builds_every_named_child_with_its_district(state):
    assert set(state.children) == ALL_CHILDREN
    assert {name: coe.to_district_id for name, coe in state.coes.items()} == {
        "d1": "9001", "d2": "9002", "d3": "9003", "d1_last_year": "9001", "d3_coe_only": "9003", "recruiters": "9003"}
    assert state.enrollments["d1_last_year"].school_year != state.school_year == state.enrollments["d1"].school_year
