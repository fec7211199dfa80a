"""The recruiter's referrals: assigned to them or waiting for one; taken, interviewed, closed."""

import pytest
from django.urls import reverse

from mepsis.access.models import Role
from mepsis.access.testing import make_user
from mepsis.alerts.actions import assign_referral
from mepsis.alerts.models import Referral

pytestmark = pytest.mark.django_db


def test_a_recruiter_sees_their_referrals_and_those_waiting_but_not_another_recruiters(recruiter, state):
    other = make_user(Role.RECRUITER)
    assign_referral(state.referrals["d1"].pk, recruiter=state.users[Role.RECRUITER], by=state.users[Role.STATE_ADMIN])
    assign_referral(state.referrals["d2"].pk, recruiter=other, by=state.users[Role.STATE_ADMIN])

    html = recruiter.get(reverse("referrals")).content.decode()

    assert f'id="referral-{state.referrals["d1"].pk}"' in html and f'id="referral-{state.referrals["d3"].pk}"' in html
    assert f'id="referral-{state.referrals["d2"].pk}"' not in html


def test_a_recruiter_takes_a_referral_interviews_the_family_and_closes_it_with_their_coe(recruiter, state):
    referral = state.referrals["d3"]
    coe_id = state.coes["recruiters"].coe_id
    step = reverse("referral_step", args=[referral.pk])

    recruiter.post(step, {"action": "take"})
    recruiter.post(step, {"action": "interviewed", "coe_id": coe_id})
    recruiter.post(step, {"action": "close", "why": "Certified.", "coe_id": coe_id})

    referral.refresh_from_db()
    assert referral.status == Referral.Status.CLOSED and referral.assigned_to == state.users[Role.RECRUITER]
    assert referral.outcome_coe == state.coes["recruiters"] and referral.closing_note == "Certified."


def test_a_referral_is_closed_only_with_why_and_with_a_coe_of_the_recruiters_own(recruiter, state):
    referral = state.referrals["d3"]
    step = reverse("referral_step", args=[referral.pk])
    recruiter.post(step, {"action": "take"})

    no_why = recruiter.post(step, {"action": "close"})
    not_mine = recruiter.post(step, {"action": "close", "why": "Certified.", "coe_id": state.coes["d1"].coe_id})

    assert no_why.status_code == 400 and "Say why the referral is closed." in no_why.content.decode()
    assert not_mine.status_code == 400 and f"You have no COE {state.coes['d1'].coe_id}." in not_mine.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ASSIGNED


def test_another_recruiters_referral_answers_404(recruiter, state):
    assign_referral(state.referrals["d2"].pk, recruiter=make_user(Role.RECRUITER), by=state.users[Role.STATE_ADMIN])

    assert recruiter.post(reverse("referral_step", args=[state.referrals["d2"].pk]),
                          {"action": "take"}).status_code == 404


def test_the_home_page_counts_the_referrals_assigned_to_the_recruiter(recruiter, state):
    assign_referral(state.referrals["d1"].pk, recruiter=state.users[Role.RECRUITER], by=state.users[Role.STATE_ADMIN])

    html = recruiter.get(reverse("home")).content.decode()

    assert '<span class="count">1</span> Referrals assigned to me' in html
