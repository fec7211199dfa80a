"""Priority for services on a date (mepsis.rules.pfs; domain.md "Priority for services")."""

import copy
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mepsis.rules import pfs
from mepsis.rules.eligibility import add_months

D = dt.date.fromisoformat
RULES = pfs.DEFAULT_CRITERIA


def determine(day, qads=("2025-03-01",), indicators=None, grade="05", birth_date="2014-03-02", rule_set=RULES):
    return pfs.determine(D(day), qads=[D(q) for q in qads], birth_date=D(birth_date), grade=grade,
                         rule_set=rule_set,
                         indicators={name: (D(date), value) for name, (date, value) in (indicators or {}).items()})


BELOW = {"state_assessment_level": ("2025-04-15", "2")}


def test_a_recent_mover_below_proficient_has_pfs():
    result = determine("2025-09-01", indicators=BELOW)
    assert result.pfs and result.qad == D("2025-03-01") and result.met == ("state assessment below proficient",)


def test_a_proficient_recent_mover_has_no_pfs():
    assert not determine("2025-09-01", indicators={"state_assessment_level": ("2025-04-15", "3")}).pfs


def test_an_at_risk_child_whose_move_is_over_a_year_old_has_no_pfs():
    assert determine("2026-03-01", indicators=BELOW).pfs  # exactly one year: still in [d - 1 year, d]
    assert not determine("2026-03-02", indicators=BELOW).pfs


def test_the_year_before_a_leap_day_starts_on_february_28():
    dropped_out = {"dropped_out": ("2020-01-01", "Y")}
    assert determine("2024-02-29", qads=["2023-02-28"], indicators=dropped_out).pfs
    assert not determine("2024-02-29", qads=["2023-02-27"], indicators=dropped_out).pfs
    assert determine("2025-02-28", qads=["2024-02-29"], indicators=dropped_out).pfs
    assert not determine("2025-02-28", qads=["2024-02-27"], indicators=dropped_out).pfs


def test_a_qad_after_the_determination_date_does_not_count():
    assert not determine("2025-02-28", qads=["2025-03-01"], indicators=BELOW).pfs


def test_an_indicator_dated_after_the_determination_date_is_not_used():
    assert not determine("2025-04-14", indicators=BELOW).pfs


def test_an_old_assessment_is_not_used_past_its_max_age():
    old = {"state_assessment_level": ("2023-09-01", "1")}
    assert determine("2025-08-31", indicators=old).pfs  # 730 days
    assert not determine("2025-09-01", indicators=old).pfs


def test_a_recent_mover_who_dropped_out_has_pfs():
    assert determine("2025-09-01", indicators={"dropped_out": ("2025-05-01", "y")}).met == ("dropped out of school",)


def test_credit_deficiency_counts_only_for_a_secondary_student():
    behind = {"credits_behind": ("2025-06-01", "2.5")}
    assert determine("2025-09-01", indicators=behind, grade="10", birth_date="2010-03-02").pfs
    assert not determine("2025-09-01", indicators=behind, grade="07", birth_date="2012-03-02").pfs


@pytest.mark.parametrize("grade, birth_date, over", [
    ("KG", "2020-09-01", 0),   # 5 on September 1 2025
    ("KG", "2020-09-02", -1),  # turns 5 the day after
    ("01", "2018-09-01", 1),
    ("05", "2013-08-31", 2),
    ("12", "2005-09-01", 3),
    ("UG", "2010-01-01", None),
    (None, "2010-01-01", None),
])
def test_years_over_age_for_grade_on_september_1(grade, birth_date, over):
    assert pfs.years_over_age(D("2026-01-15"), D(birth_date), grade) == over


def test_two_years_over_age_is_at_risk_by_default():
    assert determine("2025-09-01", grade="05", birth_date="2013-08-31").met == ("over-age for grade",)
    assert not determine("2025-09-01", grade="05", birth_date="2014-08-31").pfs


def test_a_value_that_is_not_a_number_meets_no_number_criterion():
    assert not determine("2025-09-01", indicators={"state_assessment_level": ("2025-04-15", "N/A")}).pfs


def test_an_in_criterion_and_a_ne_criterion():
    rule_set = {"criteria": [
        {"indicator": "ell_status", "comparison": "in", "threshold": ["LEP", "Newcomer"]},
        {"indicator": "attendance", "comparison": "ne", "threshold": "regular"},
        {"indicator": "dropped_out", "comparison": "eq", "threshold": "Y"},
    ]}
    assert determine("2025-09-01", indicators={"ell_status": ("2025-01-01", "newcomer")}, rule_set=rule_set).pfs
    assert determine("2025-09-01", indicators={"attendance": ("2025-01-01", "poor")}, rule_set=rule_set).pfs
    assert not determine("2025-09-01", indicators={"attendance": ("2025-01-01", "Regular")}, rule_set=rule_set).pfs


def test_the_default_criteria_are_a_valid_rule_set():
    assert pfs.criteria_errors(RULES) == []


@pytest.mark.parametrize("change, message", [
    (lambda r: r["criteria"][0].update(comparison="below"), "comparison must be one of"),
    (lambda r: r["criteria"][0].update(threshold="three"), "needs a number threshold"),
    (lambda r: r["criteria"][0].update(max_age_days=-1), "max_age_days"),
    (lambda r: r["criteria"][0].update(secondary_only="yes"), "secondary_only"),
    (lambda r: r["criteria"][0].update(weight=2), "unknown member(s) weight"),
    (lambda r: r["criteria"][0].pop("indicator"), "indicator name"),
    (lambda r: r["criteria"].pop(), '"dropped_out" criterion'),
    (lambda r: r.update(criteria=[]), "non-empty list"),
])
def test_a_rule_set_with_a_mistake_is_refused_with_the_reason(change, message):
    rule_set = copy.deepcopy(RULES)
    change(rule_set)
    assert any(message in error.render() for error in pfs.criteria_errors(rule_set))


days = st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2030, 12, 31))


@given(days, st.lists(days, max_size=4), st.booleans())
def test_pfs_is_a_recent_qad_and_a_criterion_met(day, qads, dropped_out):
    indicators = {"dropped_out": (dt.date(2015, 1, 1), "Y" if dropped_out else "N")}
    result = pfs.determine(day, qads=qads, indicators=indicators, birth_date=dt.date(2012, 1, 1), grade=None,
                           rule_set={"criteria": [{"indicator": "dropped_out", "comparison": "eq", "threshold": "Y"}]})
    recent = [qad for qad in qads if add_months(day, -12) <= qad <= day]
    assert result.pfs == (bool(recent) and dropped_out)
    assert result.qad == (max(recent) if recent else None)
