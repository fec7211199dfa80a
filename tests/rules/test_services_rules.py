"""Whether a service may be recorded on its dates, and how long a continuation of services may last
(mepsis.rules.services; domain.md "MEP services" and "Continuation of services")."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mepsis.rules import services as rules
from mepsis.rules.eligibility import EndReason

D = dt.date.fromisoformat
ONE_DAY = dt.timedelta(days=1)


def eligible(start, last, coe="C1", end_reason=EndReason.THIRTY_SIX_MONTHS):
    return rules.Eligibility(coe, D(start), D(last), end_reason)


def continuation(begin, end, pk=7, reason=rules.SCHOOL_TERM):
    return rules.Continuation(pk, reason, D(begin), D(end))


# --- service_basis ------------------------------------------------------------------------------------------

def test_a_service_inside_eligibility_is_eligible_with_its_coe():
    allowed = rules.service_basis(D("2025-06-01"), D("2025-06-30"), [eligible("2024-01-01", "2026-12-31")], [])
    assert allowed == rules.Allowed("eligible", "C1")


def test_a_service_on_the_first_and_last_eligible_days_is_allowed():
    interval = [eligible("2024-01-01", "2026-12-31")]
    assert rules.service_basis(D("2024-01-01"), D("2024-01-01"), interval, []).basis == "eligible"
    assert rules.service_basis(D("2026-12-31"), D("2026-12-31"), interval, []).basis == "eligible"


def test_a_service_the_day_before_eligibility_starts_is_refused():
    refusal = rules.service_basis(D("2023-12-31"), D("2024-01-05"), [eligible("2024-01-01", "2026-12-31")], [])
    assert isinstance(refusal, rules.Refusal)
    assert (refusal.code, refusal.field, refusal.params["day"]) == ("NOT_ELIGIBLE", "begin_date", "2023-12-31")


def test_a_summer_service_the_day_after_eligibility_ended_is_refused_without_a_continuation():
    refusal = rules.service_basis(D("2025-07-01"), D("2025-07-31"), [eligible("2022-07-01", "2025-06-30")], [])
    assert isinstance(refusal, rules.Refusal) and refusal.params["day"] == "2025-07-01"


def test_a_summer_service_the_day_after_eligibility_ended_is_allowed_under_a_continuation():
    allowed = rules.service_basis(D("2025-07-01"), D("2025-07-31"), [eligible("2022-07-01", "2025-06-30")],
                                  [continuation("2025-07-01", "2025-08-31")])
    assert allowed == rules.Allowed("continuation", None, 7)


def test_a_service_that_outlasts_its_continuation_is_refused_on_the_first_day_after_it():
    refusal = rules.service_basis(D("2025-07-01"), D("2025-09-01"), [eligible("2022-07-01", "2025-06-30")],
                                  [continuation("2025-07-01", "2025-08-31")])
    assert (refusal.field, refusal.params["day"]) == ("end_date", "2025-09-01")


def test_a_service_that_spans_eligibility_and_the_continuation_after_it_is_a_continuation_service():
    allowed = rules.service_basis(D("2025-06-15"), D("2025-07-15"), [eligible("2022-07-01", "2025-06-30")],
                                  [continuation("2025-07-01", "2025-08-31")])
    assert allowed == rules.Allowed("continuation", "C1", 7)


def test_two_back_to_back_coes_cover_a_service_together():
    intervals = [eligible("2022-01-01", "2024-12-31", "OLD"), eligible("2025-01-01", "2027-12-31", "NEW")]
    assert rules.service_basis(D("2024-12-01"), D("2025-01-31"), intervals, []) == rules.Allowed("eligible", "OLD")


def test_a_gap_of_one_day_between_coes_refuses_the_service_on_that_day():
    intervals = [eligible("2022-01-01", "2024-12-30", "OLD"), eligible("2025-01-01", "2027-12-31", "NEW")]
    assert rules.service_basis(D("2024-12-01"), D("2025-01-31"), intervals, []).params["day"] == "2024-12-31"


def test_a_child_with_no_approved_coe_gets_no_service():
    assert isinstance(rules.service_basis(D("2025-01-01"), D("2025-01-01"), [], []), rules.Refusal)


def test_a_leap_day_service_follows_the_intervals():
    interval = [eligible("2021-03-01", "2024-02-29")]
    assert rules.service_basis(D("2024-02-29"), D("2024-02-29"), interval, []).basis == "eligible"
    assert isinstance(rules.service_basis(D("2024-02-29"), D("2024-03-01"), interval, []), rules.Refusal)


days = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31))


@st.composite
def span(draw):
    first = draw(days)
    return first, first + dt.timedelta(days=draw(st.integers(0, 400)))


@given(st.lists(span(), max_size=4), st.lists(span(), max_size=3), span())
def test_a_service_is_allowed_exactly_when_every_day_is_eligible_or_continued(eligibility, continued, service):
    intervals = [rules.Eligibility(f"C{i}", a, b) for i, (a, b) in enumerate(eligibility)]
    continuations = [rules.Continuation(i, rules.SCHOOL_TERM, a, b) for i, (a, b) in enumerate(continued)]
    begin, end = service
    result = rules.service_basis(begin, end, intervals, continuations)
    day_by_day = [begin + ONE_DAY * n for n in range((end - begin).days + 1)]
    eligible_days = [any(a <= d <= b for a, b in eligibility) for d in day_by_day]
    covered = [e or any(a <= d <= b for a, b in continued) for e, d in zip(eligible_days, day_by_day)]
    if all(eligible_days):
        assert result.basis == "eligible"
    elif all(covered):
        assert result.basis == "continuation"
        first_gap = day_by_day[eligible_days.index(False)]
        chosen = next(c for c in continuations if c.continuation_id == result.continuation_id)
        assert chosen.begin <= first_gap <= chosen.end
    else:
        assert isinstance(result, rules.Refusal)
        assert result.params["day"] == day_by_day[covered.index(False)].isoformat()


# --- check_service_values -----------------------------------------------------------------------------------

@pytest.mark.parametrize("service", sorted(rules.INSTRUCTIONAL))
def test_an_instructional_service_needs_hours(service):
    codes = [r.code for r in rules.check_service_values(service, D("2025-01-01"), D("2025-01-02"), None)]
    assert codes == ["HOURS_REQUIRED"]
    assert rules.check_service_values(service, D("2025-01-01"), D("2025-01-02"), Decimal("0"))[0].code == \
        "HOURS_REQUIRED"
    assert rules.check_service_values(service, D("2025-01-01"), D("2025-01-02"), Decimal("1.5")) == []


@pytest.mark.parametrize("service", ["COUNSELSERV", "SUPPSERV", "REFSERV"])
def test_a_support_service_needs_no_hours(service):
    assert rules.check_service_values(service, D("2025-01-01"), D("2025-01-01"), None) == []


def test_an_unknown_service_code_and_reversed_dates_are_refused():
    codes = [r.code for r in rules.check_service_values("SWIM", D("2025-01-02"), D("2025-01-01"), None)]
    assert codes == ["INVALID_VALUE", "INVALID_VALUE"]


# --- Terms ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("day, term", [
    ("2024-09-01", ("2024-09-01", "2024-12-31")), ("2024-12-31", ("2024-09-01", "2024-12-31")),
    ("2025-01-01", ("2025-01-01", "2025-05-31")), ("2024-02-29", ("2024-01-01", "2024-05-31")),
    ("2025-05-31", ("2025-01-01", "2025-05-31")), ("2025-06-01", ("2025-06-01", "2025-08-31")),
    ("2025-08-31", ("2025-06-01", "2025-08-31")),
])
def test_the_school_terms_split_the_year_at_september_january_and_june(day, term):
    assert rules.term_of(D(day)) == (D(term[0]), D(term[1]))


@given(days)
def test_every_day_is_in_exactly_one_term(day):
    first, last = rules.term_of(day)
    assert first <= day <= last
    assert rules.term_of(last + ONE_DAY)[0] == last + ONE_DAY


# --- check_continuation ----------------------------------------------------------------------------------------

ENDED = [eligible("2021-11-01", "2024-10-31")]  # 36 months ended during the fall term 2024


def check(reason, begin, end, eligibility=ENDED, **kwargs):
    kwargs.setdefault("birth_date", D("2010-05-05"))
    return [r.code for r in rules.check_continuation(reason, D(begin), D(end), eligibility, **kwargs)]


def test_ceased_during_a_term_continues_until_the_end_of_that_term():
    assert check(rules.SCHOOL_TERM, "2024-11-01", "2024-12-31") == []
    assert check(rules.SCHOOL_TERM, "2024-11-01", "2025-01-01") == ["CONTINUATION_TOO_LONG"]


def test_ceased_on_the_last_day_of_a_term_has_no_term_left_to_continue():
    ended_on_term_end = [eligible("2021-09-01", "2024-08-31")]
    assert check(rules.SCHOOL_TERM, "2024-09-01", "2024-09-30", ended_on_term_end) == ["CONTINUATION_TOO_LONG"]
    assert check(rules.PREVIOUS_TERM, "2024-09-01", "2025-08-31", ended_on_term_end) == []


def test_ceased_during_the_previous_term_continues_one_more_school_year():
    assert check(rules.PREVIOUS_TERM, "2025-01-01", "2025-12-31") == []
    assert check(rules.PREVIOUS_TERM, "2025-01-01", "2026-01-01") == ["CONTINUATION_TOO_LONG"]


def test_one_more_year_after_a_spring_term_that_ends_in_a_leap_year():
    ended = [eligible("2021-03-01", "2024-02-29")]  # spring term 2024 ends 2024-05-31
    assert check(rules.PREVIOUS_TERM, "2024-06-01", "2025-05-31", ended) == []
    assert check(rules.PREVIOUS_TERM, "2024-06-01", "2025-06-01", ended) == ["CONTINUATION_TOO_LONG"]


def test_a_secondary_student_accrues_credit_until_graduation_but_not_past_age_22():
    assert check(rules.SECONDARY_CREDIT, "2024-11-01", "2027-06-01", grade="11") == []
    assert check(rules.SECONDARY_CREDIT, "2024-11-01", "2026-06-02", grade="11",
                 hs_completion_date=D("2026-06-01")) == ["CONTINUATION_TOO_LONG"]
    assert check(rules.SECONDARY_CREDIT, "2024-11-01", "2032-05-04", grade="12") == []
    assert check(rules.SECONDARY_CREDIT, "2024-11-01", "2032-05-05", grade="12") == ["CONTINUATION_TOO_LONG"]


@pytest.mark.parametrize("grade", ["08", "KG", None, "UG"])
def test_credit_accrual_is_only_for_a_secondary_student(grade):
    assert check(rules.SECONDARY_CREDIT, "2024-11-01", "2025-06-01", grade=grade) == ["NOT_SECONDARY"]


def test_grade_9_written_without_its_zero_is_secondary():
    assert check(rules.SECONDARY_CREDIT, "2024-11-01", "2025-06-01", grade="9") == []


def test_a_continuation_must_begin_after_eligibility_ended():
    assert check(rules.SCHOOL_TERM, "2024-10-31", "2024-12-31") == ["ELIGIBLE_ON_BEGIN"]
    assert check(rules.SCHOOL_TERM, "2024-11-01", "2024-12-31", []) == ["NO_ENDED_ELIGIBILITY"]


@pytest.mark.parametrize("end_reason", [EndReason.AGE_22, EndReason.HS_COMPLETION, EndReason.DEATH])
def test_no_continuation_for_a_child_who_is_no_longer_a_child_of_the_program(end_reason):
    ended = [eligible("2021-11-01", "2024-10-31", end_reason=end_reason)]
    assert check(rules.SCHOOL_TERM, "2024-11-01", "2024-12-31", ended) == ["NOT_CEASED_MIGRATORY"]


def test_an_unknown_reason_and_reversed_dates_are_refused():
    assert check("BECAUSE", "2024-11-01", "2024-12-31") == ["INVALID_VALUE"]
    assert check(rules.SCHOOL_TERM, "2024-12-31", "2024-11-01") == ["INVALID_VALUE"]


@given(days, st.integers(0, 800), st.sampled_from([rules.SCHOOL_TERM, rules.PREVIOUS_TERM]))
def test_a_continuation_never_outlasts_its_reason(last_eligible_day, length, reason):
    ended = [rules.Eligibility("C", last_eligible_day - dt.timedelta(days=1000), last_eligible_day)]
    begin = last_eligible_day + ONE_DAY
    end = begin + dt.timedelta(days=length)
    codes = [r.code for r in rules.check_continuation(reason, begin, end, ended, birth_date=dt.date(2000, 1, 1))]
    term_end = rules.term_of(last_eligible_day)[1]
    limit = term_end if reason == rules.SCHOOL_TERM else term_end.replace(year=term_end.year + 1)
    limit = min(limit, dt.date(2021, 12, 31))  # the day before the 22nd birthday
    assert (codes == []) == (end <= limit)
