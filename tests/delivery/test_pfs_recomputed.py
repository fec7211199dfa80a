"""Priority for services is determined again, in the same transaction, by every action that changes one of
its inputs: a COE approved, corrected or voided (QADs, birth date, grade), an enrollment ingested (the grade),
a child linked or merged (a state student id brings its indicators). Nothing is written when no input changed."""

import datetime as dt

import pytest

from mepsis.access.models import AuditEvent
from mepsis.delivery.models import PfsDetermination, PfsImport, PfsIndicator
from mepsis.delivery.queries import current_pfs, pfs_on
from mepsis.enrollments.models import Enrollment, IngestRun
from mepsis.matching.actions import accept_candidate, merge_children
from mepsis.matching.models import MatchCandidate
from mepsis.registry.actions import approve_coe, current_document, revise_coe, void_coe
from mepsis.registry.models import Coe

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
QAD = TODAY - dt.timedelta(days=60)
THIRTEEN = dt.date(QAD.year - 13, 1, 2).isoformat()  # usual age for grade 8; over age by 2 or more for grade 5

ORGS = ("district_id,district_name,school_id,school_name,nces_district_id,nces_school_id,region,grades,edfi_id\n"
        "5621,Sturgeon Bay School District,,,5514250,,CESA 7,,255621\n"
        "5621,Sturgeon Bay School District,0020,Sunrise Elementary,5514250,551425001234,CESA 7,PK-08,\n")


def indicator(state_student_id, name="dropped_out", value="Y"):
    PfsIndicator.objects.create(state_student_id=state_student_id, indicator=name, date=QAD, value=value,
                                imported_by=PfsImport.objects.create(started_at=dt.datetime.now(dt.UTC), actor="t"))


def determinations(child):
    return list(PfsDetermination.objects.filter(child=child).order_by("id").values_list("pfs", flat=True))


def coe_id_of(child):
    return Coe.objects.get(children__child=child).coe_id


def test_a_coe_approved_for_a_child_with_indicators_determines_pfs_at_once(world):
    indicator("1234567890")
    ana = world.certify(qad=QAD.isoformat(), status="submitted")
    assert determinations(ana) == []  # not certified yet

    approve_coe(coe_id_of(ana), actor="reviewer", reviewer_name="Rosa Reviewer", on=TODAY)

    determination = pfs_on(ana, TODAY)
    assert (determination.pfs, determination.inputs["qads"], determination.determined_by) == (
        True, [QAD.isoformat()], "reviewer")
    assert AuditEvent.objects.get(action="pfs.determined").after["determined"] == 1


def test_a_voided_coe_leaves_a_determination_that_says_not_pfs(world):
    indicator("1234567890")
    ana = world.certify(qad=QAD.isoformat())
    assert current_pfs([ana.pk]) == {ana.pk: True}

    void_coe(coe_id_of(ana), actor="reviewer", reason="FOUND_INELIGIBLE", why="the re-interview")

    assert determinations(ana) == [True, False]
    assert current_pfs([ana.pk]) == {ana.pk: False}
    assert pfs_on(ana, TODAY).inputs["qads"] == []


def test_a_correction_that_changes_no_input_determines_nothing(world):
    indicator("1234567890")
    ana = world.certify(qad=QAD.isoformat())
    events = AuditEvent.objects.filter(action="pfs.determined").count()
    document = current_document(Coe.objects.get(coe_id=coe_id_of(ana)))

    revise_coe(coe_id_of(ana), {**document, "comments": document["comments"] + " Checked again."}, actor="reviewer",
               why="a comment")

    assert Coe.objects.get(coe_id=coe_id_of(ana)).version == 2
    assert determinations(ana) == [True]
    assert AuditEvent.objects.filter(action="pfs.determined").count() == events


def test_an_enrollment_with_a_new_grade_determines_pfs_again(world, mepsis, feed, tmp_path):
    orgs = tmp_path / "orgs.csv"
    orgs.write_text(ORGS)
    assert mepsis("orgs", "load", orgs).code == 0
    ana = world.certify(qad=QAD.isoformat(), birth_date=THIRTEEN, grade="08")
    assert determinations(ana) == [False]
    entry = QAD + dt.timedelta(days=10)
    year = entry.year if entry.month >= 7 else entry.year - 1
    path = feed({"district_id": "5621", "school_id": "0020", "school_year": f"{year}-{(year + 1) % 100:02d}",
                 "local_student_id": "S-1001", "state_student_id": "1234567890", "first_name": "Ana",
                 "last_name": "Garcia Hernandez", "sex": "F", "birth_date": THIRTEEN, "grade": "05",
                 "entry_date": entry.isoformat()})

    assert mepsis("enrollments", "ingest", path).code == 0

    assert Enrollment.objects.get().child == ana
    assert determinations(ana) == [False, True]
    assert pfs_on(ana, TODAY).inputs["met"] == ["over-age for grade"]
    assert ana.smepa_records.get().priority_for_services is True

    assert mepsis("enrollments", "ingest", path).code == 0  # the same feed: no input changed
    assert determinations(ana) == [False, True]


def test_a_merge_that_brings_a_state_student_id_with_indicators_determines_pfs_again(world):
    indicator("7777777777")
    kept = world.certify(qad=QAD.isoformat(), state_student_id=None, birth_date=THIRTEEN, grade="08")
    merged = world.certify("Anna", "7777777777", qad=QAD.isoformat(), birth_date=THIRTEEN, grade="08")
    assert (determinations(kept), determinations(merged)) == ([False], [True])
    candidate = MatchCandidate.objects.create(kind=MatchCandidate.Kind.MERGE, child=kept, other_child=merged,
                                              reason=MatchCandidate.Reason.POSSIBLE_DUPLICATE,
                                              run=IngestRun.objects.create(started_at=dt.datetime.now(dt.UTC),
                                                                           actor="t"))

    merge_children(candidate, "reviewer")

    assert (determinations(kept), determinations(merged)) == ([False, True], [True, False])
    assert pfs_on(kept, TODAY).inputs["indicators"] == {"dropped_out": [QAD.isoformat(), "Y"]}


def test_an_accepted_link_that_gives_a_state_student_id_with_indicators_determines_pfs_again(world):
    indicator("5550003333")
    ana = world.certify(qad=QAD.isoformat(), state_student_id=None, birth_date=THIRTEEN, grade="08")
    enrollment = world.enroll(ana, entry=QAD.isoformat(), grade="08")
    Enrollment.objects.filter(pk=enrollment.pk).update(child=None, matched_run=None, state_student_id="5550003333")
    candidate = MatchCandidate.objects.create(enrollment=enrollment, child=ana, run=enrollment.first_run,
                                              reason=MatchCandidate.Reason.SCORE_BETWEEN_THRESHOLDS)

    accept_candidate(candidate, "reviewer")

    assert determinations(ana) == [False, True]
