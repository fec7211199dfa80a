"""Certified children for the tests that need them (delivery, reports): interfaces.md's example COE moved to
another QAD and saved by the registry's real import (``save_coes``).

A distinctive module name (the test folders have no ``__init__.py``, see tests/rules/coe_factory.py).
"""

import datetime as dt

from mepsis.registry.actions import save_coes
from mepsis.registry.models import Child


def after(text: str, days: int) -> str:
    return (dt.date.fromisoformat(text) + dt.timedelta(days=days)).isoformat()


def certify(example_coe, coe_id: str, first_name="Ana", state_student_id="1234567890", *, qad="2025-06-01",
            residency_date=None, birth_date="2014-03-02", status="approved", **child_fields) -> Child:
    """A child on a COE of its own, work starting 8 days after the QAD and the interview 19 days after it;
    eligible from the QAD for 36 months. The same state student id names the same child."""
    document = example_coe()
    document["coe_id"] = coe_id
    document["status"] = status
    move = document["qualifying_move"]
    move["qad"], move["work_start_date"] = qad, after(qad, 8)
    document["interview_date"] = after(qad, 19)
    for signature, days in (("interviewee", 19), ("interviewer", 19), ("reviewer", 23)):
        document["signatures"][signature]["date"] = after(qad, days)
    document["children"][0].update(first_name=first_name, birth_date=birth_date,
                                   residency_date=residency_date or qad, state_student_id=state_student_id,
                                   **child_fields)
    save_coe(document)
    return Child.objects.get(coe_entries__coe__coe_id=coe_id)


def save_coe(document: dict) -> None:
    """Saves the COE document by the registry's import, which must take it."""
    report = save_coes([(document["coe_id"], document)], actor="tester", why="test data")
    assert report.refused == [], report.refused[0].errors
