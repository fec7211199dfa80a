"""`mepsis serve`: gunicorn serving the pages, with the static files (WhiteNoise) and no collectstatic step."""

import urllib.request

import pytest

pytestmark = [pytest.mark.database, pytest.mark.slow]


def test_mepsis_serve_answers_the_sign_in_page_and_its_static_files(mepsis_server):
    page = urllib.request.urlopen(f"{mepsis_server}/login/")
    html = page.read().decode()
    css = urllib.request.urlopen(f"{mepsis_server}/static/web/mepsis.css")
    htmx = urllib.request.urlopen(f"{mepsis_server}/static/django_htmx/htmx-2.min.js")

    assert page.status == 200 and 'name="csrfmiddlewaretoken"' in html
    assert css.status == 200 and css.headers["Content-Type"].startswith("text/css")
    assert htmx.status == 200 and b"htmx" in htmx.read()


def test_mepsis_serve_sends_a_signed_out_visitor_to_sign_in(mepsis_server):
    page = urllib.request.urlopen(f"{mepsis_server}/coes/")

    assert page.url == f"{mepsis_server}/login/?next=/coes/"
