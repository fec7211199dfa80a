"""The consolidated record of a child (interfaces.md: identity, COE history, eligibility, enrollments,
services, flags), as one plain dictionary: the API answers it as JSON and the pages can render it.

Every part is read through the user's scope, in a fixed number of queries whatever the child's history.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext

from mepsis.access.scope import Scope
from mepsis.delivery.models import PfsDetermination
from mepsis.matching.models import MatchCandidate
from mepsis.registry.models import Child, CoeStatus

IDENTITY = ("child_id", "first_name", "middle_name", "last_name_1", "last_name_2", "suffix", "sex", "birth_date",
            "state_student_id")
# Each part's fields, as the record names them and as the database is asked for them: plain values, since
# model instances with every column of their joins would cost more to build than the query takes.
COE_FIELDS = {"coe_id": "coe__coe_id", "status": "coe__status", "version": "coe__version",
              "interview_date": "coe__interview_date", "qad": "coe__qad", "to_district_id": "coe__to_district_id",
              "child_index": "index", **{name: name for name in ("residency_date", "eligibility_start",
                                                                  "last_eligible_day", "end_reason")}}
ENROLLMENT_FIELDS = {"district_id": "district__district_id", "school_id": "school__school_id", **{
    name: name for name in ("school_year", "local_student_id", "state_student_id", "grade", "entry_date", "exit_date",
                            "exit_reason", "english_learner", "iep", "free_reduced_lunch", "match_method")}}
SERVICE_FIELDS = {"project_id": "project__project_id", "session_type": "project__session_type",
                  **{name: name for name in ("service", "begin_date", "end_date", "hours", "basis")}}
# A child whose eligibility ends within this many days is flagged, for a re-interview in time.
ENDING_SOON_DAYS = 90


def find_child(scope: Scope, child_id: str) -> Child:
    """The child with this child_id in the user's scope (else 404), with what its flags need: its PFS
    determination in force and whether a match waits on the worklist, in the same query."""
    pfs = PfsDetermination.objects.filter(child=OuterRef("pk")).order_by("-determination_date", "-determined_at")
    open_match = MatchCandidate.objects.filter(child=OuterRef("pk"), status=MatchCandidate.Status.OPEN)
    return get_object_or_404(scope.children().annotate(
        pfs=Subquery(pfs.values("pfs")[:1]), pfs_date=Subquery(pfs.values("determination_date")[:1]),
        match_review=Exists(open_match)), child_id=child_id)


def consolidated_record(scope: Scope, child: Child, *, on: dt.date | None = None) -> dict:
    """The record of a child found by ``find_child``."""
    today = on or timezone.localdate()
    records = scope.records_of(child)
    coes = [{**coe, "end_reason": coe["end_reason"] or None}
            for coe in _rows(records.coe_entries.order_by("coe__qad", "coe__coe_id"), COE_FIELDS)]
    # Only an approved COE (so not a voided one) gives eligible days.
    eligibility = [{name: coe[name] for name in ("coe_id", "eligibility_start", "last_eligible_day", "end_reason")}
                   for coe in coes if coe["status"] == CoeStatus.APPROVED and coe["eligibility_start"]]
    eligible_today = any(interval["eligibility_start"] <= today <= interval["last_eligible_day"]
                         for interval in eligibility)
    enrollments = [{name: value or None for name, value in enrollment.items()}
                   for enrollment in _rows(records.enrollments.order_by("-entry_date", "pk"), ENROLLMENT_FIELDS)]
    services = _rows(records.services.order_by("-begin_date", "pk"), SERVICE_FIELDS)
    return {
        **{name: getattr(child, name) or None for name in IDENTITY},
        "eligible_today": eligible_today,
        "coes": coes,
        "eligibility": eligibility,
        "enrollments": enrollments,
        "services": services,
        "flags": _flags(child, eligibility, eligible_today, today),
    }


def _rows(queryset, fields: dict[str, str]) -> list[dict]:
    return [dict(zip(fields, row)) for row in queryset.values_list(*fields.values())]


def _flags(child: Child, eligibility: list[dict], eligible_today: bool, today: dt.date) -> list[dict]:
    """What a person looking at the record should notice, each with a code and a sentence."""
    flags = []
    if child.pfs:
        flags.append(("PRIORITY_FOR_SERVICES", gettext("Priority for services since %(day)s.") % {
            "day": child.pfs_date.isoformat()}))
    if eligible_today:
        last_day = max(interval["last_eligible_day"] for interval in eligibility
                       if interval["eligibility_start"] <= today <= interval["last_eligible_day"])
        if (last_day - today).days < ENDING_SOON_DAYS:
            flags.append(("ELIGIBILITY_ENDS_SOON", gettext("Eligibility ends on %(day)s: a re-interview may find a "
                                                           "new qualifying move.") % {"day": last_day.isoformat()}))
    if not child.state_student_id:
        flags.append(("NO_STATE_STUDENT_ID", gettext("No state student id yet: no enrollment is linked to the "
                                                     "child, so no SMEPA record is published.")))
    if child.match_review:
        flags.append(("MATCH_REVIEW", gettext("An enrollment that may be this child waits on the match worklist.")))
    return [{"code": code, "message": message} for code, message in flags]
