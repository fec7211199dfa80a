"""Reads for reports: state residency (for the child counts) and the district migrant list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from mepsis.enrollments.models import Enrollment
from mepsis.orgs.models import District
from mepsis.registry.models import Child, CoeChild, CoeStatus
from mepsis.rules.periods import year_name
from mepsis.rules.residency import MOVED_OUT_OF_STATE, Stay, residency_intervals

from .smepa import id_list


def state_residency(child: Child) -> list[Stay]:
    """The child's stays in the state (mepsis.rules.residency): from the residency date of each of the
    child's approved COEs until an enrollment exit with reason MOVED_OUT_OF_STATE."""
    return state_residencies([child.pk]).get(child.pk, [])


def state_residencies(child_ids: Iterable[int] | None = None) -> dict[int, list[Stay]]:
    """The stays of many children at once (by primary key; every child with an approved COE when None), in
    two queries whatever their number. A child with no approved COE has no stay (and no entry)."""
    arrivals = CoeChild.objects.filter(coe__status=CoeStatus.APPROVED, residency_date__isnull=False)
    departures = Enrollment.objects.filter(exit_reason=MOVED_OUT_OF_STATE, exit_date__isnull=False,
                                           child__isnull=False)
    if child_ids is not None:
        ids = sorted({int(pk) for pk in child_ids})
        arrivals = arrivals.filter(child_id__in=id_list(ids))
        departures = departures.filter(child_id__in=id_list(ids))
    residency_dates: dict[int, list[dt.date]] = {}
    for child_id, day in arrivals.values_list("child_id", "residency_date"):
        residency_dates.setdefault(child_id, []).append(day)
    exits: dict[int, list[dt.date]] = {}
    for child_id, day in departures.values_list("child_id", "exit_date"):
        exits.setdefault(child_id, []).append(day)
    return {child_id: residency_intervals(days, exits.get(child_id, ())) for child_id, days in residency_dates.items()}


# --- The district migrant list (domain.md, "The state data flow", point 6) ------------------------------

MIGRANT_LIST_FIELDS = (
    "child_id", "state_student_id", "local_student_id", "first_name", "middle_name", "last_name_1",
    "last_name_2", "birth_date", "school_id", "grade", "entry_date", "eligibility_start", "last_eligible_day",
    "categorically_eligible_free_meals", "sis_free_reduced_lunch", "fix_in_sis",
)


@dataclass(frozen=True, slots=True)
class MigrantListRow:
    child_id: str
    state_student_id: str | None
    local_student_id: str
    first_name: str
    middle_name: str
    last_name_1: str
    last_name_2: str
    birth_date: dt.date
    school_id: str
    grade: str
    entry_date: dt.date
    eligibility_start: dt.date
    last_eligible_day: dt.date
    # Every certified migratory child is categorically eligible for free school meals.
    categorically_eligible_free_meals: bool
    # What the district's SIS says (Y or N), None when it says nothing.
    sis_free_reduced_lunch: str | None
    # The SIS does not record the free meals the child is entitled to: the district must fix it.
    fix_in_sis: bool

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in MIGRANT_LIST_FIELDS}


def migrant_list(district: District, on: dt.date) -> list[MigrantListRow]:
    """The district's children who are enrolled on ``on`` (entry on or before it, no exit before it, in the
    school year of that day) and eligible on it, one row each (the enrollment entered last, when the child
    is in two of the district's schools), ordered by name. The eligibility dates are those of the COE with
    the latest QAD among those that cover the day."""
    year = year_name(on.year if on.month >= 7 else on.year - 1)
    enrollments = (Enrollment.objects.filter(district=district, school_year=year, child__isnull=False,
                                             entry_date__lte=on)
                   .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=on))
                   .order_by("child_id", "-entry_date", "school__school_id")
                   .values("child_id", "local_student_id", "school__school_id", "grade", "entry_date",
                           "free_reduced_lunch", "state_student_id"))
    current: dict[int, dict] = {}
    for row in enrollments:
        current.setdefault(row["child_id"], row)
    if not current:
        return []
    eligibility: dict[int, tuple] = {}
    for child_id, start, last_day in (
            CoeChild.objects.filter(child_id__in=id_list(sorted(current)), coe__status=CoeStatus.APPROVED,
                                    eligibility_start__lte=on, last_eligible_day__gte=on)
            .order_by("child_id", "-coe__qad", "-last_eligible_day")
            .values_list("child_id", "eligibility_start", "last_eligible_day")):
        eligibility.setdefault(child_id, (start, last_day))
    children = Child.objects.filter(pk__in=id_list(sorted(eligibility))).values(
        "pk", "child_id", "state_student_id", "first_name", "middle_name", "last_name_1", "last_name_2",
        "birth_date")
    rows = []
    for child in children:
        enrollment = current[child["pk"]]
        start, last_day = eligibility[child["pk"]]
        lunch = (enrollment["free_reduced_lunch"] or "").strip().upper() or None
        rows.append(MigrantListRow(
            child_id=child["child_id"],
            state_student_id=child["state_student_id"] or enrollment["state_student_id"] or None,
            local_student_id=enrollment["local_student_id"],
            first_name=child["first_name"], middle_name=child["middle_name"], last_name_1=child["last_name_1"],
            last_name_2=child["last_name_2"], birth_date=child["birth_date"],
            school_id=enrollment["school__school_id"], grade=enrollment["grade"],
            entry_date=enrollment["entry_date"], eligibility_start=start, last_eligible_day=last_day,
            categorically_eligible_free_meals=True, sis_free_reduced_lunch=lunch, fix_in_sis=lunch != "Y",
        ))
    rows.sort(key=lambda row: (row.last_name_1, row.last_name_2, row.first_name, row.child_id))
    return rows
