"""What the rules engine says about a document: enumerated codes with a field and a sentence.

Messages are %-format templates marked with ``N_`` so that ``makemessages`` extracts them; the rules
engine stays free of Django, and the caller translates a finding with ``render(gettext)`` at the edge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


def N_(message: str) -> str:
    """Marks a string for translation without translating it (it is translated when rendered)."""
    return message


class Code(StrEnum):
    # Errors (interfaces.md, "mepsis coe check result")
    MISSING_FIELD = "MISSING_FIELD"
    INVALID_VALUE = "INVALID_VALUE"
    NO_ECONOMIC_NECESSITY = "NO_ECONOMIC_NECESSITY"
    NOT_QUALIFYING_WORK = "NOT_QUALIFYING_WORK"
    QAD_AFTER_INTERVIEW = "QAD_AFTER_INTERVIEW"
    MOVE_TOO_OLD = "MOVE_TOO_OLD"
    NOT_A_QUALIFYING_MOVE = "NOT_A_QUALIFYING_MOVE"
    WORK_NOT_SOON_AFTER = "WORK_NOT_SOON_AFTER"
    NO_RECENT_HISTORY = "NO_RECENT_HISTORY"
    TEMPORARY_BASIS_MISSING = "TEMPORARY_BASIS_MISSING"
    WORKER_RELATIONSHIP = "WORKER_RELATIONSHIP"
    JOIN_DATES_INCONSISTENT = "JOIN_DATES_INCONSISTENT"
    QAD_AFTER_RESIDENCY = "QAD_AFTER_RESIDENCY"
    BORN_AFTER_MOVE = "BORN_AFTER_MOVE"
    AGE_22_OR_OVER = "AGE_22_OR_OVER"
    HS_COMPLETED = "HS_COMPLETED"
    ELIGIBILITY_ENDED = "ELIGIBILITY_ENDED"
    # An input that is not a JSON document at all (coe check / coe import of a JSON-lines file)
    INVALID_JSON = "INVALID_JSON"
    # Warnings: they never make a COE ineligible
    UNKNOWN_DISTRICT = "UNKNOWN_DISTRICT"
    COMMENTS_RECOMMENDED = "COMMENTS_RECOMMENDED"


@dataclass(frozen=True, slots=True)
class Finding:
    code: Code
    field: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, gettext: Callable[[str], str] = N_) -> str:
        params = {key: gettext(value) if isinstance(value, Label) else value for key, value in self.params.items()}
        return gettext(self.template) % params

    def as_dict(self, gettext: Callable[[str], str] = N_) -> dict[str, str]:
        return {"code": str(self.code), "field": self.field, "message": self.render(gettext)}


class Label(str):
    """A translatable noun phrase used inside a message (the field's name as a clerk says it)."""
