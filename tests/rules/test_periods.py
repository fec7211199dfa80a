import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mepsis.rules.periods import parse_year_name, performance_period, school_year, year_name


def test_a_school_year_runs_from_july_first_to_june_thirtieth():
    year = school_year("2025-26")

    assert (year.first_day, year.last_day) == (dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    assert dt.date(2026, 6, 30) in year and dt.date(2026, 7, 1) not in year


def test_a_performance_period_runs_from_september_first_to_august_thirty_first():
    period = performance_period("2024-25")

    assert (period.first_day, period.last_day) == (dt.date(2024, 9, 1), dt.date(2025, 8, 31))


def test_the_turn_of_the_century_is_a_year_like_any_other():
    assert parse_year_name("2099-00") == 2099
    assert school_year("1999-00").last_day == dt.date(2000, 6, 30)


@pytest.mark.parametrize("name", ["2025-27", "2025/26", "25-26", "2025-2026", "", "2025-26 "])
def test_a_name_that_is_not_two_consecutive_years_is_refused(name):
    assert parse_year_name(name) is None
    with pytest.raises(ValueError):
        school_year(name)


@given(st.integers(min_value=1900, max_value=9000))
def test_names_and_first_years_round_trip(first):
    assert parse_year_name(year_name(first)) == first
    assert (school_year(year_name(first)).last_day - school_year(year_name(first)).first_day).days in (364, 365)
