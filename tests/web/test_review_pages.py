"""The reviewer's pages: the queue oldest first, a COE beside its findings, approve / return / reject,
and two reviewers acting on one COE at once."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from mepsis.access.models import Role
from mepsis.access.testing import make_user
from mepsis.registry import actions
from mepsis.registry.models import Coe, CoeStatus

pytestmark = pytest.mark.django_db


def submitted(example_coe, coe_id: str, **changes) -> Coe:
    document = {**example_coe(), "coe_id": coe_id, **changes}
    actions.write_coe(document, author=make_user(Role.RECRUITER), actor="recruiter")
    return actions.submit_coe(coe_id, actor="recruiter")


def test_the_queue_lists_submitted_coes_the_longest_waiting_first(reviewer, example_coe):
    first = submitted(example_coe, "WI-2025-000001")
    second = submitted(example_coe, "WI-2025-000002")
    Coe.objects.filter(pk=second.pk).update(updated_at=first.updated_at - dt.timedelta(hours=1))

    html = reviewer.get(reverse("review_queue")).content.decode()

    assert html.index("WI-2025-000002") < html.index("WI-2025-000001")


def test_the_review_page_shows_the_coe_beside_its_rule_findings(reviewer, example_coe):
    coe = submitted(example_coe, "WI-2025-000003", comments="")
    document = actions.current_document(coe)
    document["qualifying_move"]["work"]["duration"] = "temporary"
    document["qualifying_move"]["temporary_basis"] = "worker_statement"
    Coe.objects.filter(pk=coe.pk).update(status=CoeStatus.RETURNED)
    actions.revise_coe(coe.coe_id, document, actor="recruiter")
    actions.submit_coe(coe.coe_id, actor="recruiter")

    html = reviewer.get(reverse("review_coe", args=[coe.coe_id])).content.decode()

    assert "COMMENTS_RECOMMENDED" in html and "Ana" in html and "eligible from 2025-06-01" in html


def test_a_reviewer_returns_with_reasons_and_then_approves_with_their_signature(reviewer, example_coe, state):
    coe = submitted(example_coe, "WI-2025-000004")

    returned = reviewer.post(reverse("review_coe", args=[coe.coe_id]), {
        "decision": "return", "reasons": "Check the QAD.\nAdd the phone.", "version": coe.version})
    coe.refresh_from_db()
    assert returned.status_code == 302 and coe.status == CoeStatus.RETURNED
    assert coe.return_reasons == ["Check the QAD.", "Add the phone."]

    actions.submit_coe(coe.coe_id, actor="recruiter")
    reviewer.post(reverse("review_coe", args=[coe.coe_id]), {"decision": "approve", "version": coe.version})
    coe.refresh_from_db()
    assert coe.status == CoeStatus.APPROVED
    assert actions.current_document(coe)["signatures"]["reviewer"]["name"] == state.users[Role.REVIEWER].username


def test_a_return_without_reasons_and_a_rejection_without_why_are_refused_beside_the_field(reviewer, example_coe):
    coe = submitted(example_coe, "WI-2025-000005")

    no_reasons = reviewer.post(reverse("review_coe", args=[coe.coe_id]), {"decision": "return", "version": 1})
    no_why = reviewer.post(reverse("review_coe", args=[coe.coe_id]), {"decision": "reject", "version": 1})

    assert no_reasons.status_code == 400 and "Say what the recruiter must correct." in no_reasons.content.decode()
    assert no_why.status_code == 400 and "Say why the COE is rejected." in no_why.content.decode()
    coe.refresh_from_db()
    assert coe.status == CoeStatus.SUBMITTED


def test_of_two_reviewers_acting_at_once_one_wins_and_the_other_is_told(state, example_coe):
    coe = submitted(example_coe, "WI-2025-000006")
    first, second = Client(), Client()
    first.force_login(state.users[Role.REVIEWER])
    second.force_login(make_user(Role.REVIEWER))
    read = {"version": coe.version}

    first.post(reverse("review_coe", args=[coe.coe_id]), {**read, "decision": "approve"})
    late = second.post(reverse("review_coe", args=[coe.coe_id]), {**read, "decision": "reject", "why": "No."},
                       follow=True)

    coe.refresh_from_db()
    assert coe.status == CoeStatus.APPROVED
    assert "Someone else acted on this COE" in late.content.decode()


def test_approving_a_coe_that_breaks_a_rule_is_refused_and_nothing_changes(reviewer, example_coe):
    coe = submitted(example_coe, "WI-2025-000007")
    Coe.objects.filter(pk=coe.pk).update(status=CoeStatus.RETURNED)
    broken = actions.current_document(coe)
    broken["qualifying_move"]["economic_necessity"] = False
    actions.revise_coe(coe.coe_id, broken, actor="recruiter")
    Coe.objects.filter(pk=coe.pk).update(status=CoeStatus.SUBMITTED)

    response = reviewer.post(reverse("review_coe", args=[coe.coe_id]), {"decision": "approve", "version": 2})

    assert response.status_code == 400 and "economic necessity" in response.content.decode()
    coe.refresh_from_db()
    assert coe.status == CoeStatus.SUBMITTED and coe.version == 2


def test_only_reviewers_open_the_review_pages(client, state):
    client.force_login(state.users[Role.RECRUITER])

    assert client.get(reverse("review_queue")).status_code == 403
    assert client.get(reverse("review_coe", args=[state.coes["recruiters"].coe_id])).status_code == 403
