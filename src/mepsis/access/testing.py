"""Users and a small state for tests of scope, the API and the pages (import from tests only).

``small_state()`` builds two regions and three districts with children in and out of each role's scope,
one user per role (``state.users[Role.X]``, username the role's value, password ``PASSWORD``), and says which
named children each role sees (``VISIBLE_CHILDREN``):

- region ``North`` has districts ``9001`` and ``9002``, region ``South`` has ``9003``;
- ``d1``, ``d2``, ``d3``: certified, on a COE to that district, enrolled there this school year;
- ``d1_last_year``: on a COE to 9001, enrolled there only last school year;
- ``d3_coe_only``: on a COE to 9003, never enrolled;
- ``recruiters``: on a COE to 9003 the recruiter wrote, never enrolled.

District users hold their grant in 9001, the regional administrator in North.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from .models import CoeAuthor, Role, RoleGrant
from .scope import current_school_year

PASSWORD = "correct horse battery staple"
ALL_CHILDREN = frozenset({"d1", "d2", "d3", "d1_last_year", "d3_coe_only", "recruiters"})
VISIBLE_CHILDREN: dict[Role, frozenset[str]] = {
    Role.STATE_ADMIN: ALL_CHILDREN,
    Role.REVIEWER: ALL_CHILDREN,
    Role.AUDITOR: ALL_CHILDREN,
    Role.RECRUITER: frozenset({"recruiters"}),
    Role.REGIONAL_ADMIN: frozenset({"d1", "d2", "d1_last_year"}),
    Role.DISTRICT_STAFF: frozenset({"d1"}),
    Role.DISTRICT_SUMMARY: frozenset(),
    Role.DISTRICT_SECURITY: frozenset(),
    Role.SIS_CLIENT: frozenset(),
}
_numbers = itertools.count(1)


def make_user(role: Role | str | None, district: Any = None, region: Any = None, *, username: str | None = None,
              password: str | None = PASSWORD, **fields: Any):
    """A user holding ``role`` (none when None) in the district or region given (model or primary key)."""
    user = get_user_model()(username=username or f"{role or 'user'}-{next(_numbers)}",
                            password=_hashed(password) if password else make_password(None), **fields)
    user.save()
    if role:
        RoleGrant.objects.create(user=user, role=Role(role), district_id=getattr(district, "pk", district),
                                 region_id=getattr(region, "pk", region))
    return user


@functools.cache
def _hashed(password: str) -> str:
    """A password hashed once per test run: the framework's hashing is slow on purpose, and a salted hash
    checks the same for every user that carries it."""
    return make_password(password)


@dataclass
class SmallState:
    regions: dict[str, Any] = field(default_factory=dict)
    districts: dict[str, Any] = field(default_factory=dict)
    children: dict[str, Any] = field(default_factory=dict)
    coes: dict[str, Any] = field(default_factory=dict)
    enrollments: dict[str, Any] = field(default_factory=dict)
    alerts: dict[str, Any] = field(default_factory=dict)
    smepa: dict[str, Any] = field(default_factory=dict)
    referrals: dict[str, Any] = field(default_factory=dict)
    services: dict[str, Any] = field(default_factory=dict)
    candidates: dict[str, Any] = field(default_factory=dict)
    users: dict[Role, Any] = field(default_factory=dict)
    school_year: str = ""

    def visible(self, role: Role | str) -> dict[str, Any]:
        """The named children a user of this role sees."""
        return {name: self.children[name] for name in VISIBLE_CHILDREN[Role(role)]}

    def hidden(self, role: Role | str) -> dict[str, Any]:
        """The named children a user of this role must not see."""
        return {name: child for name, child in self.children.items() if name not in VISIBLE_CHILDREN[Role(role)]}


def small_state(*, on: dt.date | None = None) -> SmallState:
    from mepsis.alerts.models import Alert, AlertChild, Referral
    from mepsis.delivery.models import Project, Service, ServiceBasis, SessionType
    from mepsis.enrollments.models import IngestRun
    from mepsis.matching.models import MatchCandidate
    from mepsis.orgs.models import District, Region, School
    from mepsis.registry.roster import refresh_roster
    from mepsis.reports.models import SmepaRecord

    today = on or timezone.localdate()
    state = SmallState(school_year=current_school_year(today))
    last_year = current_school_year(dt.date(today.year - 1, today.month, min(today.day, 28)))
    for name in ("North", "South"):
        state.regions[name] = Region.objects.create(name=name)
    for code, region in (("9001", "North"), ("9002", "North"), ("9003", "South")):
        district = District.objects.create(district_id=code, name=f"District {code}", region=state.regions[region])
        School.objects.create(district=district, school_id=f"{code}-01", name=f"School {code}")
        state.districts[code] = district
    for role in Role:
        district = state.districts["9001"] if role in (Role.DISTRICT_STAFF, Role.DISTRICT_SUMMARY,
                                                        Role.DISTRICT_SECURITY, Role.SIS_CLIENT) else None
        region = state.regions["North"] if role == Role.REGIONAL_ADMIN else None
        state.users[role] = make_user(role, district, region, username=role.value)

    for number, (name, code) in enumerate((("d1", "9001"), ("d2", "9002"), ("d3", "9003"), ("d1_last_year", "9001"),
                                           ("d3_coe_only", "9003"), ("recruiters", "9003")), 1):
        state.coes[name], state.children[name] = _certify(number, code, today)
    CoeAuthor.objects.create(coe=state.coes["recruiters"], user=state.users[Role.RECRUITER])

    run = IngestRun.objects.create(started_at=timezone.now(), finished_at=timezone.now(), actor="tester",
                                   file_name="small_state.csv")
    for name, code, year in (("d1", "9001", state.school_year), ("d2", "9002", state.school_year),
                             ("d3", "9003", state.school_year), ("d1_last_year", "9001", last_year)):
        state.enrollments[name] = _enroll(state.children[name], state.districts[code], year, run)
    unlinked = _enroll(state.children["d1"], state.districts["9001"], state.school_year, run, linked=False)
    state.enrollments["d1_unlinked"] = unlinked
    # The enrollments were made here, not by the ingest, so their districts' rosters are brought up to date here.
    refresh_roster(child.pk for child in state.children.values())
    state.candidates["d1"] = MatchCandidate.objects.create(
        enrollment=unlinked, child=state.children["d1"], reason=MatchCandidate.Reason.SEVERAL_CHILDREN, run=run)

    for name, code in (("d1", "9001"), ("d2", "9002"), ("d3", "9003")):
        district = state.districts[code]
        alert = Alert.objects.create(kind=Alert.Kind.DISTRICT_ENROLLMENT, district=district, run=run)
        AlertChild.objects.create(alert=alert, child=state.children[name], enrollment=state.enrollments[name])
        state.alerts[name] = alert
        enrollment = state.enrollments[name]
        state.smepa[name] = SmepaRecord.objects.create(
            child=state.children[name], district=district, school_year=state.school_year,
            student_unique_id=state.children[name].state_student_id or "", begin_date=enrollment.entry_date,
            last_qualifying_move=state.coes[name].qad, updated_at=timezone.now())
        state.referrals[name] = Referral.objects.create(
            district=district, family_name=f"Family {code}", contact="555-0100",
            created_by=state.users[Role.STATE_ADMIN])
        project = Project.objects.create(project_id=f"P-{code}", name=f"Project {code}",
                                         session_type=SessionType.REGULAR, district=district)
        state.services[name] = Service.objects.create(
            child=state.children[name], coe=state.coes[name], service="READINSTR", project=project,
            begin_date=enrollment.entry_date, end_date=enrollment.entry_date + dt.timedelta(days=30), hours=10,
            basis=ServiceBasis.ELIGIBLE, recorded_at=timezone.now(), recorded_by="tester")
    state.alerts["recruiters"] = Alert.objects.create(kind=Alert.Kind.RECRUITER_ENROLLMENT, district=None, run=run)
    return state


def _certify(number: int, district_code: str, today: dt.date):
    """An approved COE with one child, moved to the district last season, saved by the registry's import."""
    from mepsis.registry.actions import save_coes
    from mepsis.registry.models import Coe
    from mepsis.synth import make_coes

    document = next(make_coes(number, 1, district_ids=[district_code], start=number, year=today.year - 1,
                              today=today))
    document["coe_id"] = f"WI-TEST-{next(_numbers):06d}"
    document["children"] = document["children"][:1]
    report = save_coes([(document["coe_id"], document)], actor="tester", why="test data")
    if report.refused:
        raise AssertionError(report.refused[0].errors)
    coe = Coe.objects.get(coe_id=document["coe_id"])
    return coe, coe.children.get().child


def _enroll(child, district, school_year: str, run, *, linked: bool = True):
    from mepsis.enrollments.models import Enrollment
    from mepsis.rules.periods import school_year as year_span

    return Enrollment.objects.create(
        district=district, school=district.schools.first(), local_student_id=f"L{next(_numbers)}",
        school_year=school_year, entry_date=year_span(school_year).first_day + dt.timedelta(days=62),
        state_student_id=child.state_student_id or "", first_name=child.first_name, last_name=child.last_name_1,
        sex=child.sex, birth_date=child.birth_date, grade="05",
        identity_key=f"{child.first_name}|{child.last_name_1}|{child.birth_date}|{child.sex}".lower(), row_hash=0,
        first_run=run, changed_run=run, child=child if linked else None, matched_run=run if linked else None,
        match_method="state_student_id" if linked else "")
