import datetime as dt
import json

import pytest
from django.utils import timezone

from mepsis.orgs.models import District
from mepsis.registry.actions import record_end_of_eligibility, void_coe
from mepsis.registry.models import Child
from mepsis.reports.models import SmepaRecord
from mepsis.reports.smepa import NoEdfiId, district_edfi_id, refresh_smepa, smepa_document

pytestmark = pytest.mark.django_db


def day(text):
    return dt.date.fromisoformat(text)


def record(child, school_year="2025-26") -> SmepaRecord:
    return SmepaRecord.objects.get(child=child, school_year=school_year)


def span(child, school_year="2025-26"):
    found = record(child, school_year)
    return str(found.begin_date), str(found.end_date)


def export(mepsis, *options):
    ran = mepsis("export", "smepa", *options)
    return ran, [json.loads(line) for line in ran.out.splitlines()]


# --- The days of a record -------------------------------------------------------------------------------

def test_an_eligible_child_enrolled_for_the_year_gets_a_record_from_entry_to_june_30(state):
    ana = state.certify()  # QAD 2025-06-01, eligible to 2028-05-31
    state.enroll(ana, entry="2025-09-02")

    assert refresh_smepa() == 1

    found = record(ana)
    assert (str(found.begin_date), str(found.end_date)) == ("2025-09-02", "2026-06-30")
    assert (found.student_unique_id, str(found.last_qualifying_move), str(found.state_residency_date)) == (
        "1234567890", "2025-06-01", "2025-06-01")
    assert found.eligibility_expiration_date is None and found.priority_for_services is False
    assert not found.withdrawn and found.updated_at is not None


def test_eligibility_that_starts_after_entry_begins_the_record_on_the_qad(state):
    ana = state.certify(qad="2025-10-15")
    state.enroll(ana, entry="2025-09-02")

    refresh_smepa()

    assert span(ana) == ("2025-10-15", "2026-06-30")


def test_eligibility_that_ends_before_the_exit_ends_the_record_on_the_last_eligible_day(state):
    ana = state.certify(qad="2022-11-01")  # last eligible day 2025-10-31
    state.enroll(ana, entry="2025-09-02", exit="2026-01-15")

    refresh_smepa()

    found = record(ana)
    assert span(ana) == ("2025-09-02", "2025-10-31")
    assert found.eligibility_expiration_date is None, "36 months is no early end"


def test_an_exit_before_the_end_of_eligibility_ends_the_record_on_the_exit_date(state):
    ana = state.certify()
    state.enroll(ana, entry="2025-09-02", exit="2026-02-27")

    refresh_smepa()

    assert span(ana) == ("2025-09-02", "2026-02-27")


def test_one_open_enrollment_among_exited_ones_keeps_the_record_to_june_30(state):
    ana = state.certify()
    state.enroll(ana, entry="2025-09-02", exit="2025-11-20")
    state.enroll(ana, entry="2026-01-05")

    refresh_smepa()

    assert span(ana) == ("2025-09-02", "2026-06-30")
    assert SmepaRecord.objects.count() == 1, "one record per child, district and school year"


def test_an_exit_on_the_first_eligible_day_gives_a_record_of_that_one_day(state):
    ana = state.certify(qad="2025-10-15")
    state.enroll(ana, entry="2025-09-02", exit="2025-10-15")

    refresh_smepa()

    assert span(ana) == ("2025-10-15", "2025-10-15")


def test_an_exit_the_day_before_eligibility_starts_gives_no_record(state):
    ana = state.certify(qad="2025-10-15")
    state.enroll(ana, entry="2025-09-02", exit="2025-10-14")

    assert refresh_smepa() == 0
    assert not SmepaRecord.objects.exists()


def test_an_entry_on_the_last_eligible_day_gives_a_record_of_that_day_and_one_the_day_after_none(state):
    ana = state.certify(qad="2022-11-01")  # last eligible day 2025-10-31
    state.enroll(ana, entry="2025-10-31")
    pedro = state.certify("Pedro", "2222222222", qad="2022-11-01", birth_date="2013-05-05")
    state.enroll(pedro, entry="2025-11-01")

    refresh_smepa()

    assert span(ana) == ("2025-10-31", "2025-10-31")
    assert not SmepaRecord.objects.filter(child=pedro).exists()


def test_an_enrollment_of_an_earlier_school_year_left_open_ends_on_its_june_30(state):
    ana = state.certify(qad="2025-06-01")
    state.enroll(ana, school_year="2024-25", entry="2025-06-02")

    refresh_smepa()

    assert span(ana, "2024-25") == ("2025-06-02", "2025-06-30")


def test_an_eligibility_ended_early_carries_its_expiration_date(state):
    ana = state.certify(birth_date="2008-03-02", grade="12")
    state.enroll(ana)
    coe_id = ana.coe_entries.get().coe.coe_id
    record_end_of_eligibility(coe_id, 0, reason="HS_COMPLETION", on=day("2026-03-01"), actor="tester",
                              why="graduated early")

    refresh_smepa()

    found = record(ana)
    assert (str(found.end_date), str(found.eligibility_expiration_date)) == ("2026-03-01", "2026-03-01")


def test_several_coes_covering_the_enrollment_give_the_record_of_the_latest_qad(state):
    ana = state.certify(qad="2023-08-01", residency_date="2023-08-03")  # to 2026-07-31
    again = state.certify(qad="2025-10-15", residency_date="2025-10-20")
    assert again == ana, "the same state student id names the same child"
    state.enroll(ana, entry="2025-09-02")

    refresh_smepa()

    found = record(ana)
    assert (str(found.last_qualifying_move), str(found.state_residency_date)) == ("2025-10-15", "2025-10-20")
    assert span(ana) == ("2025-09-02", "2026-06-30"), "eligible from entry under the older COE"


def test_an_older_coe_that_covers_none_of_the_enrollment_gives_nothing(state):
    ana = state.certify(qad="2022-08-01")  # to 2025-07-31, before the entry
    state.certify(qad="2025-10-15")
    state.enroll(ana, entry="2025-09-02")

    refresh_smepa()

    assert str(record(ana).last_qualifying_move) == "2025-10-15"
    assert span(ana) == ("2025-10-15", "2026-06-30")


def test_only_children_with_a_state_student_id_and_a_matched_enrollment_get_records(state):
    ana = state.certify()
    state.enroll(ana)
    nobody = state.certify("Luz", None, birth_date="2015-01-01")
    state.enroll(nobody)
    state.enroll(None)
    not_enrolled = state.certify("Pedro", "2222222222", birth_date="2013-05-05")

    refresh_smepa()

    assert list(SmepaRecord.objects.values_list("child", flat=True)) == [ana.pk]
    assert not_enrolled.smepa_records.count() == 0


def test_a_child_enrolled_in_two_districts_gets_a_record_in_each(state):
    ana = state.certify()
    state.enroll(ana, state.district("5621"), entry="2025-09-02", exit="2025-12-19")
    state.enroll(ana, state.district("3619", edfi_id=253619), entry="2026-01-05")

    refresh_smepa()

    assert sorted((r.district.district_id, str(r.begin_date), str(r.end_date)) for r in SmepaRecord.objects.all()) == [
        ("3619", "2026-01-05", "2026-06-30"), ("5621", "2025-09-02", "2025-12-19")]


def test_a_rejected_or_draft_coe_makes_no_record(state):
    ana = state.certify(status="submitted")
    state.enroll(ana)

    assert refresh_smepa() == 0


# --- Keeping records up to date ---------------------------------------------------------------------------

def test_a_void_coe_withdraws_the_record_on_refresh(state):
    ana = state.certify()
    state.enroll(ana)
    refresh_smepa()
    before = record(ana).updated_at

    void_coe(ana.coe_entries.get().coe.coe_id, actor="tester", reason="FOUND_INELIGIBLE", why="re-interview")
    refresh_smepa([ana.pk])  # (the registry may have refreshed already: then this changes nothing)

    found = record(ana)
    assert found.withdrawn and found.updated_at > before
    assert str(found.begin_date) == "2025-09-02", "a withdrawn record keeps what it said (its Ed-Fi key)"


def test_a_refresh_with_nothing_changed_stamps_nothing(state):
    ana = state.certify()
    state.enroll(ana)
    pedro = state.certify("Pedro", "2222222222", birth_date="2013-05-05", qad="2025-10-15")
    state.enroll(pedro)
    assert refresh_smepa() == 2
    stamps = dict(SmepaRecord.objects.values_list("id", "updated_at"))

    assert refresh_smepa() == 0
    assert refresh_smepa([ana.pk, pedro.pk]) == 0
    assert dict(SmepaRecord.objects.values_list("id", "updated_at")) == stamps


def test_a_change_stamps_only_the_record_that_changed(state):
    ana = state.certify()
    enrollment = state.enroll(ana)
    pedro = state.certify("Pedro", "2222222222", birth_date="2013-05-05")
    state.enroll(pedro)
    refresh_smepa()
    stamps = dict(SmepaRecord.objects.values_list("child", "updated_at"))

    enrollment.exit_date = day("2026-03-13")
    enrollment.save()
    assert refresh_smepa() == 1

    assert span(ana) == ("2025-09-02", "2026-03-13")
    assert record(ana).updated_at > stamps[ana.pk] and record(pedro).updated_at == stamps[pedro.pk]


def test_a_withdrawn_record_that_holds_again_comes_back(state):
    ana = state.certify()
    enrollment = state.enroll(ana)
    refresh_smepa()
    enrollment.child = None
    enrollment.save()
    assert refresh_smepa([ana.pk]) == 1, "a withdrawal counts as a change"
    assert record(ana).withdrawn

    enrollment.child = ana
    enrollment.save()
    assert refresh_smepa([ana.pk]) == 1

    assert not record(ana).withdrawn


def test_a_refresh_of_some_children_leaves_the_others_alone(state):
    ana = state.certify()
    state.enroll(ana)
    pedro = state.certify("Pedro", "2222222222", birth_date="2013-05-05")
    pedros = state.enroll(pedro)
    refresh_smepa()
    pedros.delete()

    refresh_smepa([ana.pk])

    assert not record(pedro).withdrawn, "pedro was not refreshed"
    refresh_smepa([pedro.pk])
    assert record(pedro).withdrawn


def test_a_refresh_takes_the_same_few_queries_for_one_child_or_many(state, django_assert_max_num_queries):
    children = [state.certify(f"Child{n}", f"30000000{n:02d}", birth_date=f"2013-05-{n + 1:02d}") for n in range(25)]
    for child in children:
        state.enroll(child)
    with django_assert_max_num_queries(8):
        assert refresh_smepa([children[0].pk]) == 1
    with django_assert_max_num_queries(8):
        assert refresh_smepa([child.pk for child in children]) == 24
    with django_assert_max_num_queries(8):
        assert refresh_smepa() == 0


def test_a_child_without_a_state_student_id_any_more_loses_the_record(state):
    ana = state.certify()
    state.enroll(ana)
    refresh_smepa()

    Child.objects.filter(pk=ana.pk).update(state_student_id=None)
    refresh_smepa([ana.pk])

    assert record(ana).withdrawn


# --- The Ed-Fi document ---------------------------------------------------------------------------------

def test_the_document_carries_what_is_known_and_leaves_out_the_rest(state, smepa_validator):
    ana = state.certify()
    state.enroll(ana)
    refresh_smepa()

    document = smepa_document(record(ana), 55)

    assert document == {
        "studentReference": {"studentUniqueId": "1234567890"},
        "programReference": {"educationOrganizationId": 55, "programName": "Migrant Education",
                             "programTypeDescriptor": "uri://ed-fi.org/ProgramTypeDescriptor#Migrant Education"},
        "educationOrganizationReference": {"educationOrganizationId": 255621},
        "beginDate": "2025-09-02",
        "priorityForServices": False,
        "lastQualifyingMove": "2025-06-01",
        "endDate": "2026-06-30",
        "qualifyingArrivalDate": "2025-06-01",
        "stateResidencyDate": "2025-06-01",
    }
    assert list(smepa_validator.iter_errors(document)) == []


def test_a_district_is_named_by_its_edfi_id_else_by_a_numeric_district_id():
    assert district_edfi_id(District(district_id="5621", edfi_id=255621)) == 255621
    assert district_edfi_id(District(district_id="3619")) == 3619
    assert district_edfi_id(District(district_id="X-12")) is None
    assert district_edfi_id(District(district_id="0")) is None
    assert district_edfi_id(District(district_id="5621", edfi_id=0)) is None
    assert district_edfi_id(District(district_id="١٢٣")) is None, "digits, but not ASCII ones"
    assert district_edfi_id(District(district_id="99999999999999999999")) is None, "beyond int64"


def test_a_district_without_an_edfi_id_cannot_give_a_document(state):
    ana = state.certify()
    state.enroll(ana, state.district("X-12", edfi_id=None))
    refresh_smepa()

    with pytest.raises(NoEdfiId, match="X-12"):
        smepa_document(record(ana), 55)


# --- The export -------------------------------------------------------------------------------------------

@pytest.fixture
def published(state):
    """Three children in two districts: one plain, one whose eligibility ended early, one exited."""
    ana = state.certify()
    state.enroll(ana, entry="2025-09-02")
    luz = state.certify("Luz", "3333333333", birth_date="2008-01-10", grade="12")
    record_end_of_eligibility(luz.coe_entries.get().coe.coe_id, 0, reason="HS_COMPLETION", on=day("2026-05-29"),
                              actor="tester", why="graduated")
    state.enroll(luz, state.district("3619", edfi_id=None), entry="2025-09-02", grade="12")
    pedro = state.certify("Pedro", "2222222222", birth_date="2013-05-05", qad="2025-10-15")
    state.enroll(pedro, entry="2025-09-02", exit="2026-02-13", exit_reason="MOVED_OUT_OF_STATE")
    refresh_smepa()
    return {"ana": ana, "luz": luz, "pedro": pedro}


def test_every_exported_record_validates_against_the_edfi_schema(published, mepsis, smepa_validator, settings):
    settings.MEPSIS_SEA_EDFI_ID = 550000

    ran, lines = export(mepsis)

    assert ran.code == 0, ran.err
    assert len(lines) == 3
    for line in lines:
        assert list(smepa_validator.iter_errors(line)) == [], line
        assert line["programReference"]["educationOrganizationId"] == 550000
    luz = next(line for line in lines if line["studentReference"]["studentUniqueId"] == "3333333333")
    assert luz["eligibilityExpirationDate"] == "2026-05-29" and luz["endDate"] == "2026-05-29"
    assert luz["educationOrganizationReference"] == {"educationOrganizationId": 3619}
    assert "3 SMEPA records written" in ran.err


def test_the_export_of_one_district_writes_its_records_only(published, mepsis, tmp_path):
    out = tmp_path / "smepa.jsonl"

    ran = mepsis("export", "smepa", "--district", "5621", "--out", out)

    assert ran.code == 0 and ran.out == ""
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(line["studentReference"]["studentUniqueId"] for line in lines) == ["1234567890", "2222222222"]


def test_since_a_refresh_that_changed_nothing_the_export_gives_nothing(published, mepsis):
    pulled = timezone.now()
    assert refresh_smepa() == 0

    ran, lines = export(mepsis, "--since", pulled.isoformat())

    assert ran.code == 0 and lines == []
    assert "0 SMEPA records written" in ran.err


def test_since_a_change_the_export_gives_just_that_record_and_names_the_newest_stamp(published, mepsis, state):
    pulled = timezone.now()
    pedro = published["pedro"]
    state.enroll(pedro, state.district("3619"), entry="2026-02-16")
    refresh_smepa([pedro.pk])

    ran, lines = export(mepsis, "--since", pulled.isoformat())

    assert [(line["studentReference"]["studentUniqueId"], line["beginDate"]) for line in lines] == [
        ("2222222222", "2026-02-16")]
    newest = SmepaRecord.objects.latest("updated_at").updated_at
    assert timezone.localtime(newest).isoformat() in ran.err


def test_a_since_without_a_time_zone_is_the_states_time(published, mepsis, settings):
    stamp = timezone.localtime(SmepaRecord.objects.latest("updated_at").updated_at)
    later = (stamp + dt.timedelta(seconds=1)).replace(tzinfo=None).isoformat()
    earlier = (stamp - dt.timedelta(seconds=1)).replace(tzinfo=None).isoformat()

    assert export(mepsis, "--since", later)[1] == []
    assert len(export(mepsis, "--since", earlier)[1]) == 3


def test_a_withdrawn_record_is_no_post_body_but_its_key_goes_to_the_withdrawn_file(published, mepsis, tmp_path):
    pulled = timezone.now()
    ana = published["ana"]
    void_coe(ana.coe_entries.get().coe.coe_id, actor="tester", reason="FOUND_INELIGIBLE", why="re-interview")
    refresh_smepa([ana.pk])
    withdrawn = tmp_path / "withdrawn.jsonl"

    ran, lines = export(mepsis, "--since", pulled.isoformat(), "--withdrawn", withdrawn)

    assert ran.code == 0 and lines == []
    assert [json.loads(line) for line in withdrawn.read_text().splitlines()] == [{"withdrawn": True, "key": {
        "studentReference": {"studentUniqueId": "1234567890"},
        "programReference": {"educationOrganizationId": 55, "programName": "Migrant Education",
                             "programTypeDescriptor": "uri://ed-fi.org/ProgramTypeDescriptor#Migrant Education"},
        "educationOrganizationReference": {"educationOrganizationId": 255621},
        "beginDate": "2025-09-02"}}]
    assert "1 withdrawn" in ran.err
    assert len(export(mepsis)[1]) == 2, "a full export leaves the withdrawn record out"


def test_a_district_without_an_edfi_id_is_reported_not_written(published, mepsis, state):
    ana = published["ana"]
    state.enroll(ana, state.district("X-12", edfi_id=None), entry="2026-03-02")
    refresh_smepa([ana.pk])

    ran, lines = export(mepsis)

    assert ran.code == 1
    assert len(lines) == 3 and all(line["educationOrganizationReference"]["educationOrganizationId"] in (255621, 3619)
                                   for line in lines)
    assert "District X-12 (District X-12) has no Ed-Fi education organization id" in ran.err
    assert "1 records not written" in ran.err


def test_an_sea_edfi_id_that_is_not_set_stops_the_export(published, mepsis, settings):
    settings.MEPSIS_SEA_EDFI_ID = 0

    ran, lines = export(mepsis)

    assert ran.code == 2 and lines == [] and "MEPSIS_SEA_EDFI_ID" in ran.err


def test_an_unknown_district_is_an_input_error(published, mepsis):
    ran, lines = export(mepsis, "--district", "0000")

    assert ran.code == 1 and "There is no district 0000" in ran.err


@pytest.mark.parametrize("since", ["yesterday", "2025-13-01", "2025-09-01T25:00"])
def test_a_since_that_is_not_a_timestamp_is_a_usage_error(mepsis, since):
    ran = mepsis("export", "smepa", "--since", since)

    assert ran.code == 2 and "ISO 8601" in ran.err


@pytest.mark.parametrize("action", ["smepa", "migrant-list"])
def test_each_export_describes_itself(mepsis, action):
    ran = mepsis("export", action, "--help")

    assert ran.code == 0 and "--district" in ran.out
