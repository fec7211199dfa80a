"""The child-count rules of domain.md, one hand-built scenario per rule (issue 7, "Correctness"), and a
property: the interval arithmetic agrees with the definition read day by day."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from mepsis.rules.counts import Counted, aged_3_through_21, category_1, category_2, intersect
from mepsis.rules.periods import performance_period

D = dt.date.fromisoformat
PERIOD = performance_period("2024-25")  # 2024-09-01 .. 2025-08-31
ALWAYS = [(D("2000-01-01"), D("2099-12-31"))]


def test_a_child_is_aged_3_through_21_from_the_3rd_birthday_to_the_day_before_the_22nd():
    assert aged_3_through_21(D("2010-05-17")) == (D("2013-05-17"), D("2032-05-16"))
    assert aged_3_through_21(D("2008-02-29")) == (D("2011-02-28"), D("2030-02-27"))


def test_a_child_who_turns_3_in_the_period_counts_from_the_3rd_birthday():
    counted = category_1(PERIOD, D("2022-01-10"), [(D("2024-06-01"), D("2027-05-31"))], ALWAYS)

    assert counted == Counted(D("2025-01-10"), (D("2024-06-01"), D("2027-05-31")))


def test_a_child_who_turns_3_the_day_after_the_period_does_not_count():
    assert category_1(PERIOD, D("2022-09-01"), [(D("2024-06-01"), D("2027-05-31"))], ALWAYS) is None


def test_a_child_who_turns_22_in_the_period_counts_until_the_day_before():
    assert category_1(PERIOD, D("2002-10-01"), [(D("2024-06-01"), D("2027-05-31"))], ALWAYS) == Counted(
        PERIOD.first_day, (D("2024-06-01"), D("2027-05-31")))
    assert category_1(PERIOD, D("2002-09-01"), [(D("2024-06-01"), D("2027-05-31"))], ALWAYS) is None


def test_eligibility_that_starts_mid_period_counts_from_its_first_day():
    assert category_1(PERIOD, D("2014-03-02"), [(D("2025-06-01"), D("2028-05-31"))], ALWAYS).day == D("2025-06-01")


def test_eligibility_that_ended_the_day_before_the_period_does_not_count():
    assert category_1(PERIOD, D("2014-03-02"), [(D("2021-09-01"), D("2024-08-31"))], ALWAYS) is None


def test_eligibility_that_ends_on_the_first_day_of_the_period_counts_that_day():
    assert category_1(PERIOD, D("2014-03-02"), [(D("2021-09-02"), D("2024-09-01"))], ALWAYS).day == PERIOD.first_day


def test_a_child_who_left_the_state_and_came_back_counts_only_while_resident():
    eligible = [(D("2024-06-01"), D("2027-05-31"))]
    away_all_period = [(D("2024-06-01"), D("2024-08-20")), (D("2025-09-15"), D("2099-12-31"))]
    back_in_march = [(D("2024-06-01"), D("2024-08-20")), (D("2025-03-03"), D("2099-12-31"))]

    assert category_1(PERIOD, D("2014-03-02"), eligible, away_all_period) is None
    assert category_1(PERIOD, D("2014-03-02"), eligible, back_in_march).day == D("2025-03-03")


def test_a_child_served_only_under_continuation_counts_in_neither_category():
    no_eligibility: list = []
    summer = [(D("2025-07-07"), D("2025-07-31"))]

    assert category_1(PERIOD, D("2014-03-02"), no_eligibility, ALWAYS) is None
    assert category_2(PERIOD, D("2014-03-02"), no_eligibility, summer) is None


def test_a_summer_service_the_day_after_eligibility_ended_does_not_count_in_category_2():
    eligible = [(D("2022-07-07"), D("2025-07-06"))]

    assert category_2(PERIOD, D("2014-03-02"), eligible, [(D("2025-07-07"), D("2025-07-25"))]) is None
    assert category_2(PERIOD, D("2014-03-02"), eligible, [(D("2025-07-06"), D("2025-07-25"))]).day == D("2025-07-06")


def test_of_several_coes_the_earliest_day_that_counts_is_given_with_its_interval():
    old, new = (D("2021-10-01"), D("2024-09-30")), (D("2025-01-15"), D("2028-01-14"))

    assert category_1(PERIOD, D("2014-03-02"), [new, old], ALWAYS) == Counted(PERIOD.first_day, old)
    assert category_1(PERIOD, D("2014-03-02"), [new, old], [(D("2024-12-01"), D("2099-12-31"))]) == Counted(
        D("2025-01-15"), new)


days = st.dates(min_value=D("2024-01-01"), max_value=D("2026-03-31"))
intervals = st.lists(st.tuples(days, days).map(lambda pair: tuple(sorted(pair))), max_size=3)


@settings(max_examples=300, deadline=None)
@given(birth=st.dates(min_value=D("2001-01-01"), max_value=D("2023-12-31")), eligibility=intervals, also=intervals)
def test_the_first_day_counted_is_the_first_day_the_definition_holds_read_day_by_day(birth, eligibility, also):
    counted = category_1(PERIOD, birth, eligibility, also)

    aged = aged_3_through_21(birth)
    day, first = PERIOD.first_day, None
    while day <= PERIOD.last_day and first is None:
        if aged[0] <= day <= aged[1] and any(s <= day <= e for s, e in eligibility) and any(
                s <= day <= e for s, e in also):
            first = day
        day += dt.timedelta(days=1)
    assert (counted.day if counted else None) == first
    if counted:
        assert counted.eligibility[0] <= counted.day <= counted.eligibility[1]


def test_intersect_keeps_only_common_days():
    assert intersect([(D("2025-01-01"), D("2025-01-31"))], [(D("2025-01-31"), D("2025-02-05")),
                                                           (D("2024-12-01"), D("2024-12-31"))]) == [
        (D("2025-01-31"), D("2025-01-31"))]


def test_the_age_grade_category_is_the_grade_else_goes_by_age():
    from mepsis.rules.counts import age_grade

    born = D("2019-10-15")
    assert age_grade(born, D("2025-01-10"), "KG") == "KG"
    assert age_grade(born, D("2025-01-10"), "05") == "05"
    assert age_grade(born, D("2022-10-14"), None) == "UNDER3"
    assert age_grade(born, D("2022-10-15"), "PK") == "3TO5NOTK"
    assert age_grade(born, D("2025-10-14"), None) == "3TO5NOTK"
    assert age_grade(born, D("2025-10-15"), None) == "OOS"
    assert age_grade(born, D("2025-10-15"), "UG") == "UG"
