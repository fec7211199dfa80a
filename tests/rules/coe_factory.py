"""COE documents for the rules tests, built from the example of interfaces.md ("COE document (JSON)").

The module has a distinctive name (not ``factories``) because the test folders have no ``__init__.py``:
two helper modules of one name in two test folders would shadow each other on ``sys.path``.

Changes are given as the same JSON paths the rules engine reports in a finding's ``field``
(``qualifying_move.qad``, ``children[0].birth_date``), so a test reads like the error it expects.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

# The example document of interfaces.md, verbatim. It is a valid, eligible COE: a seasonal agricultural
# worker's family moved from Weslaco ISD (TX) to Sturgeon Bay (WI) with the child, QAD 2025-06-01, work
# from 2025-06-09, interview 2025-06-20.
EXAMPLE_COE: dict[str, Any] = {
    "coe_id": "WI-2025-000123",
    "status": "approved",
    "interview_date": "2025-06-20",
    "family": {
        "parent1": {"first_name": "Rosa", "last_name_1": "Hernández", "last_name_2": "Ruiz"},
        "parent2": {"first_name": "Luis", "last_name_1": "García", "last_name_2": None},
        "address": {"line1": "123 Orchard Rd", "city": "Sturgeon Bay", "state": "WI", "zip": "54235"},
        "phone": "920-555-0100",
        "home_language": "es",
    },
    "children": [
        {
            "first_name": "Ana", "middle_name": None, "last_name_1": "García", "last_name_2": "Hernández",
            "suffix": None, "sex": "F", "birth_date": "2014-03-02", "multiple_birth": False,
            "birth_data_verification": "BIRTH_CERTIFICATE", "residency_date": "2025-06-01",
            "state_student_id": "1234567890", "grade": "05", "hs_completion_date": None,
        }
    ],
    "qualifying_move": {
        "from": {"city": "Weslaco", "state": "TX", "country": "US", "district": "Weslaco ISD"},
        "to": {"city": "Sturgeon Bay", "state": "WI", "district_id": "5621"},
        "moved": "with_worker",
        "worker": {"first_name": "Luis", "last_name_1": "García", "relationship": "parent"},
        "child_arrival_date": None,
        "worker_arrival_date": None,
        "qad": "2025-06-01",
        "economic_necessity": True,
        "prong": "engaged",
        "work_start_date": "2025-06-09",
        "recent_history_of_moves": None,
        "work": {"activity": "picking cherries", "duration": "seasonal", "sector": "agricultural",
                 "personal_subsistence": False},
        "temporary_basis": None,
    },
    "comments": "",
    "signatures": {
        "interviewee": {"name": "Rosa Hernández", "relationship": "parent", "date": "2025-06-20"},
        "interviewer": {"name": "M. Ortiz", "date": "2025-06-20"},
        "reviewer": {"name": "J. Lee", "date": "2025-06-24"},
    },
}


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


#: Give this as a change's value to remove the key (or the list item) from the document.
DELETE = _Delete()

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def path_steps(path: str) -> list[str | int]:
    """``children[0].birth_date`` -> ``["children", 0, "birth_date"]``."""
    return [int(index) if index else key for key, index in _STEP.findall(path)]


def set_path(document: Any, path: str, value: Any) -> None:
    """Sets (or, with DELETE, removes) the value at ``path``, creating missing objects on the way."""
    *parents, last = path_steps(path)
    node = document
    for step in parents:
        if isinstance(step, str) and (step not in node or not isinstance(node[step], dict | list)):
            node[step] = {}
        node = node[step]
    if value is DELETE:
        if isinstance(node, list):
            del node[last]
        else:
            node.pop(last, None)
    else:
        node[last] = copy.deepcopy(value)


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def valid_coe(changes: dict[str, Any] | None = None, /, **top_level: Any) -> dict[str, Any]:
    """A fresh copy of the example COE with ``changes`` applied ({json path: value or DELETE}).

    Dates may be given as ``datetime.date``; they are written ISO as the document format wants.
    """
    document = copy.deepcopy(EXAMPLE_COE)
    for path, value in {**(changes or {}), **top_level}.items():
        set_path(document, path, iso(value) if isinstance(value, dt.date) else value)
    return document


def dated_coe(
    qad: dt.date,
    *,
    interview: dt.date | None = None,
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The example COE moved in time: QAD ``qad``, the work and the child's residency starting on the QAD,
    the interview on ``interview`` (default: the QAD itself), so that only what a test changes is at issue."""
    base = {
        "qualifying_move.qad": qad,
        "qualifying_move.work_start_date": qad,
        "children[0].residency_date": qad,
        "interview_date": interview or qad,
    }
    return valid_coe({**base, **(changes or {})})


def second_child(**fields: Any) -> dict[str, Any]:
    """Another child for the example family (a brother born 2012), with ``fields`` changed."""
    child = copy.deepcopy(EXAMPLE_COE["children"][0])
    child.update(first_name="Mateo", sex="M", birth_date="2012-09-15", state_student_id="1234567891", grade="07")
    child.update({key: iso(value) if isinstance(value, dt.date) else value for key, value in fields.items()})
    return child


def findings(errors: list) -> set[tuple[str, str]]:
    """The (code, field) pairs of a list of findings."""
    return {(str(error.code), error.field) for error in errors}


def codes(errors: list) -> set[str]:
    return {str(error.code) for error in errors}


def assert_coe_level_error(result, code: str, field: str) -> None:
    """The error is reported on the COE (not on a child), and no child of the COE is eligible."""
    assert (code, field) in findings(result.errors), f"expected {code} at {field}, got {findings(result.errors)}"
    for child in result.children:
        assert code not in codes(child.errors), f"{code} is a COE-level error, not a child's"
        assert not child.eligible
    assert result.eligible is False
    assert result.as_dict()["eligible"] is False


def assert_child_level_error(result, index: int, code: str, field: str) -> None:
    """The error is the child's own: in ``children[index].errors``, not in the COE's errors."""
    child = result.children[index]
    assert (code, field) in findings(child.errors), f"expected {code} at {field}, got {findings(child.errors)}"
    assert code not in codes(result.errors), f"{code} is a child's error, not the COE's"
    assert child.eligible is False
    assert result.as_dict()["children"][index]["eligible"] is False


def assert_eligible_without_errors(result) -> None:
    assert findings(result.errors) == set(), "the COE should have no error"
    for child in result.children:
        assert findings(child.errors) == set(), f"child {child.index} should have no error"
        assert child.eligible is True
    assert result.eligible is True
