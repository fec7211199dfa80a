"""The home page: each role sees what waits for it, and the navigation of its pages only."""

import pytest
from django.urls import reverse

from mepsis.access.models import Role
from mepsis.registry.models import Coe, CoeStatus

pytestmark = pytest.mark.django_db


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_reviewer_sees_how_many_coes_wait_for_review_and_the_review_queue_in_the_nav(client, state):
    Coe.objects.filter(pk__in=[state.coes["d1"].pk, state.coes["d2"].pk]).update(status=CoeStatus.SUBMITTED)
    client.force_login(state.users[Role.REVIEWER])

    html = client.get(reverse("home")).content.decode()

    assert f'<a href="{reverse("review_queue")}">' in html
    assert '<span class="count">2</span> COEs waiting for review' in html
    assert "My COEs" not in html


def test_a_recruiter_sees_their_returned_coes_and_not_the_review_queue(client, state):
    Coe.objects.filter(pk=state.coes["recruiters"].pk).update(status=CoeStatus.RETURNED)
    Coe.objects.filter(pk=state.coes["d1"].pk).update(status=CoeStatus.RETURNED)  # not theirs
    client.force_login(state.users[Role.RECRUITER])

    html = client.get(reverse("home")).content.decode()

    assert '<span class="count">1</span> Returned COEs to answer' in html
    assert "Review queue" not in html and "My COEs" in html


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_a_home_page(client, state, role):
    client.force_login(state.users[role])

    assert client.get(reverse("home")).status_code == 200


def test_the_language_switch_shows_the_pages_in_spanish(client, state):
    client.force_login(state.users[Role.RECRUITER])

    client.post(reverse("set_language"), {"language": "es", "next": reverse("home")})
    html = client.get(reverse("home")).content.decode()

    assert '<html lang="es">' in html


def test_district_staff_see_their_open_enrollment_alerts_linked_to_the_alerts_page(client, state):
    client.force_login(state.users[Role.DISTRICT_STAFF])

    html = client.get(reverse("home")).content.decode()

    assert f'<a href="{reverse("district_alerts")}">' in html
    assert '<span class="count">1</span> Migrant Student Enrollment Alerts to acknowledge' in html
