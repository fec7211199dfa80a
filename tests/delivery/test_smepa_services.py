"""PFS and services flow into the SMEPA records (interfaces.md, "SMEPA export")."""

import datetime as dt
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from service_rows import service

from mepsis.delivery.actions import determine_pfs, record_continuation, record_services
from mepsis.reports.models import SmepaRecord
from mepsis.reports.smepa import refresh_smepa

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
SCHEMA = json.loads((Path(__file__).parents[1] / "fixtures" / "smepa.schema.json").read_text())
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def export(mepsis, *options):
    ran = mepsis("export", "smepa", *options)
    assert ran.code == 0, ran.err
    documents = [json.loads(line) for line in ran.out.splitlines()]
    for document in documents:
        VALIDATOR.validate(document)
    return documents


def test_the_record_lists_the_childs_services_and_whether_one_was_in_summer(world, mepsis):
    ana = world.certify()  # eligible 2025-06-01 .. 2028-05-31
    world.enroll(ana, entry="2025-09-02")
    refresh_smepa()
    record_services([service(), service(service="SUPPSERV", hours="", project_id="SUMMER", session_type="summer",
                                        begin_date="2026-06-15", end_date="2026-07-15"),
                     service(service="COUNSELSERV", hours="", begin_date="2025-07-01", end_date="2025-07-01")],
                    actor="t")

    [document] = export(mepsis)

    assert document["migrantEducationProgramServices"] == [
        {"migrantEducationProgramServiceDescriptor":
             "uri://ed-fi.org/MigrantEducationProgramServiceDescriptor#Reading Instruction",
         "serviceBeginDate": "2025-09-15", "serviceEndDate": "2025-12-15"},
        {"migrantEducationProgramServiceDescriptor":
             "uri://ed-fi.org/MigrantEducationProgramServiceDescriptor#Support Services",
         "serviceBeginDate": "2026-06-15", "serviceEndDate": "2026-07-15"}]
    assert document["servedOutsideOfRegularSession"] is True
    assert "continuationOfServicesReasonDescriptor" not in document


def test_a_record_without_services_leaves_them_out(world, mepsis):
    ana = world.certify()
    world.enroll(ana)
    refresh_smepa()
    [document] = export(mepsis)
    assert "migrantEducationProgramServices" not in document and "servedOutsideOfRegularSession" not in document


def test_a_continuation_in_the_school_year_gives_its_reason(world, mepsis):
    ana = world.certify(qad="2022-11-01")  # last eligible day 2025-10-31, in the fall term
    world.enroll(ana, entry="2025-09-02")
    refresh_smepa()
    record_continuation(ana.child_id, reason="SCHOOL_TERM", begin=D("2025-11-01"), end=D("2025-12-31"), actor="r",
                        why="ceased during the fall term")
    record_services([service(begin_date="2025-11-03", end_date="2025-12-19")], actor="t")

    [document] = export(mepsis)

    assert document["continuationOfServicesReasonDescriptor"] == \
        "uri://ed-fi.org/ContinuationofServicesReasonDescriptor#Ceased to be migratory during school term"
    assert document["endDate"] == "2025-10-31"
    assert document["migrantEducationProgramServices"][0]["serviceBeginDate"] == "2025-11-03"
    assert document["servedOutsideOfRegularSession"] is False


def test_priority_for_services_is_the_current_determination(world, mepsis):
    qad = dt.date.today() - dt.timedelta(days=60)
    ana = world.certify(qad=qad.isoformat(), birth_date=dt.date(qad.year - 13, 1, 2).isoformat(), grade="08")
    entry = qad + dt.timedelta(days=10)
    year = entry.year if entry.month >= 7 else entry.year - 1
    world.enroll(ana, entry=entry.isoformat(), school_year=f"{year}-{(year + 1) % 100:02d}",
                 grade="05")  # over age for grade 5, but no feed ingested it: PFS was not determined again
    refresh_smepa()
    assert export(mepsis)[0]["priorityForServices"] is False

    determine_pfs(actor="t")

    assert export(mepsis)[0]["priorityForServices"] is True
    assert SmepaRecord.objects.get().priority_for_services is True


def test_new_services_stamp_the_record_for_the_next_export_since(world, mepsis):
    ana = world.certify()
    world.enroll(ana)
    refresh_smepa()
    stamp = SmepaRecord.objects.get().updated_at
    assert export(mepsis, "--since", (stamp + dt.timedelta(microseconds=1)).isoformat()) == []

    record_services([service()], actor="t")

    assert SmepaRecord.objects.get().updated_at > stamp
    assert len(export(mepsis, "--since", (stamp + dt.timedelta(microseconds=1)).isoformat())) == 1
