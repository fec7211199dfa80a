import datetime as dt

import pytest

from mepsis.registry.actions import void_coe
from mepsis.reports.queries import state_residencies, state_residency
from mepsis.rules.residency import Stay, resides_on

pytestmark = pytest.mark.django_db


def d(text):
    return dt.date.fromisoformat(text)


def test_a_move_out_of_state_ends_the_stay_that_a_coes_residency_date_began(state):
    ana = state.certify(qad="2025-06-01", residency_date="2025-06-03")
    state.enroll(ana, entry="2025-09-02", exit="2026-02-13", exit_reason="MOVED_OUT_OF_STATE")

    stays = state_residency(ana)

    assert stays == [Stay(d("2025-06-03"), d("2026-02-13"))]
    assert resides_on(stays, d("2026-02-13")) and not resides_on(stays, d("2026-02-14"))


def test_other_exits_do_not_end_residence(state):
    ana = state.certify()
    state.enroll(ana, exit="2025-12-19", exit_reason="TRANSFER_IN_STATE")
    state.enroll(ana, entry="2026-01-05", exit="2026-06-05", exit_reason="OTHER")

    assert state_residency(ana) == [Stay(d("2025-06-01"))]


def test_a_later_coe_after_a_departure_starts_a_new_stay(state):
    ana = state.certify(qad="2024-06-01")
    state.enroll(ana, school_year="2024-25", entry="2024-09-03", exit="2024-11-01", exit_reason="MOVED_OUT_OF_STATE")
    state.certify(qad="2025-06-10")

    assert state_residency(ana) == [Stay(d("2024-06-01"), d("2024-11-01")), Stay(d("2025-06-10"))]


def test_only_approved_coes_give_residency_dates(state):
    ana = state.certify(qad="2024-06-01")
    void_coe(ana.coe_entries.get().coe.coe_id, actor="tester", reason="FOUND_INELIGIBLE", why="re-interview")
    state.certify(qad="2025-06-10", status="submitted")

    assert state_residency(ana) == []


def test_the_stays_of_many_children_come_in_two_queries(state, django_assert_num_queries):
    ana = state.certify()
    state.enroll(ana, exit="2026-02-13", exit_reason="MOVED_OUT_OF_STATE")
    pedro = state.certify("Pedro", "2222222222", birth_date="2013-05-05", qad="2025-07-01")

    with django_assert_num_queries(2):
        stays = state_residencies([ana.pk, pedro.pk])

    assert stays == {ana.pk: [Stay(d("2025-06-01"), d("2026-02-13"))], pedro.pk: [Stay(d("2025-07-01"))]}
    with django_assert_num_queries(2):
        assert state_residencies() == stays
