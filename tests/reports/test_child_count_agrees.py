"""The set-based counts agree, child by child, with the one-child rules of mepsis.rules.counts (through
``explain``, which decides each child with them), on seeded random registries full of edge cases: several
COEs a child, void and unapproved ones, COEs with no eligibility, stays ended by moves out of the state,
summer and regular services, referrals and services under continuation, enrollments with grades."""

import datetime as dt
import random
from collections import Counter

import pytest
from django.utils import timezone

from mepsis.delivery.models import Project, Service
from mepsis.enrollments.models import Enrollment, IngestRun
from mepsis.orgs.models import District, School
from mepsis.registry.models import Child, Coe, CoeChild, Family
from mepsis.reports.child_count import (CATEGORY_1, CATEGORY_2, child_count, counted_children, explain,
                                        services_named)
from mepsis.rules.eligibility import add_months

pytestmark = pytest.mark.django_db

PERIODS = ("2023-24", "2024-25", "2025-26")
SERVICES = ("READINSTR", "MATHINSTR", "HSACCRUAL", "INSTRSERV", "COUNSELSERV", "SUPPSERV", "REFSERV")


def day_between(rng: random.Random, first: str, last: str) -> dt.date:
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def make_registry(seed: int, children: int = 80) -> None:
    rng = random.Random(seed)
    # Dates drawn often from the edges (the periods' first and last days, birthdays, residency dates, last
    # eligible days, each give or take a day), so that boundaries coincide as they do in life.
    edges = [dt.date(year, month, day) for year in range(2022, 2027) for month, day in ((9, 1), (8, 31), (7, 1))]

    def near(days: list[dt.date], first="2020-06-01", last="2026-08-31") -> dt.date:
        if days and rng.random() < .6:
            return rng.choice(days) + dt.timedelta(days=rng.choice([-1, 0, 0, 1]))
        return day_between(rng, first, last)

    districts = [District.objects.create(district_id=f"D{n}", name=f"District {n}") for n in (1, 2)]
    schools = [School.objects.create(district=district, school_id=f"{district.district_id}-1", name="School")
               for district in districts]
    projects = [Project.objects.create(project_id=f"P-{kind}", session_type=kind) for kind in ("summer", "regular")]
    run = IngestRun.objects.create(started_at=timezone.now(), actor="tester")
    for number in range(children):
        # Births whose 3rd, 6th or 22nd birthday falls on or next to an edge, Feb 29 included, or any.
        birth = rng.choice([add_months(near(edges), -12 * rng.choice([3, 6, 22])), dt.date(2020, 2, 29),
                            dt.date(2004, 2, 29), day_between(rng, "2001-06-01", "2024-06-01")])
        child = Child.objects.create(child_id=f"C{seed}-{number}", first_name="A", last_name_1="B", sex="F",
                                     birth_date=birth,
                                     state_student_id=f"S{seed}-{number}" if rng.random() < .8 else None)
        arrivals, last_days = [], []
        for index in range(rng.choice([0, 1, 1, 1, 2, 3])):
            qad = near(edges + arrivals)
            status = rng.choice(["approved"] * 6 + ["void", "submitted", "rejected"])
            last = min(add_months(qad, 36) - dt.timedelta(days=1), add_months(birth, 22 * 12) - dt.timedelta(days=1))
            if rng.random() < .3:  # an early end: high school completion, death...
                last = min(last, near(edges, qad.isoformat(), (qad + dt.timedelta(days=900)).isoformat()))
            has_interval = rng.random() < .9 and last >= qad
            residency = None if rng.random() < .1 else qad + dt.timedelta(days=rng.choice([0, 0, 1, 20]))
            coe = Coe.objects.create(coe_id=f"COE-{seed}-{number}-{index}", status=status, version=1, content_hash="x",
                                     family=Family.objects.create(), qad=qad,
                                     to_district_id=rng.choice(["D1", "D2"]))
            CoeChild.objects.create(coe=coe, child=child, index=0, residency_date=residency,
                                    eligibility_start=qad if has_interval else None,
                                    last_eligible_day=last if has_interval else None)
            arrivals += [residency] if residency else []
            last_days += [last] if has_interval else []
        for enrollment in range(rng.choice([0, 1, 2, 3])):
            moved = rng.random() < .4
            exit = near(arrivals + edges) if moved or rng.random() < .3 else None
            entry = min(exit, near(edges)) if exit else near(edges)
            school = rng.choice(schools)
            Enrollment.objects.create(
                district=school.district, school=school, local_student_id=f"L{seed}-{number}-{enrollment}",
                school_year="2024-25", entry_date=entry, exit_date=exit,
                exit_reason="MOVED_OUT_OF_STATE" if moved else ("OTHER" if exit else ""),
                first_name="A", last_name="B", sex="F", birth_date=birth,
                grade=rng.choice(["PK", "KG", "03", "08", "11", "UG"]), identity_key="k", row_hash=0,
                first_run=run, changed_run=run, child=child, matched_run=run,
                english_learner=rng.choice("YN"), iep=rng.choice("YN"))
        for index in range(rng.choice([0, 1, 2, 4])):
            begin = near(last_days + edges, "2023-06-01")
            Service.objects.get_or_create(
                child=child, service=rng.choice(SERVICES), project=rng.choice(projects), begin_date=begin,
                defaults=dict(end_date=begin + dt.timedelta(days=rng.choice([0, 1, 30])),
                              basis=rng.choice(["eligible", "eligible", "continuation"]),
                              recorded_at=timezone.now(), recorded_by="tester"))


def by_rules(period: str) -> dict[str, dict]:
    return {child.child_id: explain(child, period) for child in Child.objects.all()}


@pytest.mark.parametrize("seed", range(1, 7))
def test_the_sql_counts_the_same_children_on_the_same_day_under_the_same_coe_as_the_rules(seed):
    make_registry(seed)
    for period in PERIODS:
        expected = by_rules(period)
        for category in (CATEGORY_1, CATEGORY_2):
            rows = counted_children(period, category)
            services = services_named([row.service_pk for row in rows if row.service_pk])
            found = {row.child_id: (row.day.isoformat(), row.coe_id, row.age_grade) for row in rows}
            wanted = {child_id: (answer[category]["day"], answer[category]["coe_id"], answer[category]["age_grade"])
                      for child_id, answer in expected.items() if answer[category]["counted"]}
            assert found == wanted, (period, category)
            if category == CATEGORY_2:
                for row in rows:
                    service = expected[row.child_id][category]["service"]
                    assert services[row.service_pk] == (service["service"], service["project_id"],
                                                        service["begin_date"])
            totals = child_count(period)
            assert getattr(totals, category) == len(wanted)
            assert totals.by_age_grade[category] == dict(Counter(age_grade for _, _, age_grade in wanted.values()))


def test_the_generated_registries_reach_every_kind_of_answer():
    """The comparison above means something only if the data makes children count, and not count for each
    reason the rules can give."""
    make_registry(1)
    answers = [answer[category] for period in PERIODS for answer in by_rules(period).values()
               for category in (CATEGORY_1, CATEGORY_2)]
    reasons = " ".join(answer["reason"] for answer in answers)
    assert any(answer["counted"] for answer in answers)
    for reason in ("No COE lists", "No approved COE", "not eligible on any day", "not aged 3 through 21",
                   "did not reside", "no MEP-funded service", "No summer or intersession service fell"):
        assert reason in reasons
