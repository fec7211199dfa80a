"""Certified children (through the registry's real import), enrollments and services files for the tests of
services, continuations and priority for services."""

import csv
import datetime as dt
import itertools

import pytest
from django.utils import timezone

from mepsis.enrollments.models import Enrollment, IngestRun
from mepsis.orgs.models import District, School
from mepsis.registry.actions import save_coes
from mepsis.registry.models import Child

COLUMNS = ("coe_id", "child_index", "state_student_id", "service", "project_id", "session_type", "begin_date",
           "end_date", "hours")


def after(text: str, days: int) -> str:
    return (dt.date.fromisoformat(text) + dt.timedelta(days=days)).isoformat()


class World:
    def __init__(self, example_coe, tmp_path):
        self.example_coe, self.tmp_path = example_coe, tmp_path
        self.numbers = itertools.count(1)

    def certify(self, first_name="Ana", state_student_id="1234567890", *, qad="2025-06-01", coe_id=None,
                birth_date="2014-03-02", status="approved", **child_fields) -> Child:
        """A child on a COE of its own (interfaces.md's example moved to another QAD); eligible from the QAD
        for 36 months."""
        number = next(self.numbers)
        document = self.example_coe()
        document["coe_id"] = coe_id or f"WI-TEST-{number:06d}"
        document["status"] = status
        move = document["qualifying_move"]
        move["qad"], move["work_start_date"] = qad, after(qad, 8)
        document["interview_date"] = after(qad, 19)
        for signature, days in (("interviewee", 19), ("interviewer", 19), ("reviewer", 23)):
            document["signatures"][signature]["date"] = after(qad, days)
        document["children"][0].update(first_name=first_name, birth_date=birth_date, residency_date=qad,
                                       state_student_id=state_student_id, **child_fields)
        report = save_coes([(document["coe_id"], document)], actor="tester", why="test data")
        assert report.refused == [], report.refused[0].errors
        return Child.objects.get(coe_entries__coe__coe_id=document["coe_id"])

    def enroll(self, child, *, entry="2025-09-02", school_year="2025-26", grade="05") -> Enrollment:
        district, _ = District.objects.get_or_create(district_id="5621", defaults={"name": "D", "edfi_id": 255621})
        school, _ = School.objects.get_or_create(district=district, school_id="5621-01", defaults={"name": "S"})
        run = IngestRun.objects.create(started_at=timezone.now(), actor="tester", file_name="feed.csv")
        return Enrollment.objects.create(
            row_hash=0, district=district, school=school, school_year=school_year,
            local_student_id=f"S-{next(self.numbers)}", entry_date=dt.date.fromisoformat(entry),
            state_student_id=child.state_student_id or "", first_name="Ana", last_name="Garcia", sex="F",
            birth_date=child.birth_date, grade=grade, identity_key="k", first_run=run, changed_run=run, child=child,
            matched_run=run, match_method="state_student_id")

    def services_file(self, *rows: dict, name="services.csv"):
        path = self.tmp_path / name
        with path.open("w", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=COLUMNS)
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
        return path


@pytest.fixture
def world(example_coe, tmp_path):
    return World(example_coe, tmp_path)
