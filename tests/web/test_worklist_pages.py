"""The match worklist pages: both records side by side with each comparison's weight; accept or reject."""

import pytest
from django.test import Client
from django.urls import reverse

from mepsis.access.models import Role
from mepsis.access.testing import make_user
from mepsis.matching.models import MatchCandidate

pytestmark = pytest.mark.django_db


def scored(state) -> MatchCandidate:
    """The small state's candidate as the probabilistic stage would have proposed it."""
    candidate = state.candidates["d1"]
    candidate.score, candidate.weights = 7.5, {"first_name": 6.25, "birth_date": 4.5, "sex": -3.25}
    candidate.reason = MatchCandidate.Reason.SCORE_BETWEEN_THRESHOLDS
    candidate.save()
    return candidate


def test_an_item_shows_both_records_side_by_side_and_the_weight_of_each_comparison(reviewer, state):
    candidate = scored(state)
    child = state.children["d1"]

    html = reviewer.get(reverse("worklist_item", args=[candidate.pk])).content.decode()

    assert f"child {child.child_id}" in html and f"enrollment {candidate.enrollment_id}" in html
    assert child.birth_date.isoformat() in html
    assert "6.25" in html and "-3.25" in html and "7.5" in html


def test_the_worklist_lists_open_items_linked_to_each_page(reviewer, state):
    html = reviewer.get(reverse("worklist")).content.decode()

    assert reverse("worklist_item", args=[state.candidates["d1"].pk]) in html


def test_accepting_links_the_enrollment_to_the_child(reviewer, state):
    candidate = state.candidates["d1"]

    response = reviewer.post(reverse("worklist_item", args=[candidate.pk]), {"decision": "accept"})

    candidate.refresh_from_db()
    candidate.enrollment.refresh_from_db()
    assert response.status_code == 302
    assert candidate.status == MatchCandidate.Status.ACCEPTED and candidate.enrollment.child == state.children["d1"]
    assert candidate.decided_by == state.users[Role.REVIEWER].username


def test_a_second_reviewer_deciding_the_same_item_is_told_it_was_decided(state):
    candidate = state.candidates["d1"]
    first, second = Client(), Client()
    first.force_login(state.users[Role.REVIEWER])
    second.force_login(make_user(Role.REVIEWER))

    first.post(reverse("worklist_item", args=[candidate.pk]), {"decision": "reject", "why": "other child"})
    late = second.post(reverse("worklist_item", args=[candidate.pk]), {"decision": "accept"}, follow=True)

    candidate.refresh_from_db()
    assert candidate.status == MatchCandidate.Status.REJECTED
    assert "decided already" in late.content.decode()


def test_a_decision_must_be_chosen(reviewer, state):
    response = reviewer.post(reverse("worklist_item", args=[state.candidates["d1"].pk]), {})

    assert response.status_code == 400 and "This field is required." in response.content.decode()


def test_only_those_who_decide_matches_open_the_worklist(client, state):
    client.force_login(state.users[Role.DISTRICT_STAFF])

    assert client.get(reverse("worklist")).status_code == 403
    assert client.get(reverse("worklist_item", args=[state.candidates["d1"].pk])).status_code == 403
