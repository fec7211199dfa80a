"""The exact days of domain.md ("The eligibility interval [convention on exact days]") and the day-exact
edges of the COE rules: each edge is tested on both of its sides."""

from __future__ import annotations

import datetime as dt

import pytest
from coe_factory import (
    assert_child_level_error,
    assert_coe_level_error,
    assert_eligible_without_errors,
    codes,
    dated_coe,
    valid_coe,
)

from mepsis.rules import EndReason, age_22_end, check_coe, eligibility_interval, thirty_six_months_end

ONE_DAY = dt.timedelta(days=1)
D = dt.date.fromisoformat


def child_result(document, **options):
    result = check_coe(document, **options)
    return result, result.children[0].as_dict()


# --- 36 months ------------------------------------------------------------------------------------------


def test_a_qad_on_a_leap_day_ends_eligibility_on_feb_27_three_years_later():
    # domain.md's own example: 2024-02-29 + 36 months is 2027-02-28, the day before is 2027-02-27.
    assert thirty_six_months_end(D("2024-02-29")) == D("2027-02-27")
    result, child = child_result(dated_coe(D("2024-02-29")))
    assert_eligible_without_errors(result)
    assert (child["eligibility_start"], child["last_eligible_day"], child["end_reason"]) == (
        "2024-02-29", "2027-02-27", "THIRTY_SIX_MONTHS")


@pytest.mark.parametrize(("qad", "last_day"), [
    ("2025-06-01", "2028-05-31"),  # interfaces.md's example result
    ("2023-09-15", "2026-09-14"),
    ("2024-01-01", "2026-12-31"),  # across a year end
    ("2023-03-01", "2026-02-28"),  # the 36-month anniversary is 2026-03-01
    ("2025-03-01", "2028-02-29"),  # ... 2028-03-01, so the day before is a leap day
    ("2023-02-28", "2026-02-27"),
])
def test_eligibility_ends_the_day_before_the_36_month_anniversary_of_the_qad(qad, last_day):
    assert thirty_six_months_end(D(qad)) == D(last_day)
    result, child = child_result(dated_coe(D(qad), changes={"children[0].birth_date": "2015-01-01"}))
    assert child["last_eligible_day"] == last_day
    assert child["end_reason"] == "THIRTY_SIX_MONTHS"


def test_the_36_month_anniversary_itself_is_not_covered():
    interval = eligibility_interval(D("2025-06-01"), D("2014-03-02"))
    assert interval.covers(D("2028-05-31"))
    assert not interval.covers(D("2028-06-01"))
    assert interval.covers(D("2025-06-01"))
    assert not interval.covers(D("2025-05-31"))


# --- age 22 ---------------------------------------------------------------------------------------------


def test_a_child_born_on_a_leap_day_is_eligible_until_feb_27_of_the_year_of_the_22nd_birthday():
    # birth_date + relativedelta(years=22) = 2026-02-28 (the 22nd birthday), minus one day.
    assert age_22_end(D("2004-02-29")) == D("2026-02-27")
    result, child = child_result(valid_coe({"children[0].birth_date": "2004-02-29"}))
    assert_eligible_without_errors(result)
    assert (child["last_eligible_day"], child["end_reason"]) == ("2026-02-27", "AGE_22")


def test_a_child_born_on_a_leap_day_with_a_qad_on_feb_27_of_the_22nd_birthday_year_is_eligible_one_day():
    result, child = child_result(dated_coe(D("2026-02-27"), changes={"children[0].birth_date": "2004-02-29"}))
    assert_eligible_without_errors(result)
    assert (child["eligibility_start"], child["last_eligible_day"], child["end_reason"]) == (
        "2026-02-27", "2026-02-27", "AGE_22")


def test_a_child_born_on_a_leap_day_is_22_on_feb_28_of_a_common_year():
    result = check_coe(dated_coe(D("2026-02-28"), changes={"children[0].birth_date": "2004-02-29"}))
    assert_child_level_error(result, 0, "AGE_22_OR_OVER", "children[0].birth_date")


def test_a_22nd_birthday_the_day_after_the_qad_leaves_exactly_one_eligible_day():
    qad = D("2025-06-01")
    result, child = child_result(dated_coe(qad, changes={"children[0].birth_date": "2003-06-02"}))
    assert_eligible_without_errors(result)
    assert (child["eligibility_start"], child["last_eligible_day"], child["end_reason"]) == (
        "2025-06-01", "2025-06-01", "AGE_22")


def test_a_22nd_birthday_on_the_qad_is_age_22_or_over():
    result = check_coe(dated_coe(D("2025-06-01"), changes={"children[0].birth_date": "2003-06-01"}))
    assert_child_level_error(result, 0, "AGE_22_OR_OVER", "children[0].birth_date")


def test_eligibility_ends_the_day_before_an_ordinary_22nd_birthday():
    assert age_22_end(D("2005-10-20")) == D("2027-10-19")
    result, child = child_result(valid_coe({"children[0].birth_date": "2005-10-20"}))
    assert (child["last_eligible_day"], child["end_reason"]) == ("2027-10-19", "AGE_22")


# --- birth ----------------------------------------------------------------------------------------------


def test_a_child_born_on_the_qad_made_the_move():
    result, child = child_result(dated_coe(D("2025-06-01"), changes={"children[0].birth_date": "2025-06-01"}))
    assert_eligible_without_errors(result)
    assert (child["last_eligible_day"], child["end_reason"]) == ("2028-05-31", "THIRTY_SIX_MONTHS")


def test_a_child_born_the_day_after_the_qad_is_born_after_move():
    result = check_coe(dated_coe(D("2025-06-01"), changes={"children[0].birth_date": "2025-06-02"}))
    assert_child_level_error(result, 0, "BORN_AFTER_MOVE", "children[0].birth_date")


# --- high school completion -----------------------------------------------------------------------------


def test_high_school_completed_on_the_qad_is_hs_completed():
    result = check_coe(dated_coe(D("2025-06-01"), changes={"children[0].birth_date": "2007-01-10",
                                                           "children[0].hs_completion_date": "2025-06-01"}))
    assert_child_level_error(result, 0, "HS_COMPLETED", "children[0].hs_completion_date")


def test_high_school_completed_the_day_after_the_qad_ends_eligibility_on_the_completion_date():
    # The table: the last eligible day is the date of the diploma or HSE.
    result, child = child_result(dated_coe(D("2025-06-01"), changes={"children[0].birth_date": "2007-01-10",
                                                                     "children[0].hs_completion_date": "2025-06-02"}))
    assert_eligible_without_errors(result)
    assert (child["eligibility_start"], child["last_eligible_day"], child["end_reason"]) == (
        "2025-06-01", "2025-06-02", "HS_COMPLETION")


def test_an_interview_on_the_high_school_completion_date_finds_the_child_still_eligible():
    result = check_coe(dated_coe(D("2025-06-01"), interview=D("2025-06-02"),
                                 changes={"children[0].hs_completion_date": "2025-06-02"}))
    assert_eligible_without_errors(result)


def test_an_interview_the_day_after_high_school_completion_finds_eligibility_ended():
    result = check_coe(dated_coe(D("2025-06-01"), interview=D("2025-06-03"),
                                 changes={"children[0].hs_completion_date": "2025-06-02"}))
    assert_child_level_error(result, 0, "ELIGIBILITY_ENDED", "children[0]")


def test_an_interview_on_the_day_before_the_22nd_birthday_finds_the_child_still_eligible():
    result = check_coe(dated_coe(D("2025-06-01"), interview=D("2025-06-19"),
                                 changes={"children[0].birth_date": "2003-06-20"}))
    assert_eligible_without_errors(result)


def test_an_interview_on_the_22nd_birthday_finds_eligibility_ended():
    result = check_coe(dated_coe(D("2025-06-01"), interview=D("2025-06-20"),
                                 changes={"children[0].birth_date": "2003-06-20"}))
    assert_child_level_error(result, 0, "ELIGIBILITY_ENDED", "children[0]")


# --- recorded ends --------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["DEATH", "OTHER_LOSS_OF_ENTITLEMENT"])
def test_a_recorded_end_after_the_interview_is_the_last_eligible_day(reason):
    result, child = child_result(valid_coe({"children[0].eligibility_end": {"reason": reason, "date": "2026-01-10"}}))
    assert_eligible_without_errors(result)
    assert (child["last_eligible_day"], child["end_reason"]) == ("2026-01-10", reason)


def test_a_recorded_end_on_the_interview_date_leaves_the_child_eligible():
    result = check_coe(valid_coe({"children[0].eligibility_end": {"reason": "DEATH", "date": "2025-06-20"}}))
    assert_eligible_without_errors(result)


def test_a_recorded_end_the_day_before_the_interview_is_eligibility_ended():
    result = check_coe(valid_coe({"children[0].eligibility_end": {"reason": "DEATH", "date": "2025-06-19"}}))
    assert_child_level_error(result, 0, "ELIGIBILITY_ENDED", "children[0]")


def test_a_recorded_end_later_than_the_36_months_does_not_extend_eligibility():
    result, child = child_result(valid_coe({"children[0].eligibility_end": {"reason": "DEATH", "date": "2030-01-01"}}))
    assert (child["last_eligible_day"], child["end_reason"]) == ("2028-05-31", "THIRTY_SIX_MONTHS")


# --- the earliest end wins, ties go to the reason listed first ------------------------------------------


def test_the_earliest_end_is_the_last_eligible_day():
    interval = eligibility_interval(D("2025-06-01"), D("2005-01-01"), hs_completion_date=D("2026-05-30"),
                                    recorded_end=(EndReason.DEATH, D("2026-08-01")))
    # 36 months: 2028-05-31; age 22: 2026-12-31; HS: 2026-05-30; death: 2026-08-01.
    assert (interval.start, interval.last_day, interval.end_reason) == (
        D("2025-06-01"), D("2026-05-30"), EndReason.HS_COMPLETION)


def test_when_36_months_and_age_22_end_the_same_day_the_reason_is_thirty_six_months():
    # QAD 2025-06-01 ends 2028-05-31; a child born 2006-06-01 turns 22 on 2028-06-01.
    interval = eligibility_interval(D("2025-06-01"), D("2006-06-01"))
    assert (interval.last_day, interval.end_reason) == (D("2028-05-31"), EndReason.THIRTY_SIX_MONTHS)


def test_when_age_22_and_high_school_end_the_same_day_the_reason_is_age_22():
    interval = eligibility_interval(D("2025-06-01"), D("2004-09-01"), hs_completion_date=D("2026-08-31"))
    assert (interval.last_day, interval.end_reason) == (D("2026-08-31"), EndReason.AGE_22)


def test_when_high_school_and_a_recorded_end_fall_the_same_day_the_reason_is_hs_completion():
    interval = eligibility_interval(D("2025-06-01"), D("2008-01-01"), hs_completion_date=D("2026-06-05"),
                                    recorded_end=(EndReason.OTHER_LOSS_OF_ENTITLEMENT, D("2026-06-05")))
    assert (interval.last_day, interval.end_reason) == (D("2026-06-05"), EndReason.HS_COMPLETION)


def test_a_coe_found_ineligible_has_no_eligible_day_at_all():
    interval = eligibility_interval(D("2025-06-01"), D("2014-03-02"), found_ineligible=True)
    assert (interval.start, interval.last_day, interval.end_reason) == (None, None, EndReason.FOUND_INELIGIBLE)
    assert not any(interval.covers(D("2025-06-01") + n * ONE_DAY) for n in range(0, 1200, 7))


# --- "soon after": the engaged prong --------------------------------------------------------------------


@pytest.mark.parametrize("days_after_qad", [0, 1, 59, 60])
def test_engaged_work_starting_within_60_days_of_the_qad_qualifies(days_after_qad):
    qad = D("2025-06-01")
    document = dated_coe(qad, interview=qad + dt.timedelta(days=90),
                         changes={"qualifying_move.work_start_date": qad + dt.timedelta(days=days_after_qad)})
    assert_eligible_without_errors(check_coe(document))


@pytest.mark.parametrize("days_after_qad", [61, 62, 365, -1, -30])
def test_engaged_work_starting_after_day_60_or_before_the_qad_is_work_not_soon_after(days_after_qad):
    qad = D("2025-06-01")
    document = dated_coe(qad, interview=qad + dt.timedelta(days=90),
                         changes={"qualifying_move.work_start_date": qad + dt.timedelta(days=days_after_qad)})
    assert_coe_level_error(check_coe(document), "WORK_NOT_SOON_AFTER", "qualifying_move.work_start_date")


def test_day_60_counts_calendar_days_across_a_leap_day():
    # QAD 2024-02-01; day 60 is 2024-04-01 because February 2024 has 29 days.
    qad = D("2024-02-01")
    on_day_60 = dated_coe(qad, interview=D("2024-05-01"), changes={"qualifying_move.work_start_date": "2024-04-01"})
    on_day_61 = dated_coe(qad, interview=D("2024-05-01"), changes={"qualifying_move.work_start_date": "2024-04-02"})
    assert_eligible_without_errors(check_coe(on_day_60))
    assert_coe_level_error(check_coe(on_day_61), "WORK_NOT_SOON_AFTER", "qualifying_move.work_start_date")


def test_the_soon_after_window_is_a_setting():
    qad = D("2025-06-01")

    def started(days):
        return dated_coe(qad, interview=qad + dt.timedelta(days=90),
                         changes={"qualifying_move.work_start_date": qad + dt.timedelta(days=days)})

    assert_eligible_without_errors(check_coe(started(30), soon_after_days=30))
    assert_coe_level_error(check_coe(started(31), soon_after_days=30), "WORK_NOT_SOON_AFTER",
                           "qualifying_move.work_start_date")
    assert_eligible_without_errors(check_coe(started(31)))  # the default, 60 days
    assert_eligible_without_errors(check_coe(started(75), soon_after_days=75))
    assert_coe_level_error(check_coe(started(-1), soon_after_days=75), "WORK_NOT_SOON_AFTER",
                           "qualifying_move.work_start_date")


def test_the_actively_sought_prong_is_not_bound_by_the_soon_after_window():
    document = valid_coe({"qualifying_move.prong": "actively_sought", "qualifying_move.work_start_date": "2025-12-01",
                          "qualifying_move.recent_history_of_moves": True, "comments": "Moves every season."})
    assert "WORK_NOT_SOON_AFTER" not in codes(check_coe(document).errors)


# --- the interview --------------------------------------------------------------------------------------


def test_an_interview_on_the_last_eligible_day_is_in_time():
    result = check_coe(dated_coe(D("2024-02-29"), interview=D("2027-02-27")))
    assert_eligible_without_errors(result)


def test_an_interview_the_day_after_the_last_eligible_day_is_move_too_old():
    result = check_coe(dated_coe(D("2024-02-29"), interview=D("2027-02-28")))
    assert_coe_level_error(result, "MOVE_TOO_OLD", "qualifying_move.qad")
    assert result.children[0].errors == []  # the 36-month end is the COE's, not the child's


def test_an_ordinary_interview_on_the_day_before_the_36_month_anniversary_is_in_time():
    assert_eligible_without_errors(check_coe(valid_coe(interview_date="2028-05-31")))
    assert_coe_level_error(check_coe(valid_coe(interview_date="2028-06-01")), "MOVE_TOO_OLD", "qualifying_move.qad")


def test_a_qad_on_the_interview_date_is_fine():
    assert_eligible_without_errors(check_coe(dated_coe(D("2025-06-01"), interview=D("2025-06-01"))))


def test_a_qad_the_day_after_the_interview_is_qad_after_interview():
    result = check_coe(dated_coe(D("2025-06-01"), interview=D("2025-05-31")))
    assert_coe_level_error(result, "QAD_AFTER_INTERVIEW", "qualifying_move.qad")


# --- residency ------------------------------------------------------------------------------------------


def test_a_residency_date_on_the_qad_is_fine():
    assert_eligible_without_errors(check_coe(valid_coe({"children[0].residency_date": "2025-06-01"})))


def test_a_residency_date_after_the_qad_is_fine():
    assert_eligible_without_errors(check_coe(valid_coe({"children[0].residency_date": "2025-06-15"})))


def test_a_residency_date_the_day_before_the_qad_is_qad_after_residency():
    result = check_coe(valid_coe({"children[0].residency_date": "2025-05-31"}))
    assert_child_level_error(result, 0, "QAD_AFTER_RESIDENCY", "children[0].residency_date")


def _preceding(residency_date):
    # The child arrived on 2025-05-20, ahead of the worker, who arrived on the QAD, 2025-06-01.
    return valid_coe({"qualifying_move.moved": "to_precede_worker",
                      "qualifying_move.child_arrival_date": "2025-05-20",
                      "qualifying_move.worker_arrival_date": "2025-06-01",
                      "children[0].residency_date": residency_date})


def test_a_child_who_preceded_the_worker_may_reside_from_the_childs_own_arrival():
    assert_eligible_without_errors(check_coe(_preceding("2025-05-20")))


def test_a_child_who_preceded_the_worker_may_reside_from_before_the_qad():
    assert_eligible_without_errors(check_coe(_preceding("2025-05-25")))
    # ... which the same residency date on a move with the worker is not:
    assert_child_level_error(check_coe(valid_coe({"children[0].residency_date": "2025-05-25"})), 0,
                             "QAD_AFTER_RESIDENCY", "children[0].residency_date")


def test_a_child_who_preceded_the_worker_cannot_reside_before_the_childs_own_arrival():
    result = check_coe(_preceding("2025-05-19"))
    assert_child_level_error(result, 0, "QAD_AFTER_RESIDENCY", "children[0].residency_date")


def test_the_eligibility_of_a_child_who_preceded_the_worker_starts_on_the_qad_not_on_the_childs_arrival():
    _, child = child_result(_preceding("2025-05-20"))
    assert (child["eligibility_start"], child["last_eligible_day"]) == ("2025-06-01", "2028-05-31")


# --- the ends of the calendar ---------------------------------------------------------------------------


def test_a_qad_in_the_last_years_of_the_calendar_is_judged_without_an_arithmetic_error():
    # 9999-01-01 + 36 months is past 9999-12-31, the last date Python can hold.
    result = check_coe(dated_coe(D("9999-01-01"), interview=D("9999-06-01"),
                                 changes={"children[0].birth_date": "9990-01-01"}))
    assert_eligible_without_errors(result)
    assert result.children[0].interval.last_day >= D("9999-06-01")
    assert check_coe(dated_coe(D("9999-12-31"), changes={"children[0].birth_date": "9999-12-31",
                                                         "qualifying_move.work_start_date": "9999-12-31"})).eligible


def test_a_child_born_in_the_last_years_of_the_calendar_is_born_after_the_move():
    result = check_coe(valid_coe({"children[0].birth_date": "9999-12-31"}))
    assert_child_level_error(result, 0, "BORN_AFTER_MOVE", "children[0].birth_date")


def test_a_qad_on_the_first_day_of_the_calendar_is_a_move_too_old():
    result = check_coe(dated_coe(D("0001-01-01"), interview=D("2025-06-20"),
                                 changes={"children[0].birth_date": "0001-01-01"}))
    assert_coe_level_error(result, "MOVE_TOO_OLD", "qualifying_move.qad")


# A child who moved to join the worker: the worker arrived on March 1 and started work; the child came on
# June 1, the QAD. "Soon after the move" follows the worker's own move.
JOINED = {
    "qualifying_move.moved": "to_join_worker",
    "qualifying_move.worker_arrival_date": "2025-03-01",
    "qualifying_move.child_arrival_date": "2025-06-01",
    "qualifying_move.qad": "2025-06-01",
}


@pytest.mark.parametrize(("work_start", "soon_after"), [
    ("2025-03-01", True),   # the worker's arrival day
    ("2025-03-05", True),   # before the QAD, as the worker started before the child joined
    ("2025-04-30", True),   # day 60 after the worker's arrival
    ("2025-05-01", False),  # day 61
    ("2025-02-28", False),  # before the worker arrived
])
def test_a_child_who_joined_the_worker_is_judged_by_when_the_worker_started_after_the_worker_s_move(
        work_start, soon_after):
    result = check_coe(valid_coe({**JOINED, "qualifying_move.work_start_date": work_start}))

    assert ("WORK_NOT_SOON_AFTER" not in {e.code for e in result.errors}) is soon_after
    if not soon_after:
        assert "worker's arrival 2025-03-01" in result.errors[0].render()
