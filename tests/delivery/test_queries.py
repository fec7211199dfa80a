"""The reads other parts use (mepsis.delivery.queries)."""

import datetime as dt

import pytest
from service_rows import service

from mepsis.delivery.actions import record_services
from mepsis.delivery.queries import services_of

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def test_a_childs_services_come_newest_first_with_their_project(world):
    ana = world.certify()
    world.certify("Eva", "5550002222")
    record_services([service(begin_date="2025-09-15"), service(service="SUPPSERV", hours="", begin_date="2026-01-05",
                                                               end_date="2026-01-05", project_id="S", session_type="summer"),
                     service(state_student_id="5550002222")], actor="t")

    found = [(s.service, s.begin_date, s.project.session_type) for s in services_of(ana)]

    assert found == [("SUPPSERV", D("2026-01-05"), "summer"), ("READINSTR", D("2025-09-15"), "regular")]
