"""Helpers for the tests of the COE pages: a COE document as the COE form posts it.

A distinctive module name (the test folders have no ``__init__.py``, see tests/rules/coe_factory.py).
"""

from __future__ import annotations

from typing import Any

from mepsis.web.coe_form import flatten


def coe_form_data(document: dict, **changes: Any) -> dict[str, Any]:
    """The POST of the COE form that says ``document``; ``changes`` set form fields by name
    (``qualifying_move__qad="2025-07-01"``, ``children_0_birth_date=...`` for ``children-0-birth_date``)."""
    data = {name: _posted(value) for name, value in flatten(
        {key: value for key, value in document.items() if key not in ("children", "coe_id", "status")}).items()}
    children = document.get("children") or []
    data.update({"children-TOTAL_FORMS": str(len(children)), "children-INITIAL_FORMS": str(len(children))})
    for index, child in enumerate(children):
        data.update({f"children-{index}-{name}": _posted(value) for name, value in child.items()})
    for name, value in changes.items():
        if name.startswith("children_"):
            _, index, field = name.split("_", 2)
            name = f"children-{index}-{field}"
        data[name] = value
    return data


def _posted(value: Any) -> str:
    """What a browser sends for the value: NullBooleanSelect's "true"/"false"/"unknown", text as is."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    return str(value)
