"""Building the data behind SMEPA records and migrant lists: certified children through the registry's real
import (``save_coes``), districts and schools, and enrollments stored by an ingest run and linked to a child
as the matching stage links them."""

import datetime as dt
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from certified_children import certify, save_coe
from django.utils import timezone
from jsonschema import Draft202012Validator

from mepsis.enrollments.models import Enrollment, IngestRun
from mepsis.orgs.models import District, School
from mepsis.registry.models import Child

ENROLLMENT_FIELDS = {field.name for field in Enrollment._meta.concrete_fields}
SCHEMA = json.loads((Path(__file__).parents[1] / "fixtures" / "smepa.schema.json").read_text())


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture
def smepa_validator():
    """The official Ed-Fi DS 5.2 schema of a SMEPA body, with its formats (dates, int64) checked."""
    return Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


@dataclass
class State:
    example_coe: object
    numbers: itertools.count = field(default_factory=lambda: itertools.count(1))
    _run: IngestRun | None = None

    def certify(self, *args, coe_id=None, **fields) -> Child:
        """A child on a COE of its own (certified_children.certify)."""
        number = next(self.numbers)
        return certify(self.example_coe, coe_id or f"WI-TEST-{number:06d}", *args, **fields)

    def save(self, document):
        save_coe(document)

    def district(self, district_id="5621", edfi_id=255621) -> District:
        district, _ = District.objects.get_or_create(
            district_id=district_id, defaults={"name": f"District {district_id}", "edfi_id": edfi_id})
        School.objects.get_or_create(district=district, school_id=f"{district_id}-01", defaults={"name": "School"})
        return district

    def run(self) -> IngestRun:
        if self._run is None:
            self._run = IngestRun.objects.create(started_at=timezone.now(), actor="tester", file_name="feed.csv")
        return self._run

    def enroll(self, child: Child | None, district: District | None = None, *, entry="2025-09-02", exit=None,
               school_year="2025-26", exit_reason="", free_reduced_lunch="Y", local_student_id=None,
               grade="05") -> Enrollment:
        """An enrollment as the feed stores it, linked to ``child`` (None: not matched)."""
        district = district or self.district()
        run = self.run()
        # What the ingest computes for its own use (a hash of the row's data), when the model has it.
        computed = {name: 0 for name in ("row_hash",) if name in ENROLLMENT_FIELDS}
        return Enrollment.objects.create(**computed,
            district=district, school=district.schools.first(), school_year=school_year,
            local_student_id=local_student_id or f"S-{next(self.numbers)}", entry_date=day(entry),
            exit_date=day(exit) if exit else None, exit_reason=exit_reason,
            state_student_id=child.state_student_id or "" if child else "", first_name="Ana", last_name="Garcia",
            sex="F", birth_date=day("2014-03-02"), grade=grade, free_reduced_lunch=free_reduced_lunch,
            identity_key="ana|garcia|2014-03-02|f", first_run=run, changed_run=run, child=child,
            matched_run=run if child else None, match_method="state_student_id" if child else "")


@pytest.fixture
def state(example_coe):
    return State(example_coe)
