"""Building the data of an alert: certified children through the registry's real import, districts and
schools, ingest runs, and enrollments linked by a run as the matching stage would link them."""

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest
from django.utils import timezone

from mepsis.enrollments.models import Enrollment, IngestRun
from mepsis.orgs.models import District, School
from mepsis.registry.actions import save_coes
from mepsis.registry.models import Child


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def shift(text: str, years: int) -> str:
    value = day(text)
    return value.replace(year=value.year + years).isoformat()


# Columns the ingest keeps for itself (the change detection of the feed), irrelevant to alerts.
_FEED_ONLY = {"row_hash": 0} if any(field.name == "row_hash" for field in Enrollment._meta.fields) else {}


@dataclass
class World:
    example_coe: object
    numbers: itertools.count

    def certify(self, first_name="Ana", state_student_id=None, *, qad="2025-06-01", status="approved",
                void_reason=None) -> Child:
        """A child on a COE of its own (interfaces.md's example, moved to another QAD), saved by the
        registry's import with the status given."""
        number = next(self.numbers)
        document = self.example_coe()
        years = day(qad).year - 2025
        document["coe_id"] = f"WI-TEST-{number:06d}"
        document["status"] = status
        if void_reason:
            document["void_reason"] = void_reason
        move = document["qualifying_move"]
        move["qad"], move["work_start_date"] = shift("2025-06-01", years), shift("2025-06-09", years)
        document["interview_date"] = shift("2025-06-20", years)
        signed = (("interviewee", "2025-06-20"), ("interviewer", "2025-06-20"), ("reviewer", "2025-06-24"))
        for signature, date in signed:
            document["signatures"][signature]["date"] = shift(date, years)
        child = document["children"][0]
        child.update(first_name=first_name, residency_date=shift("2025-06-01", years),
                     state_student_id=state_student_id or f"9{number:09d}")
        report = save_coes([(document["coe_id"], document)], actor="tester", why="test data")
        assert report.refused == [], report.refused[0].errors
        return Child.objects.get(coe_entries__coe__coe_id=document["coe_id"])

    def district(self, district_id="5621") -> District:
        district, _ = District.objects.get_or_create(district_id=district_id,
                                                     defaults={"name": f"District {district_id}"})
        School.objects.get_or_create(district=district, school_id=f"{district_id}-01", defaults={"name": "School"})
        return district

    def run(self) -> IngestRun:
        return IngestRun.objects.create(started_at=timezone.now(), actor="tester", file_name="feed.csv")

    def enroll(self, child: Child, run: IngestRun, *, district="5621", school_year="2025-26", entry="2025-09-02",
               exit=None, linked=True) -> Enrollment:
        """An enrollment of the child that ``run`` brought and (``linked``) linked to the child."""
        district = self.district(district)
        return Enrollment.objects.create(
            district=district, school=district.schools.first(), local_student_id=f"L{next(self.numbers)}",
            school_year=school_year, entry_date=day(entry), exit_date=day(exit) if exit else None,
            state_student_id=child.state_student_id or "", first_name=child.first_name,
            last_name=child.last_name_1, sex=child.sex, birth_date=child.birth_date, grade="05",
            identity_key=f"{child.first_name}|{child.last_name_1}|{child.birth_date}|{child.sex}".lower(),
            first_run=run, changed_run=run, child=child if linked else None, matched_run=run if linked else None,
            match_method="state_student_id" if linked else "", **_FEED_ONLY)


@pytest.fixture
def world(example_coe):
    return World(example_coe, itertools.count(1))
