"""COE documents as stored and exported: content versus workflow, content hashes, child ids.

A document (interfaces.md, "COE document") is split in two: its *content*, which versions keep, and its
*workflow* fields (status, return reasons, void reason), which the COE row keeps. Export joins them again.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

WORKFLOW_KEYS = ("status", "return_reasons", "void_reason")

# The order of interfaces.md's example, so exports read the same on SQLite and PostgreSQL (jsonb does not
# keep key order); keys it does not name follow in alphabetical order.
_TOP_ORDER = ("coe_id", "status", "return_reasons", "void_reason", "interview_date", "family", "children",
              "qualifying_move", "comments", "signatures")
_CHILD_ORDER = ("child_id", "first_name", "middle_name", "last_name_1", "last_name_2", "suffix", "sex",
                "birth_date", "multiple_birth", "birth_data_verification", "residency_date", "state_student_id",
                "grade", "hs_completion_date", "eligibility_end")


def split(document: dict) -> tuple[dict, dict]:
    content = {key: value for key, value in document.items() if key not in WORKFLOW_KEYS}
    workflow = {key: document.get(key) for key in WORKFLOW_KEYS}
    return content, workflow


def content_hash(content: dict) -> str:
    """A hash of what a COE says, whatever the key order and whatever child ids the system gave it."""
    children = content.get("children")
    if isinstance(children, list):
        content = {**content, "children": [_without_child_id(child) for child in children]}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def given_child_ids(content: dict) -> list[str | None]:
    return [child.get("child_id") or None if isinstance(child, dict) else None for child in content.get("children") or []]


def compose(content: dict, *, status: str, return_reasons: list[str], void_reason: str,
            state_student_ids: dict[int, str]) -> dict:
    """The exported document: the version's content with its workflow, in the order of interfaces.md.

    ``state_student_ids`` gives, by child index, the id a match linked the child to since the version.
    """
    document = {**content, "status": status}
    if return_reasons:
        document["return_reasons"] = return_reasons
    if void_reason:
        document["void_reason"] = void_reason
    children = []
    for index, child in enumerate(content.get("children") or []):
        child = dict(child)
        if state_student_ids.get(index):
            child["state_student_id"] = state_student_ids[index]
        children.append(_ordered(child, _CHILD_ORDER))
    document["children"] = children
    return _ordered(document, _TOP_ORDER)


def new_child_id(state: str) -> str:
    """A child id people can read out on the phone: the state, nine random digits and a check digit."""
    digits = f"{secrets.randbelow(10**9):09d}"
    return f"{state}{digits}{luhn_digit(digits)}"


def luhn_digit(digits: str) -> int:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def _without_child_id(child: Any) -> Any:
    if isinstance(child, dict) and "child_id" in child:
        return {key: value for key, value in child.items() if key != "child_id"}
    return child


def _ordered(mapping: dict, order: tuple[str, ...]) -> dict:
    known = {key: mapping[key] for key in order if key in mapping}
    rest = {key: mapping[key] for key in sorted(mapping) if key not in known}
    return {**known, **rest}
