"""Certified children (through the registry's real import), enrollments and services files for the tests of
services, continuations and priority for services."""

import csv
import datetime as dt
import itertools

import pytest
from certified_children import certify
from django.utils import timezone

from mepsis.enrollments.models import Enrollment, IngestRun
from mepsis.orgs.models import District, School
from mepsis.registry.models import Child

COLUMNS = ("coe_id", "child_index", "state_student_id", "service", "project_id", "session_type", "begin_date",
           "end_date", "hours")


class World:
    def __init__(self, example_coe, tmp_path):
        self.example_coe, self.tmp_path = example_coe, tmp_path
        self.numbers = itertools.count(1)

    def certify(self, *args, coe_id=None, **fields) -> Child:
        """A child on a COE of its own (certified_children.certify)."""
        number = next(self.numbers)
        return certify(self.example_coe, coe_id or f"WI-TEST-{number:06d}", *args, **fields)

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
