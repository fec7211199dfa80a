"""Residence in the state for the Category 1 count: from a COE's residency date until a departure."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from mepsis.rules.residency import Stay, resides_on, residency_intervals


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_a_child_resides_from_the_residency_date_and_not_the_day_before():
    stays = residency_intervals([d("2025-06-01")], [])

    assert stays == [Stay(d("2025-06-01"))]
    assert resides_on(stays, d("2025-06-01")) and not resides_on(stays, d("2025-05-31"))
    assert resides_on(stays, d("2099-12-31")), "until a departure is recorded"


def test_a_departure_is_the_last_day_of_residence():
    stays = residency_intervals([d("2025-06-01")], [d("2026-02-13")])

    assert stays == [Stay(d("2025-06-01"), d("2026-02-13"))]
    assert resides_on(stays, d("2026-02-13")) and not resides_on(stays, d("2026-02-14"))


def test_a_later_coes_residency_date_starts_a_new_stay():
    stays = residency_intervals([d("2024-06-01"), d("2025-07-10")], [d("2024-11-01")])

    assert stays == [Stay(d("2024-06-01"), d("2024-11-01")), Stay(d("2025-07-10"))]
    assert not resides_on(stays, d("2025-07-09")) and resides_on(stays, d("2025-07-10"))


def test_a_departure_before_any_residency_date_changes_nothing():
    assert residency_intervals([d("2025-06-01")], [d("2025-05-31")]) == [Stay(d("2025-06-01"))]


def test_a_departure_on_a_residency_date_ends_the_old_stay_and_the_new_one_starts_that_day():
    assert residency_intervals([d("2025-06-01")], [d("2025-06-01")]) == [Stay(d("2025-06-01"))]
    assert residency_intervals([d("2024-06-01"), d("2025-06-01")], [d("2025-06-01")]) == [Stay(d("2024-06-01"))]


def test_a_second_departure_without_a_return_changes_nothing():
    stays = residency_intervals([d("2025-06-01")], [d("2025-10-01"), d("2026-01-01")])

    assert stays == [Stay(d("2025-06-01"), d("2025-10-01"))]


def test_a_new_coe_while_the_child_resides_does_not_split_the_stay():
    stays = residency_intervals([d("2024-06-01"), d("2025-06-01")], [d("2025-09-01")])

    assert stays == [Stay(d("2024-06-01"), d("2025-09-01"))]


def test_a_return_the_day_after_a_departure_leaves_no_day_out():
    stays = residency_intervals([d("2024-06-01"), d("2024-11-02")], [d("2024-11-01")])

    assert stays == [Stay(d("2024-06-01"))]


def test_unknown_dates_are_left_out_and_no_residency_date_is_no_stay():
    assert residency_intervals([None], [d("2025-01-01"), None]) == []
    assert residency_intervals([], []) == []
    assert not resides_on([], d("2025-01-01"))


DAYS = st.dates(min_value=d("2020-01-01"), max_value=d("2020-03-31"))


@given(st.lists(DAYS, max_size=6), st.lists(DAYS, max_size=6))
def test_the_stays_agree_day_by_day_with_the_rule_as_written(arrivals, departures):
    """On day x the child resides when some residency date a <= x came, and no departure after a and before
    x (a departure on a itself precedes that arrival; one on x is the last day) ended the stay."""
    stays = residency_intervals(arrivals, departures)

    day = d("2019-12-25")
    while day <= d("2020-04-10"):
        latest = max((a for a in arrivals if a <= day), default=None)
        expected = latest is not None and not any(latest < x < day for x in departures)
        assert resides_on(stays, day) == expected, (day, stays)
        day += dt.timedelta(days=1)


@given(st.lists(DAYS, max_size=6), st.lists(DAYS, max_size=6))
def test_stays_are_in_order_apart_and_bounded_by_recorded_dates(arrivals, departures):
    stays = residency_intervals(arrivals, departures)

    for stay in stays:
        assert stay.first_day in arrivals
        assert stay.last_day is None or (stay.last_day in departures and stay.first_day <= stay.last_day)
    for earlier, later in zip(stays, stays[1:]):
        assert earlier.last_day is not None and earlier.last_day + dt.timedelta(days=1) < later.first_day
    assert all(stay.last_day is not None for stay in stays[:-1])


def test_the_residency_rule_imports_without_django():
    import os
    import subprocess
    import sys
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src"
    code = ("import sys; import mepsis.rules.residency; "
            "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')]")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")]))}
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert ran.returncode == 0, ran.stderr
