"""Loading the state's districts, schools and regions (interfaces.md, "Districts and schools")."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from mepsis.access import audit

from .models import District, Region, School

COLUMNS = ("district_id", "district_name", "school_id", "school_name", "nces_district_id", "nces_school_id",
           "region", "grades")
OPTIONAL_COLUMNS = ("edfi_id",)


class Unreadable(Exception):
    """The file cannot be read at all (missing, not UTF-8 text, a header without the required columns)."""


@dataclass
class OrgsReport:
    rows: int = 0
    districts_created: int = 0
    districts_updated: int = 0
    schools_created: int = 0
    schools_updated: int = 0
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {**{name: getattr(self, name) for name in ("rows", "districts_created", "districts_updated",
                                                           "schools_created", "schools_updated", "unchanged")},
                "refused": len(self.refused)}


def load_orgs(path: Path, *, actor: str) -> OrgsReport:
    """Create or update every district and school of the file; a bad row is refused, the rest are kept.

    The whole file is one transaction: a state's list of organizations is small, and half of it is worse
    than none.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
            if missing:
                raise Unreadable(f"{path}: the header has no column {', '.join(missing)}; it needs "
                                 f"{', '.join(COLUMNS)} (and optionally {', '.join(OPTIONAL_COLUMNS)}).")
            rows = list(enumerate(reader, start=2))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise Unreadable(f"{path}: cannot be read as a UTF-8 CSV file ({error}).") from error
    report = OrgsReport(rows=len(rows))
    with transaction.atomic():
        regions = {region.name: region for region in Region.objects.all()}
        districts = {district.district_id: district for district in District.objects.all()}
        schools = {(school.district.district_id, school.school_id): school
                   for school in School.objects.select_related("district")}
        events = []
        # District rows first, so a school row may come before its district's row in the file.
        for line, row in sorted(rows, key=lambda numbered: bool((numbered[1].get("school_id") or "").strip())):
            problem = _problem(row)
            if problem:
                report.refused.append(f"{path}:{line}: {problem}")
                continue
            values = {key: (value or "").strip() for key, value in row.items() if key}
            district_id, school_id = values["district_id"], values["school_id"]
            district = districts.get(district_id)
            region = None
            if values["region"]:
                region = regions.get(values["region"]) or Region.objects.create(name=values["region"])
                regions[region.name] = region
            if not school_id or district is None:
                wanted = {"name": values["district_name"], "nces_id": values["nces_district_id"],
                          "region": region if region or district is None else district.region}
                if not school_id and values.get("edfi_id"):
                    wanted["edfi_id"] = int(values["edfi_id"])
                if district is None:
                    district = districts[district_id] = District.objects.create(district_id=district_id, **wanted)
                    report.districts_created += 1
                    events.append(audit.event(actor, "district.created", "district", district_id, after=_plain(wanted)))
                elif _changed(district, wanted):
                    before = _update(district, wanted)
                    report.districts_updated += 1
                    events.append(audit.event(actor, "district.updated", "district", district_id, before=before,
                                              after=_plain(wanted)))
                elif not school_id:
                    report.unchanged += 1
            if not school_id:
                continue
            wanted = {"name": values["school_name"], "nces_id": values["nces_school_id"], "grades": values["grades"],
                      "edfi_id": int(values["edfi_id"]) if values.get("edfi_id") else None}
            school = schools.get((district_id, school_id))
            if school is None:
                schools[(district_id, school_id)] = School.objects.create(district=district, school_id=school_id,
                                                                          **wanted)
                report.schools_created += 1
                events.append(audit.event(actor, "school.created", "school", f"{district_id}/{school_id}",
                                          after=wanted))
            elif _changed(school, wanted):
                before = _update(school, wanted)
                report.schools_updated += 1
                events.append(audit.event(actor, "school.updated", "school", f"{district_id}/{school_id}",
                                          before=before, after=wanted))
            else:
                report.unchanged += 1
        audit.record_many(events)
    return report


def _problem(row: dict) -> str | None:
    if None in row:
        return "the row has more fields than the header."
    for column, label in (("district_id", "district_id"), ("district_name", "district_name")):
        if not (row.get(column) or "").strip():
            return f"field {label}: the district's id and name are required on every row."
    if (row.get("school_id") or "").strip() and not (row.get("school_name") or "").strip():
        return "field school_name: a school row needs the school's name."
    edfi_id = (row.get("edfi_id") or "").strip()
    if edfi_id and not edfi_id.isdigit():
        return f"field edfi_id: an Ed-Fi education organization id is a whole number, not {edfi_id!r}."
    return None


def _plain(values: dict) -> dict:
    return {key: str(value) if isinstance(value, Region) else value for key, value in values.items()}


def _changed(record, wanted: dict) -> bool:
    return any(getattr(record, name) != value for name, value in wanted.items())


def _update(record, wanted: dict) -> dict:
    before = _plain({name: getattr(record, name) for name in wanted})
    for name, value in wanted.items():
        setattr(record, name, value)
    record.save()
    return before
