import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from mepsis.access.testing import small_state
from mepsis.registry.models import Coe

pytestmark = pytest.mark.django_db


@pytest.fixture
def state_admin(client, django_user_model):
    small_state()
    client.force_login(django_user_model.objects.create_superuser("admin", password=None))
    return client


def test_every_admin_list_and_record_page_renders_for_a_small_state(state_admin):
    for model in site._registry:
        meta = model._meta
        listing = state_admin.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert listing.status_code == 200, meta.label
        record = model.objects.first()
        if record is None:  # e.g. auth's groups: the small state has none
            continue
        page = state_admin.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk]))
        assert page.status_code == 200, meta.label


def test_the_admin_offers_no_way_to_change_a_coe(state_admin):
    coe = Coe.objects.filter(status="approved").first()

    page = state_admin.get(reverse("admin:registry_coe_change", args=[coe.pk]))
    posted = state_admin.post(reverse("admin:registry_coe_change", args=[coe.pk]), {"status": "void"})

    assert b'View certificate of eligibility' in page.content and b'name="_save"' not in page.content
    assert posted.status_code == 403
    coe.refresh_from_db()
    assert coe.status == "approved"
