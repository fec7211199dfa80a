"""Every error code of interfaces.md ("`mepsis coe check` result"), at the level the table gives it, with
the JSON path of the field it is about; and the warnings, which never refuse anything."""

from __future__ import annotations

import json

import pytest
from coe_factory import (
    DELETE,
    EXAMPLE_COE,
    assert_child_level_error,
    assert_coe_level_error,
    assert_eligible_without_errors,
    codes,
    findings,
    second_child,
    valid_coe,
)

from mepsis.rules import Code, check_coe

# --- the valid document -------------------------------------------------------------------------------


def test_the_interfaces_example_document_gives_exactly_the_example_result():
    # interfaces.md shows the result of checking its own example document; the two examples are one case.
    assert check_coe(valid_coe()).as_dict() == {
        "coe_id": "WI-2025-000123",
        "eligible": True,
        "errors": [],
        "warnings": [],
        "children": [
            {"index": 0, "eligible": True, "eligibility_start": "2025-06-01",
             "last_eligible_day": "2028-05-31", "end_reason": "THIRTY_SIX_MONTHS", "errors": []}
        ],
    }


def test_the_example_document_raises_no_error_and_no_warning_when_its_district_is_known():
    result = check_coe(valid_coe(), known_districts={"5621", "0007"})
    assert_eligible_without_errors(result)
    assert result.warnings == []


def test_checking_does_not_change_the_document():
    document = valid_coe({"children[0].birth_date": "2030-01-01", "qualifying_move.qad": "bad"})
    before = json.dumps(document, sort_keys=True)
    check_coe(document)
    assert json.dumps(document, sort_keys=True) == before


@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "approved", "rejected", "void"])
def test_a_document_is_judged_on_its_content_whatever_its_status(status):
    assert_eligible_without_errors(check_coe(valid_coe(status=status)))


def test_every_error_is_a_code_a_field_and_a_human_sentence():
    result = check_coe(valid_coe({"qualifying_move.economic_necessity": False, "children[0].sex": "Q"}))
    errors = result.as_dict()["errors"] + result.as_dict()["children"][0]["errors"]
    assert {(e["code"], e["field"]) for e in errors} == {
        ("NO_ECONOMIC_NECESSITY", "qualifying_move.economic_necessity"),
        ("INVALID_VALUE", "children[0].sex"),
    }
    for error in errors:
        assert set(error) == {"code", "field", "message"}
        assert error["message"].strip() and "%(" not in error["message"]


# --- MISSING_FIELD ------------------------------------------------------------------------------------

COE_REQUIRED = [
    # (what is removed, the field the error names)
    ("interview_date", "interview_date"),
    ("qualifying_move", "qualifying_move"),
    ("qualifying_move.from", "qualifying_move.from"),
    ("qualifying_move.from.state", "qualifying_move.from.state"),
    ("qualifying_move.to", "qualifying_move.to"),
    ("qualifying_move.to.state", "qualifying_move.to.state"),
    ("qualifying_move.moved", "qualifying_move.moved"),
    ("qualifying_move.worker", "qualifying_move.worker"),
    ("qualifying_move.qad", "qualifying_move.qad"),
    ("qualifying_move.economic_necessity", "qualifying_move.economic_necessity"),
    ("qualifying_move.prong", "qualifying_move.prong"),
    ("qualifying_move.work", "qualifying_move.work"),
    ("children", "children"),
]


@pytest.mark.parametrize(("path", "field"), COE_REQUIRED)
def test_an_absent_required_coe_field_is_missing_field_on_the_coe(path, field):
    assert_coe_level_error(check_coe(valid_coe({path: DELETE})), "MISSING_FIELD", field)


@pytest.mark.parametrize(("path", "field"), COE_REQUIRED)
def test_a_null_required_coe_field_is_missing_field_on_the_coe(path, field):
    assert_coe_level_error(check_coe(valid_coe({path: None})), "MISSING_FIELD", field)


@pytest.mark.parametrize("path", ["interview_date", "qualifying_move.from.state", "qualifying_move.to.state",
                                  "qualifying_move.moved", "qualifying_move.qad", "qualifying_move.prong"])
@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_required_text_is_missing_field_like_an_absent_one(path, empty):
    assert_coe_level_error(check_coe(valid_coe({path: empty})), "MISSING_FIELD", path)


@pytest.mark.parametrize("path", ["qualifying_move.worker", "qualifying_move.work", "qualifying_move.from"])
def test_an_empty_required_object_is_missing_field(path):
    assert_coe_level_error(check_coe(valid_coe({path: {}})), "MISSING_FIELD", path)


def test_a_coe_without_any_child_is_missing_its_children():
    result = check_coe(valid_coe(children=[]))
    assert_coe_level_error(result, "MISSING_FIELD", "children")
    assert result.children == []


@pytest.mark.parametrize("moved", ["to_join_worker", "to_precede_worker"])
@pytest.mark.parametrize("path", ["qualifying_move.child_arrival_date", "qualifying_move.worker_arrival_date"])
def test_join_and_precede_moves_require_both_arrival_dates(moved, path):
    document = valid_coe({
        "qualifying_move.moved": moved,
        "qualifying_move.child_arrival_date": "2025-06-01",
        "qualifying_move.worker_arrival_date": "2025-06-01",
        path: None,
    })
    assert_coe_level_error(check_coe(document), "MISSING_FIELD", path)


@pytest.mark.parametrize("moved", ["as_worker", "with_worker"])
def test_moves_as_or_with_the_worker_need_no_arrival_dates(moved):
    relationship = "self" if moved == "as_worker" else "parent"
    document = valid_coe({"qualifying_move.moved": moved, "qualifying_move.worker.relationship": relationship,
                          "qualifying_move.child_arrival_date": DELETE,
                          "qualifying_move.worker_arrival_date": DELETE})
    assert_eligible_without_errors(check_coe(document))


def test_the_engaged_prong_requires_the_work_start_date():
    document = valid_coe({"qualifying_move.work_start_date": None})
    assert_coe_level_error(check_coe(document), "MISSING_FIELD", "qualifying_move.work_start_date")


def test_the_actively_sought_prong_needs_no_work_start_date():
    document = valid_coe({"qualifying_move.prong": "actively_sought", "qualifying_move.work_start_date": None,
                          "qualifying_move.recent_history_of_moves": True, "comments": "Sought work at 3 orchards."})
    assert_eligible_without_errors(check_coe(document))


def test_the_actively_sought_prong_without_a_recorded_history_of_moves_is_missing_field():
    # [convention of the rules engine] absent is MISSING_FIELD; recorded as false is NO_RECENT_HISTORY.
    document = valid_coe({"qualifying_move.prong": "actively_sought", "qualifying_move.work_start_date": None,
                          "qualifying_move.recent_history_of_moves": None})
    assert_coe_level_error(check_coe(document), "MISSING_FIELD", "qualifying_move.recent_history_of_moves")


@pytest.mark.parametrize("changes", [
    {"signatures": DELETE},
    {"signatures.reviewer": DELETE},
    {"signatures.reviewer": None},
    {"signatures.reviewer": {}},
], ids=["no signatures", "no reviewer", "null reviewer", "empty reviewer"])
def test_an_approved_coe_requires_the_reviewers_signature(changes):
    result = check_coe(valid_coe(changes))
    assert_coe_level_error(result, "MISSING_FIELD", "signatures.reviewer")


@pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
def test_a_coe_not_yet_approved_needs_no_reviewers_signature(status):
    assert_eligible_without_errors(check_coe(valid_coe({"status": status, "signatures.reviewer": DELETE})))


def test_a_worker_without_a_relationship_is_accepted_as_the_contract_does_not_require_it():
    # interfaces.md lists `worker` as required, not `worker.relationship`, and "Fields not listed as
    # required may be absent or null."
    assert_eligible_without_errors(check_coe(valid_coe({"qualifying_move.worker.relationship": DELETE})))


CHILD_REQUIRED = ["first_name", "last_name_1", "sex", "birth_date", "residency_date"]


@pytest.mark.parametrize("key", CHILD_REQUIRED)
@pytest.mark.parametrize("value", [DELETE, None, ""])
def test_an_absent_or_empty_required_child_field_is_missing_field_on_that_child(key, value):
    result = check_coe(valid_coe({f"children[0].{key}": value}))
    assert_child_level_error(result, 0, "MISSING_FIELD", f"children[0].{key}")
    assert result.errors == []


@pytest.mark.parametrize("key", ["middle_name", "last_name_2", "suffix", "state_student_id", "grade",
                                 "hs_completion_date", "multiple_birth", "birth_data_verification"])
def test_optional_child_fields_may_be_absent_or_null(key):
    assert_eligible_without_errors(check_coe(valid_coe({f"children[0].{key}": DELETE})))
    assert_eligible_without_errors(check_coe(valid_coe({f"children[0].{key}": None})))


@pytest.mark.parametrize("path", ["coe_id", "status", "family", "comments", "signatures",
                                  "qualifying_move.to.district_id", "qualifying_move.from.district",
                                  "qualifying_move.temporary_basis", "qualifying_move.recent_history_of_moves"])
def test_optional_coe_fields_may_be_absent(path):
    changes = {path: DELETE}
    if path in ("status", "signatures"):
        changes["status"] = DELETE  # without a status the reviewer's signature is not required
    assert_eligible_without_errors(check_coe(valid_coe(changes)))


def test_a_missing_child_field_is_named_with_the_childs_index():
    result = check_coe(valid_coe(children=[second_child(), second_child(sex=None)]))
    assert_child_level_error(result, 1, "MISSING_FIELD", "children[1].sex")
    assert result.children[0].eligible is True
    assert result.eligible is True


# --- INVALID_VALUE ------------------------------------------------------------------------------------

COE_INVALID = [
    ("status", "pending"),
    ("interview_date", "2025-06-31"),
    ("interview_date", "20250620"),
    ("interview_date", "06/20/2025"),
    ("interview_date", 20250620),
    ("interview_date", "2025-06-20T10:00:00"),
    ("qualifying_move.qad", "2025-02-29"),  # 2025 is not a leap year
    ("qualifying_move.qad", "2025-6-1"),
    ("qualifying_move.moved", "walked"),
    ("qualifying_move.prong", "hoped"),
    ("qualifying_move.worker.relationship", "uncle"),
    ("qualifying_move.economic_necessity", "yes"),
    ("qualifying_move.economic_necessity", 1),
    ("qualifying_move.work_start_date", "soon"),
    ("qualifying_move.work.personal_subsistence", "no"),
    ("qualifying_move.worker", "Luis García"),
    ("qualifying_move", ["Weslaco", "Sturgeon Bay"]),
    ("signatures.reviewer.date", "2025-06-32"),
    ("children", {"first_name": "Ana"}),
]


@pytest.mark.parametrize(("path", "value"), COE_INVALID)
def test_a_coe_value_outside_its_value_set_or_not_a_date_is_invalid_value_on_the_coe(path, value):
    assert_coe_level_error(check_coe(valid_coe({path: value})), "INVALID_VALUE", path)


def test_a_temporary_basis_outside_its_value_set_is_invalid_value():
    document = valid_coe({"qualifying_move.work.duration": "temporary", "qualifying_move.temporary_basis": "hearsay",
                          "comments": "The grower says the job lasts 3 months."})
    result = check_coe(document)
    assert_coe_level_error(result, "INVALID_VALUE", "qualifying_move.temporary_basis")


@pytest.mark.parametrize("moved", ["to_join_worker", "to_precede_worker"])
@pytest.mark.parametrize("path", ["qualifying_move.child_arrival_date", "qualifying_move.worker_arrival_date"])
def test_an_arrival_date_that_is_not_a_date_is_invalid_value(moved, path):
    document = valid_coe({"qualifying_move.moved": moved, "qualifying_move.child_arrival_date": "2025-06-01",
                          "qualifying_move.worker_arrival_date": "2025-06-01", path: "last June"})
    assert_coe_level_error(check_coe(document), "INVALID_VALUE", path)


@pytest.mark.parametrize("document", [None, [], ["a"], "a COE", 42, True])
def test_a_document_that_is_not_a_json_object_is_invalid_value(document):
    result = check_coe(document)
    assert codes(result.errors) == {"INVALID_VALUE"}
    assert result.eligible is False
    assert result.children == []


CHILD_INVALID = [
    ("sex", "female"),
    ("birth_date", "2014-02-30"),
    ("birth_date", "March 2, 2014"),
    ("residency_date", "yesterday"),
    ("hs_completion_date", "2030"),
    ("multiple_birth", "no"),
    ("first_name", ["Ana"]),
    ("eligibility_end", "DEATH"),
    ("eligibility_end.reason", "MOVED_AWAY"),
    ("eligibility_end.date", "2026-13-01"),
]


@pytest.mark.parametrize(("key", "value"), CHILD_INVALID)
def test_a_child_value_outside_its_value_set_or_not_a_date_is_invalid_value_on_that_child(key, value):
    changes = {}
    if key.startswith("eligibility_end."):  # a valid recorded end, then one bad part of it
        changes["children[0].eligibility_end"] = {"reason": "DEATH", "date": "2026-01-10"}
    changes[f"children[0].{key}"] = value
    result = check_coe(valid_coe(changes))
    assert_child_level_error(result, 0, "INVALID_VALUE", f"children[0].{key}")
    assert result.errors == []


def test_a_child_that_is_not_a_json_object_is_refused_alone():
    result = check_coe(valid_coe(children=[EXAMPLE_COE["children"][0], "Mateo"]))
    assert_child_level_error(result, 1, "INVALID_VALUE", "children[1]")
    assert result.children[0].eligible is True
    assert result.eligible is True


def test_a_recorded_end_without_its_reason_is_missing_field():
    result = check_coe(valid_coe({"children[0].eligibility_end": {"date": "2026-01-10"}}))
    assert_child_level_error(result, 0, "MISSING_FIELD", "children[0].eligibility_end.reason")


# --- the COE-level codes --------------------------------------------------------------------------------


def test_a_move_not_due_to_economic_necessity_is_no_economic_necessity():
    result = check_coe(valid_coe({"qualifying_move.economic_necessity": False}))
    assert_coe_level_error(result, "NO_ECONOMIC_NECESSITY", "qualifying_move.economic_necessity")


@pytest.mark.parametrize("sector", ["manufacturing", "construction", "Agricultural", DELETE, None])
def test_work_that_is_neither_agricultural_nor_fishing_is_not_qualifying_work(sector):
    result = check_coe(valid_coe({"qualifying_move.work.sector": sector}))
    assert_coe_level_error(result, "NOT_QUALIFYING_WORK", "qualifying_move.work.sector")


@pytest.mark.parametrize("duration", ["permanent", "year-round", DELETE, None])
def test_work_that_is_neither_temporary_nor_seasonal_is_not_qualifying_work(duration):
    result = check_coe(valid_coe({"qualifying_move.work.duration": duration}))
    assert_coe_level_error(result, "NOT_QUALIFYING_WORK", "qualifying_move.work.duration")


@pytest.mark.parametrize("duration", ["permanent", None])
def test_personal_subsistence_work_qualifies_without_being_temporary_or_seasonal(duration):
    document = valid_coe({"qualifying_move.work.duration": duration,
                          "qualifying_move.work.personal_subsistence": True,
                          "qualifying_move.work.activity": "raising goats to feed the family"})
    assert_eligible_without_errors(check_coe(document))


def test_personal_subsistence_does_not_make_non_agricultural_work_qualify():
    document = valid_coe({"qualifying_move.work.sector": "manufacturing",
                          "qualifying_move.work.personal_subsistence": True})
    assert_coe_level_error(check_coe(document), "NOT_QUALIFYING_WORK", "qualifying_move.work.sector")


@pytest.mark.parametrize("duration", ["temporary", "seasonal"])
def test_temporary_or_seasonal_fishing_work_qualifies(duration):
    document = valid_coe({"qualifying_move.work": {"activity": "crab processing", "duration": duration,
                                                   "sector": "fishing", "personal_subsistence": False},
                          "qualifying_move.temporary_basis": "employer_statement",
                          "comments": "The plant hires for the 4-month crab season."})
    assert_eligible_without_errors(check_coe(document))


def test_a_qad_after_the_interview_is_qad_after_interview():
    result = check_coe(valid_coe({"interview_date": "2025-05-31"}))
    assert_coe_level_error(result, "QAD_AFTER_INTERVIEW", "qualifying_move.qad")


def test_a_move_whose_36_months_ended_before_the_interview_is_move_too_old():
    result = check_coe(valid_coe({"interview_date": "2028-06-20"}))
    assert_coe_level_error(result, "MOVE_TOO_OLD", "qualifying_move.qad")
    assert "ELIGIBILITY_ENDED" not in codes(result.children[0].errors)


@pytest.mark.parametrize("key", ["district_id", "district"])
def test_a_move_within_one_district_of_one_state_is_not_a_qualifying_move(key):
    document = valid_coe({"qualifying_move.from": {"city": "Egg Harbor", "state": "WI", key: "5621"},
                          "qualifying_move.to": {"city": "Sturgeon Bay", "state": "WI", key: "5621"}})
    assert_coe_level_error(check_coe(document), "NOT_A_QUALIFYING_MOVE", "qualifying_move.to")


def test_one_district_named_in_different_case_and_spacing_is_still_one_district():
    document = valid_coe({"qualifying_move.from": {"state": "wi", "district": "Sevastopol  School District"},
                          "qualifying_move.to": {"state": "WI", "district": "sevastopol school district"}})
    assert_coe_level_error(check_coe(document), "NOT_A_QUALIFYING_MOVE", "qualifying_move.to")


def test_districts_of_one_name_in_two_states_are_two_districts():
    document = valid_coe({"qualifying_move.from": {"state": "MN", "district": "Washington County"},
                          "qualifying_move.to": {"state": "WI", "district": "Washington County"}})
    assert_eligible_without_errors(check_coe(document))


def test_a_move_between_two_districts_of_one_state_qualifies():
    document = valid_coe({"qualifying_move.from": {"state": "WI", "district_id": "0007"},
                          "qualifying_move.to": {"state": "WI", "district_id": "5621"}})
    assert_eligible_without_errors(check_coe(document))


def test_engaged_work_starting_long_after_the_qad_is_work_not_soon_after():
    result = check_coe(valid_coe({"qualifying_move.work_start_date": "2025-11-01"}))
    assert_coe_level_error(result, "WORK_NOT_SOON_AFTER", "qualifying_move.work_start_date")


def test_actively_sought_work_without_a_recent_history_of_moves_is_no_recent_history():
    document = valid_coe({"qualifying_move.prong": "actively_sought", "qualifying_move.work_start_date": None,
                          "qualifying_move.recent_history_of_moves": False,
                          "comments": "Looked for work at the cannery."})
    assert_coe_level_error(check_coe(document), "NO_RECENT_HISTORY", "qualifying_move.recent_history_of_moves")


@pytest.mark.parametrize("basis", [None, DELETE, ""])
def test_temporary_work_without_its_basis_is_temporary_basis_missing(basis):
    document = valid_coe({"qualifying_move.work.duration": "temporary", "qualifying_move.temporary_basis": basis,
                          "comments": "The grower hires for 3 months."})
    assert_coe_level_error(check_coe(document), "TEMPORARY_BASIS_MISSING", "qualifying_move.temporary_basis")


@pytest.mark.parametrize("basis", ["worker_statement", "employer_statement", "sea_determination"])
def test_temporary_work_with_its_basis_qualifies(basis):
    document = valid_coe({"qualifying_move.work.duration": "temporary", "qualifying_move.temporary_basis": basis,
                          "comments": "The grower hires for 3 months."})
    assert_eligible_without_errors(check_coe(document))


def test_seasonal_work_needs_no_temporary_basis():
    assert_eligible_without_errors(check_coe(valid_coe({"qualifying_move.temporary_basis": DELETE})))


@pytest.mark.parametrize("relationship", ["parent", "guardian", "spouse"])
def test_a_child_who_moved_as_the_worker_must_be_recorded_as_self(relationship):
    document = valid_coe({"qualifying_move.moved": "as_worker", "qualifying_move.worker.relationship": relationship})
    assert_coe_level_error(check_coe(document), "WORKER_RELATIONSHIP", "qualifying_move.worker.relationship")


@pytest.mark.parametrize("moved", ["with_worker", "to_join_worker"])
def test_a_child_who_moved_with_or_to_join_a_worker_cannot_be_that_worker(moved):
    document = valid_coe({"qualifying_move.moved": moved, "qualifying_move.worker.relationship": "self",
                          "qualifying_move.child_arrival_date": "2025-06-01",
                          "qualifying_move.worker_arrival_date": "2025-05-20"})
    assert_coe_level_error(check_coe(document), "WORKER_RELATIONSHIP", "qualifying_move.worker.relationship")


def test_a_youth_who_moved_as_the_worker_is_eligible():
    document = valid_coe({"qualifying_move.moved": "as_worker", "qualifying_move.worker.relationship": "self",
                          "children[0].birth_date": "2008-04-11", "children[0].grade": None})
    assert_eligible_without_errors(check_coe(document))


@pytest.mark.parametrize("relationship", ["parent", "guardian", "spouse"])
def test_a_child_may_move_with_a_parent_guardian_or_spouse(relationship):
    assert_eligible_without_errors(check_coe(valid_coe({"qualifying_move.worker.relationship": relationship})))


def _joining(moved, child_arrival, worker_arrival, qad):
    return valid_coe({"qualifying_move.moved": moved, "qualifying_move.child_arrival_date": child_arrival,
                      "qualifying_move.worker_arrival_date": worker_arrival, "qualifying_move.qad": qad,
                      "qualifying_move.work_start_date": qad, "children[0].residency_date": qad})


def test_a_child_who_joined_the_worker_has_the_childs_arrival_as_qad():
    assert_eligible_without_errors(check_coe(_joining("to_join_worker", "2025-06-01", "2025-05-10", "2025-06-01")))


def test_a_child_who_joined_the_worker_the_same_day_has_that_day_as_qad():
    assert_eligible_without_errors(check_coe(_joining("to_join_worker", "2025-06-01", "2025-06-01", "2025-06-01")))


def test_a_join_qad_that_is_the_earlier_arrival_is_join_dates_inconsistent():
    result = check_coe(_joining("to_join_worker", "2025-06-01", "2025-05-10", "2025-05-10"))
    assert_coe_level_error(result, "JOIN_DATES_INCONSISTENT", "qualifying_move.qad")


def test_a_join_qad_that_is_neither_arrival_is_join_dates_inconsistent():
    result = check_coe(_joining("to_join_worker", "2025-05-25", "2025-05-10", "2025-06-01"))
    assert_coe_level_error(result, "JOIN_DATES_INCONSISTENT", "qualifying_move.qad")


def test_a_child_who_joined_the_worker_cannot_arrive_before_the_worker():
    # [convention of the rules engine] the direction of the arrivals is checked too.
    result = check_coe(_joining("to_join_worker", "2025-05-10", "2025-06-01", "2025-06-01"))
    assert_coe_level_error(result, "JOIN_DATES_INCONSISTENT", "qualifying_move.child_arrival_date")


def test_a_child_who_preceded_the_worker_has_the_workers_arrival_as_qad():
    document = _joining("to_precede_worker", "2025-05-10", "2025-06-01", "2025-06-01")
    assert_eligible_without_errors(check_coe(document))


def test_a_precede_qad_that_is_the_childs_earlier_arrival_is_join_dates_inconsistent():
    result = check_coe(_joining("to_precede_worker", "2025-05-10", "2025-06-01", "2025-05-10"))
    assert_coe_level_error(result, "JOIN_DATES_INCONSISTENT", "qualifying_move.qad")


def test_a_child_who_preceded_the_worker_cannot_arrive_after_the_worker():
    result = check_coe(_joining("to_precede_worker", "2025-06-01", "2025-05-10", "2025-06-01"))
    assert_coe_level_error(result, "JOIN_DATES_INCONSISTENT", "qualifying_move.child_arrival_date")


# --- the child-level codes ------------------------------------------------------------------------------


def test_a_residency_date_before_the_qad_is_qad_after_residency_on_the_child():
    result = check_coe(valid_coe({"children[0].residency_date": "2025-05-01"}))
    assert_child_level_error(result, 0, "QAD_AFTER_RESIDENCY", "children[0].residency_date")


def test_a_child_born_after_the_qad_is_born_after_move():
    result = check_coe(valid_coe({"children[0].birth_date": "2025-07-04"}))
    assert_child_level_error(result, 0, "BORN_AFTER_MOVE", "children[0].birth_date")


def test_a_child_22_or_older_on_the_qad_is_age_22_or_over():
    result = check_coe(valid_coe({"children[0].birth_date": "2001-01-15"}))
    assert_child_level_error(result, 0, "AGE_22_OR_OVER", "children[0].birth_date")


def test_a_child_who_completed_high_school_before_the_qad_is_hs_completed():
    result = check_coe(valid_coe({"children[0].birth_date": "2006-05-01",
                                  "children[0].hs_completion_date": "2024-06-01"}))
    assert_child_level_error(result, 0, "HS_COMPLETED", "children[0].hs_completion_date")


def test_a_child_who_turned_22_between_the_qad_and_the_interview_is_eligibility_ended():
    # 22nd birthday 2025-06-10: eligible 2025-06-01 .. 2025-06-09, interviewed 2025-06-20.
    result = check_coe(valid_coe({"children[0].birth_date": "2003-06-10"}))
    assert_child_level_error(result, 0, "ELIGIBILITY_ENDED", "children[0]")
    assert result.children[0].as_dict()["last_eligible_day"] == "2025-06-09"


def test_a_child_who_completed_high_school_between_the_qad_and_the_interview_is_eligibility_ended():
    result = check_coe(valid_coe({"children[0].birth_date": "2007-02-01",
                                  "children[0].hs_completion_date": "2025-06-07"}))
    assert_child_level_error(result, 0, "ELIGIBILITY_ENDED", "children[0]")


@pytest.mark.parametrize("reason", ["DEATH", "OTHER_LOSS_OF_ENTITLEMENT"])
def test_a_recorded_end_before_the_interview_is_eligibility_ended(reason):
    result = check_coe(valid_coe({"children[0].eligibility_end": {"reason": reason, "date": "2025-06-15"}}))
    assert_child_level_error(result, 0, "ELIGIBILITY_ENDED", "children[0]")


def test_a_recorded_end_before_the_qad_is_an_invalid_date():
    result = check_coe(valid_coe({"children[0].eligibility_end": {"reason": "DEATH", "date": "2025-05-31"}}))
    assert_child_level_error(result, 0, "INVALID_VALUE", "children[0].eligibility_end.date")


CHILD_LEVEL_CASES = [
    # (the bad child's changes, the code, the field under children[1])
    ({"residency_date": "2025-05-31"}, "QAD_AFTER_RESIDENCY", "residency_date"),
    ({"birth_date": "2025-06-02"}, "BORN_AFTER_MOVE", "birth_date"),
    ({"birth_date": "2003-06-01"}, "AGE_22_OR_OVER", "birth_date"),
    ({"birth_date": "2006-01-01", "hs_completion_date": "2025-06-01"}, "HS_COMPLETED", "hs_completion_date"),
    ({"birth_date": "2003-06-15"}, "ELIGIBILITY_ENDED", None),
    ({"birth_date": None}, "MISSING_FIELD", "birth_date"),
    ({"residency_date": "2025-06-31"}, "INVALID_VALUE", "residency_date"),
]


@pytest.mark.parametrize(("changes", "code", "key"), CHILD_LEVEL_CASES)
def test_a_childs_own_error_refuses_that_child_only(changes, code, key):
    result = check_coe(valid_coe(children=[EXAMPLE_COE["children"][0], second_child(**changes)]))
    assert_child_level_error(result, 1, code, "children[1]" + (f".{key}" if key else ""))
    assert result.errors == []
    assert result.children[0].errors == []
    assert result.children[0].eligible is True
    assert result.eligible is True
    assert result.as_dict()["eligible"] is True


def test_a_coe_whose_every_child_is_refused_is_not_eligible_though_it_has_no_coe_level_error():
    result = check_coe(valid_coe(children=[second_child(birth_date="2025-06-02"), second_child(sex="?")]))
    assert result.errors == []
    assert [child.eligible for child in result.children] == [False, False]
    assert result.eligible is False


def test_a_coe_level_error_makes_every_child_ineligible():
    result = check_coe(valid_coe({"qualifying_move.economic_necessity": False},
                                 children=[EXAMPLE_COE["children"][0], second_child()]))
    assert [child.errors for child in result.children] == [[], []]
    assert [child["eligible"] for child in result.as_dict()["children"]] == [False, False]
    assert result.eligible is False


# --- warnings -------------------------------------------------------------------------------------------


def test_temporary_work_with_empty_comments_is_eligible_with_comments_recommended():
    document = valid_coe({"qualifying_move.work.duration": "temporary",
                          "qualifying_move.temporary_basis": "worker_statement", "comments": ""})
    result = check_coe(document)
    assert findings(result.warnings) == {("COMMENTS_RECOMMENDED", "comments")}
    assert_eligible_without_errors(result)


def test_actively_sought_work_with_empty_comments_is_eligible_with_comments_recommended():
    document = valid_coe({"qualifying_move.prong": "actively_sought", "qualifying_move.work_start_date": None,
                          "qualifying_move.recent_history_of_moves": True, "comments": DELETE})
    result = check_coe(document)
    assert findings(result.warnings) == {("COMMENTS_RECOMMENDED", "comments")}
    assert_eligible_without_errors(result)


def test_temporary_work_explained_in_the_comments_raises_no_warning():
    document = valid_coe({"qualifying_move.work.duration": "temporary",
                          "qualifying_move.temporary_basis": "worker_statement",
                          "comments": "The worker said the job at the cannery lasts until October."})
    assert check_coe(document).warnings == []


def test_seasonal_engaged_work_with_empty_comments_raises_no_warning():
    assert check_coe(valid_coe(comments="")).warnings == []


def test_a_district_the_state_does_not_know_is_a_warning_only():
    result = check_coe(valid_coe(), known_districts={"0007"})
    assert findings(result.warnings) == {("UNKNOWN_DISTRICT", "qualifying_move.to.district_id")}
    assert_eligible_without_errors(result)
    assert result.as_dict()["warnings"][0]["code"] == "UNKNOWN_DISTRICT"


def test_the_district_is_not_judged_without_a_list_of_known_districts():
    assert check_coe(valid_coe({"qualifying_move.to.district_id": "no such district"})).warnings == []


def test_the_code_enumeration_holds_every_code_of_the_contract():
    error_codes = {"MISSING_FIELD", "INVALID_VALUE", "NO_ECONOMIC_NECESSITY", "NOT_QUALIFYING_WORK",
                   "QAD_AFTER_INTERVIEW", "MOVE_TOO_OLD", "NOT_A_QUALIFYING_MOVE", "WORK_NOT_SOON_AFTER",
                   "NO_RECENT_HISTORY", "TEMPORARY_BASIS_MISSING", "WORKER_RELATIONSHIP",
                   "JOIN_DATES_INCONSISTENT", "QAD_AFTER_RESIDENCY", "BORN_AFTER_MOVE", "AGE_22_OR_OVER",
                   "HS_COMPLETED", "ELIGIBILITY_ENDED"}
    assert error_codes <= {str(code) for code in Code}
    assert {"UNKNOWN_DISTRICT", "COMMENTS_RECOMMENDED"} <= {str(code) for code in Code}


def test_a_missing_qualifying_move_is_one_error_not_one_for_each_of_its_fields():
    result = check_coe(valid_coe({"qualifying_move": DELETE}))

    moves = [e.field for e in result.errors if e.field.startswith("qualifying_move")]
    assert moves == ["qualifying_move"]


def test_a_missing_origin_is_one_error_not_one_for_its_state():
    result = check_coe(valid_coe({"qualifying_move.from": DELETE}))

    assert [e.field for e in result.errors] == ["qualifying_move.from"]
