import pytest
from django.urls import reverse

from mepsis.reports.models import SmepaRecord
from mepsis.reports.smepa import refresh_smepa

pytestmark = pytest.mark.django_db


def test_the_admin_shows_smepa_records_and_offers_no_way_to_change_them(state, admin_client):
    ana = state.certify()
    state.enroll(ana)
    refresh_smepa()
    found = SmepaRecord.objects.get()

    listing = admin_client.get(reverse("admin:reports_smeparecord_changelist"))
    page = admin_client.get(reverse("admin:reports_smeparecord_change", args=[found.pk]))
    posted = admin_client.post(reverse("admin:reports_smeparecord_change", args=[found.pk]), {"withdrawn": "on"})

    assert listing.status_code == 200 and b"1234567890" in listing.content
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert posted.status_code == 403
    found.refresh_from_db()
    assert not found.withdrawn
