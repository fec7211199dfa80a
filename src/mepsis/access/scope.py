"""Who may see which records, decided here and nowhere else (roles.md).

``scope_for(user)`` gives a ``Scope``: querysets of the records the user may see (a record outside them
answers 404 in a view: ``get_object_or_404(scope.children(), child_id=...)``) and ``may(permission)``.

A user's scope is the union of their active role grants. Every queryset below the state level is one query
whose conditions are EXISTS subqueries on indexed columns (a child is in a district's scope when an
enrollment with that child, that district and the current school year exists: the enrollments index is
(child, district, school_year)), so scoping does not read a district's enrollments into Python.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from mepsis.rules.periods import year_name

from .models import CoeAuthor, Role, RoleGrant

PERMISSIONS = frozenset({
    "coe.write", "coe.review", "worklist.decide", "alert.acknowledge", "referral.create", "referral.work",
    "service.record", "continuation.record", "pfs.edit", "users.manage", "district_users.manage", "audit.read",
    "reports.federal", "counts.read", "enrollments.push", "smepa.read", "child.search", "dashboards.read",
})

# What each role may do (roles.md, "does"); what it may see is in the querysets of Scope.
ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    # The PFS criteria are the state's (domain.md): only its administrators change them.
    Role.STATE_ADMIN: frozenset({"users.manage", "district_users.manage", "audit.read", "reports.federal",
                                 "counts.read", "dashboards.read", "smepa.read", "child.search", "pfs.edit"}),
    Role.REVIEWER: frozenset({"coe.review", "worklist.decide", "continuation.record", "child.search",
                              "counts.read", "dashboards.read", "smepa.read"}),
    Role.RECRUITER: frozenset({"coe.write", "referral.work", "alert.acknowledge", "child.search"}),
    Role.REGIONAL_ADMIN: frozenset({"service.record", "counts.read", "dashboards.read", "smepa.read"}),
    Role.DISTRICT_STAFF: frozenset({"alert.acknowledge", "referral.create", "service.record", "counts.read",
                                    "dashboards.read", "smepa.read"}),
    Role.DISTRICT_SUMMARY: frozenset({"counts.read", "dashboards.read"}),
    Role.DISTRICT_SECURITY: frozenset({"district_users.manage"}),
    Role.SIS_CLIENT: frozenset({"enrollments.push", "smepa.read"}),
    Role.AUDITOR: frozenset({"audit.read", "reports.federal", "counts.read", "dashboards.read", "smepa.read"}),
}
assert all(permissions <= PERMISSIONS for permissions in ROLE_PERMISSIONS.values())

STATEWIDE_ROLES = frozenset({Role.STATE_ADMIN, Role.REVIEWER, Role.AUDITOR})


def current_school_year(on: dt.date | None = None) -> str:
    """The school year (July 1 to June 30, ``mepsis.rules.periods``) a day falls in, by name."""
    on = on or timezone.localdate()
    return year_name(on.year if on.month >= 7 else on.year - 1)


def scope_for(user: Any) -> Scope:
    """The scope of a user (anonymous or inactive: nothing), kept on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(None, [])
    scope = getattr(user, "_mepsis_scope", None)
    if scope is None:
        grants = list(RoleGrant.objects.active().filter(user=user).values_list("role", "district_id", "region_id"))
        if user.is_superuser:
            # The first administrator, made with `mepsis createsuperuser`, runs the state until roles are granted.
            grants.append((Role.STATE_ADMIN, None, None))
        scope = user._mepsis_scope = Scope(user, grants)
    return scope


class Scope:
    """The records one user may see and what they may do, from their active role grants."""

    def __init__(self, user: Any, grants: list[tuple[str, int | None, int | None]], *,
                 on: dt.date | None = None):
        self.user = user
        self.roles: set[Role] = {Role(role) for role, _, _ in grants}
        self._districts_of: dict[Role, set[int]] = {}
        self._regions: set[int] = set()
        for role, district_id, region_id in grants:
            if district_id is not None:
                self._districts_of.setdefault(Role(role), set()).add(district_id)
            if role == Role.REGIONAL_ADMIN and region_id is not None:
                self._regions.add(region_id)
        self.school_year = current_school_year(on)

    def __repr__(self):
        return f"<Scope {getattr(self.user, 'username', None)} {sorted(self.roles)}>"

    # -- what the user may do --------------------------------------------------------------------------

    @property
    def statewide(self) -> bool:
        """Sees every record statewide."""
        return bool(self.roles & STATEWIDE_ROLES)

    @property
    def suppress_counts(self) -> bool:
        """Counts shown to this user are below the state level, so small cells must be suppressed."""
        return not self.statewide

    @cached_property
    def permissions(self) -> frozenset[str]:
        return frozenset().union(*(ROLE_PERMISSIONS[role] for role in self.roles))

    def may(self, permission: str) -> bool:
        if permission not in PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r}")
        return permission in self.permissions

    def require(self, permission: str) -> None:
        """Stop with 403 unless the user may do this."""
        if not self.may(permission):
            raise PermissionDenied(permission)

    # -- where the user's grants reach -----------------------------------------------------------------

    def district_ids(self, *roles: Role) -> set[int]:
        """The districts (primary keys) the user's grants of these roles name."""
        return set().union(*(self._districts_of.get(role, set()) for role in roles))

    def _region_districts(self) -> QuerySet:
        """The districts of the user's regions, to be used as a subquery: a region's hundred-odd district ids
        would be passed and planned on every request."""
        from mepsis.orgs.models import District

        return District.objects.filter(region_id__in=self._regions)

    def _in_districts(self, field: str, districts: set[int]) -> Q | None:
        """The condition that the district (primary key) in ``field`` is one of these or of the user's regions."""
        conditions = [Q(**{f"{field}__in": districts})] if districts else []
        if self._regions:
            conditions.append(Q(**{f"{field}__in": self._region_districts().values("pk")}))
        return _any(conditions)

    @property
    def _staff(self) -> set[int]:
        return self.district_ids(Role.DISTRICT_STAFF)

    @property
    def _recruiter(self) -> bool:
        return Role.RECRUITER in self.roles

    # -- the records the user may see ------------------------------------------------------------------

    def children(self) -> QuerySet:
        from mepsis.registry.models import Child

        return self._scoped(Child.objects.all(), self._child_condition("pk"))

    def coes(self) -> QuerySet:
        from mepsis.registry.models import Coe, CoeChild

        conditions = []
        if self._recruiter:
            conditions.append(Exists(CoeAuthor.objects.filter(coe=OuterRef("pk"), user=self.user)))
        if self._regions:
            conditions.append(Q(to_district_id__in=self._region_districts().values("district_id")))
        # District and regional staff see the COEs that list a child of theirs; a recruiter only those they wrote.
        child_condition = self._child_condition("child_id", recruiter=False)
        if child_condition is not None:
            conditions.append(Exists(CoeChild.objects.filter(child_condition, coe=OuterRef("pk"))))
        return self._scoped(Coe.objects.all(), _any(conditions))

    def enrollments(self) -> QuerySet:
        from mepsis.enrollments.models import Enrollment

        conditions = [self._in_districts("district_id", self._staff | self.district_ids(Role.SIS_CLIENT))]
        child_condition = self._child_condition("child_id")
        if child_condition is not None:
            conditions.append(child_condition)
        return self._scoped(Enrollment.objects.all(), _any(conditions))

    def alerts(self) -> QuerySet:
        from mepsis.alerts.models import Alert

        conditions = [self._in_districts("district_id", self._staff)]
        if self._recruiter:
            conditions.append(Q(district__isnull=True))
        return self._scoped(Alert.objects.all(), _any(conditions))

    def smepa(self) -> QuerySet:
        from mepsis.reports.models import SmepaRecord

        return self._scoped(SmepaRecord.objects.all(),
                            self._in_districts("district_id", self._staff | self.district_ids(Role.SIS_CLIENT)))

    def candidates(self) -> QuerySet:
        """The match worklist: pairs a person decides, for the state's reviewers (and, read-only, auditors)."""
        from mepsis.matching.models import MatchCandidate

        return self._scoped(MatchCandidate.objects.all(), None)

    def referrals(self) -> QuerySet:
        from mepsis.alerts.models import Referral

        conditions = [self._in_districts("district_id", self._staff)]
        if self._recruiter:
            # A recruiter works the referrals assigned to them and picks up the ones nobody has yet.
            conditions.append(Q(assigned_to=self.user) | Q(status=Referral.Status.OPEN, assigned_to__isnull=True))
        return self._scoped(Referral.objects.all(), _any(conditions))

    def services(self) -> QuerySet:
        from mepsis.delivery.models import Service

        conditions = [self._in_districts("project__district_id", self._staff)]
        if self._regions:
            conditions.append(Q(project__region_id__in=self._regions))
        child_condition = self._child_condition("child_id", recruiter=False)
        if child_condition is not None:
            conditions.append(child_condition)
        return self._scoped(Service.objects.all(), _any(conditions))

    def children_of(self, district: Any) -> QuerySet:
        """The children of a district (``DistrictChild``: an enrollment linked there or a COE moving there)
        that the user sees, joined to that table (the lists order by its names).

        Every child of a district of the user's regions is in a regional administrator's scope (a COE moving
        to a district of the region, or an enrollment in one), so no condition needs building or planning
        for them; district staff see only the children enrolled this school year, so theirs are filtered."""
        from mepsis.registry.models import Child

        children = Child.objects.filter(districts__district=district.district_id)
        if district.region_id is not None and district.region_id in self._regions:
            return children
        return self._scoped(children, self._child_condition("pk"))

    def records_of(self, child: Any) -> ChildRecords:
        """The COE entries (``CoeChild``), enrollments and services of a child found through ``children()``
        that the user sees.

        The same as filtering ``coes()``, ``enrollments()`` and ``services()`` by the child, in simpler
        queries: every condition of those querysets but a recruiter's own holds for every record of a child
        the user sees (each is the child's own condition, or is implied by it), so without the recruiter's role
        all of the child's records are visible and no condition needs building or planning again."""
        from mepsis.delivery.models import Service
        from mepsis.enrollments.models import Enrollment
        from mepsis.registry.models import CoeChild

        entries = CoeChild.objects.filter(child=child)
        if self._recruiter and not self.statewide:
            return ChildRecords(entries.filter(Exists(self.coes().filter(pk=OuterRef("coe_id")))),
                                self.enrollments().filter(child=child), self.services().filter(child=child))
        return ChildRecords(entries, Enrollment.objects.filter(child=child), Service.objects.filter(child=child))

    def districts(self) -> QuerySet:
        """The districts whose records (or counts) the user sees; every district for a recruiter, who writes
        COEs for families moving anywhere in the state."""
        from mepsis.orgs.models import District

        if self._recruiter:
            return District.objects.all()
        return self._scoped(District.objects.all(), self._in_districts("pk", set().union(*self._districts_of.values())))

    def users(self) -> QuerySet:
        """The users this user manages: every user for a state administrator, those holding a grant in their
        district for a district security administrator."""
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.all()
        if self.may("users.manage"):
            return users
        districts = self.district_ids(Role.DISTRICT_SECURITY)
        if not districts:
            return users.none()
        return users.filter(Exists(RoleGrant.objects.active().filter(user=OuterRef("pk"),
                                                                    district_id__in=districts)))

    def certified_search(self, name: str, birth_date: dt.date) -> list[dict]:
        """Is this child already certified? Statewide, with only enough to avoid a duplicate COE: the name,
        birth date, COE id and district of each approved COE listing a child of that birth date whose names
        include every word of ``name``."""
        from mepsis.registry.models import CoeChild, CoeStatus

        from . import audit

        self.require("child.search")
        words = name.split()
        if not words:
            return []
        entries = CoeChild.objects.filter(child__birth_date=birth_date, coe__status=CoeStatus.APPROVED)
        for word in words:
            entries = entries.filter(Q(child__first_name__iexact=word) | Q(child__middle_name__iexact=word)
                                     | Q(child__last_name_1__iexact=word) | Q(child__last_name_2__iexact=word))
        rows = entries.order_by("child__last_name_1", "child__first_name", "coe__coe_id").values_list(
            "child__first_name", "child__last_name_1", "child__last_name_2", "child__birth_date", "coe__coe_id",
            "coe__to_district_id")
        found = [{"name": " ".join(part for part in (first, last_1, last_2) if part), "birth_date": born,
                  "coe_id": coe_id, "district": district} for first, last_1, last_2, born, coe_id, district in rows]
        audit.record(audit.actor_of(self.user), "child.certified_search", "child", "",
                     after={"name": name, "birth_date": birth_date.isoformat(), "found": len(found)})
        return found

    # -- helpers -----------------------------------------------------------------------------------------

    def _scoped(self, queryset: QuerySet, condition: Any) -> QuerySet:
        if self.statewide:
            return queryset
        if condition is None:
            return queryset.none()
        return queryset.filter(condition)

    def _child_condition(self, ref: str, *, recruiter: bool = True) -> Any:
        """The condition that the child whose primary key is in column ``ref`` of the queryset filtered is one
        the user sees (None: no child), below the state level."""
        from mepsis.enrollments.models import Enrollment
        from mepsis.registry.models import CoeChild

        conditions = []
        if recruiter and self._recruiter:
            conditions.append(Exists(CoeChild.objects.filter(child=OuterRef(ref), coe__authors__user=self.user)))
        if self._staff:
            conditions.append(Exists(Enrollment.objects.filter(child=OuterRef(ref), district_id__in=self._staff,
                                                               school_year=self.school_year)))
        if self._regions:
            from mepsis.delivery.models import Service

            # The COE and service conditions first: PostgreSQL hashes their few rows once and tries them before
            # probing a child's enrollments, so most children of the region never need the probe.
            codes = self._region_districts().values("district_id")
            conditions.append(Exists(CoeChild.objects.filter(child=OuterRef(ref), coe__to_district_id__in=codes)))
            conditions.append(Exists(Service.objects.filter(
                self._in_districts("project__district_id", set()) | Q(project__region_id__in=self._regions),
                child=OuterRef(ref))))
            conditions.append(Exists(Enrollment.objects.filter(self._in_districts("district_id", set()),
                                                               child=OuterRef(ref))))
        return _any(conditions)


class ChildRecords(NamedTuple):
    coe_entries: QuerySet
    enrollments: QuerySet
    services: QuerySet


def _any(conditions: list) -> Any:
    """The disjunction of the conditions (None among them: no condition), or None when there are none."""
    conditions = [condition for condition in conditions if condition is not None]
    if not conditions:
        return None
    combined = Q(conditions[0])
    for condition in conditions[1:]:
        combined |= Q(condition)
    return combined
