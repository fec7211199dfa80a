"""Validation of a COE document and the eligibility of each child on it.

The document is the JSON of interfaces.md ("COE document"); the result is the `mepsis coe check` result.
A COE-level error makes every child ineligible; a child's own error refuses that child only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from .eligibility import (
    END_REASON_LABELS,
    RECORDED_END_REASONS,
    EligibilityInterval,
    EndReason,
    age_22_end,
    eligibility_interval,
    thirty_six_months_end,
)
from .findings import N_, Code, Finding, Label

STATUSES = ("draft", "submitted", "returned", "approved", "rejected", "void")
SEXES = ("F", "M", "X")
MOVED = ("as_worker", "with_worker", "to_join_worker", "to_precede_worker")
JOIN_MOVES = ("to_join_worker", "to_precede_worker")
RELATIONSHIPS = ("parent", "guardian", "spouse", "self")
PRONGS = ("engaged", "actively_sought")
DURATIONS = ("temporary", "seasonal")
SECTORS = ("agricultural", "fishing")
TEMPORARY_BASES = ("worker_statement", "employer_statement", "sea_determination")

DEFAULT_SOON_AFTER_DAYS = 60


@dataclass(slots=True)
class ChildResult:
    index: int
    errors: list[Finding]
    interval: EligibilityInterval | None
    coe_has_errors: bool

    @property
    def eligible(self) -> bool:
        return not self.errors and not self.coe_has_errors and self.interval is not None

    def as_dict(self, gettext: Callable[[str], str] = N_) -> dict[str, Any]:
        interval = self.interval
        return {
            "index": self.index,
            "eligible": self.eligible,
            "eligibility_start": _iso(interval.start) if interval else None,
            "last_eligible_day": _iso(interval.last_day) if interval else None,
            "end_reason": str(interval.end_reason) if interval else None,
            "errors": [error.as_dict(gettext) for error in self.errors],
        }


@dataclass(slots=True)
class CoeResult:
    coe_id: str | None
    errors: list[Finding]
    warnings: list[Finding]
    children: list[ChildResult]

    @property
    def eligible(self) -> bool:
        return not self.errors and any(child.eligible for child in self.children)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(child.errors for child in self.children)

    def all_errors(self) -> list[Finding]:
        return self.errors + [error for child in self.children for error in child.errors]

    def as_dict(self, gettext: Callable[[str], str] = N_) -> dict[str, Any]:
        return {
            "coe_id": self.coe_id,
            "eligible": self.eligible,
            "errors": [error.as_dict(gettext) for error in self.errors],
            "warnings": [warning.as_dict(gettext) for warning in self.warnings],
            "children": [child.as_dict(gettext) for child in self.children],
        }


def check_coe(
    document: Any,
    *,
    soon_after_days: int = DEFAULT_SOON_AFTER_DAYS,
    known_districts: Collection[str] | None = None,
) -> CoeResult:
    """Judge one COE document's content, whatever its status.

    ``known_districts`` is the set of district ids the state has; None skips the UNKNOWN_DISTRICT
    warning (when no database is at hand).
    """
    errors: list[Finding] = []
    warnings: list[Finding] = []
    if not isinstance(document, dict):
        errors.append(
            Finding(Code.INVALID_VALUE, "", N_("A COE must be a JSON object; this is %(value)s."),
                    {"value": _show(document)})
        )
        return CoeResult(None, errors, warnings, [])
    fields = _Fields(errors)
    coe_id = fields.text(document, "coe_id", Label(N_("The COE id")))
    status = fields.choice(document, "status", Label(N_("The status")), STATUSES)
    interview = fields.date(document, "interview_date", Label(N_("The interview date")), required=True)

    move = fields.object(document, "qualifying_move", Label(N_("The qualifying move")), required=True) or ABSENT
    origin = fields.object(move, "from", Label(N_("Where the family moved from")), required=True, parent="qualifying_move") or ABSENT
    destination = fields.object(move, "to", Label(N_("Where the family moved to")), required=True, parent="qualifying_move") or ABSENT
    from_state = fields.text(origin, "state", Label(N_("The state moved from")), required=True, parent="qualifying_move.from")
    to_state = fields.text(destination, "state", Label(N_("The state moved to")), required=True, parent="qualifying_move.to")
    moved = fields.choice(move, "moved", Label(N_("How the child moved (item 2)")), MOVED, required=True, parent="qualifying_move")
    worker = fields.object(move, "worker", Label(N_("The worker")), required=True, parent="qualifying_move")
    relationship = None
    if worker is not None:
        # Not required: interfaces.md requires `worker` but not its relationship ("Fields not listed as
        # required may be absent or null"). When given, WORKER_RELATIONSHIP checks it against `moved`.
        relationship = fields.choice(
            worker, "relationship", Label(N_("The worker's relationship to the child")), RELATIONSHIPS,
            parent="qualifying_move.worker",
        )
    qad = fields.date(move, "qad", Label(N_("The qualifying arrival date (QAD)")), required=True, parent="qualifying_move")
    economic_necessity = fields.boolean(
        move, "economic_necessity", Label(N_("Whether the move was due to economic necessity")), required=True,
        parent="qualifying_move",
    )
    prong = fields.choice(move, "prong", Label(N_("The qualifying work prong (item 4)")), PRONGS, required=True, parent="qualifying_move")
    joining = moved in JOIN_MOVES
    child_arrival = fields.date(
        move, "child_arrival_date", Label(N_("The child's arrival date")), required=joining, parent="qualifying_move"
    )
    worker_arrival = fields.date(
        move, "worker_arrival_date", Label(N_("The worker's arrival date")), required=joining, parent="qualifying_move"
    )
    work_start = fields.date(
        move, "work_start_date", Label(N_("The date the qualifying work started")), required=prong == "engaged",
        parent="qualifying_move",
    )
    recent_history = fields.boolean(
        move, "recent_history_of_moves", Label(N_("The recent history of moves for qualifying work")),
        required=prong == "actively_sought", parent="qualifying_move",
    )
    fields.choice(  # checked for its value set; whether it is missing is TEMPORARY_BASIS_MISSING below
        move, "temporary_basis", Label(N_("The basis for temporary work (item 6)")), TEMPORARY_BASES,
        parent="qualifying_move",
    )
    work = fields.object(move, "work", Label(N_("The qualifying work (item 5)")), required=True, parent="qualifying_move")
    duration = _check_work(work, fields, errors)

    signatures = fields.object(document, "signatures", Label(N_("The signatures"))) or {}
    for signer, label in (
        ("interviewee", Label(N_("The interviewee's signature"))),
        ("interviewer", Label(N_("The interviewer's signature"))),
        ("reviewer", Label(N_("The SEA reviewer's signature"))),
    ):
        signature = fields.object(signatures, signer, label, required=signer == "reviewer" and status == "approved",
                                  parent="signatures")
        if signature is not None:
            fields.date(signature, "date", Label(N_("The signature date")), parent=f"signatures.{signer}")

    if economic_necessity is False:
        errors.append(Finding(
            Code.NO_ECONOMIC_NECESSITY, "qualifying_move.economic_necessity",
            N_("The move was not made due to economic necessity, so it is not a qualifying move."),
        ))
    if qad and interview:
        if qad > interview:
            errors.append(Finding(
                Code.QAD_AFTER_INTERVIEW, "qualifying_move.qad",
                N_("The qualifying arrival date %(qad)s is after the interview date %(interview)s."),
                {"qad": _iso(qad), "interview": _iso(interview)},
            ))
        elif thirty_six_months_end(qad) < interview:
            errors.append(Finding(
                Code.MOVE_TOO_OLD, "qualifying_move.qad",
                N_("The qualifying move is too old: eligibility from the QAD %(qad)s ended on %(last)s, before "
                   "the interview on %(interview)s."),
                {"qad": _iso(qad), "last": _iso(thirty_six_months_end(qad)), "interview": _iso(interview)},
            ))
    same_district = _same_district(origin, destination, from_state, to_state)
    if same_district:
        errors.append(Finding(
            Code.NOT_A_QUALIFYING_MOVE, "qualifying_move.to",
            N_("The family moved within one school district (%(district)s); a qualifying move is from one "
               "school district to another."),
            {"district": same_district},
        ))
    if prong == "engaged" and qad and work_start:
        # "Soon after the move" follows the worker's own move: for a child who moved to join (or precede)
        # the worker, that is the worker's arrival, not the QAD (the later of the two arrivals).
        after_worker = joining and worker_arrival is not None
        moved_on = worker_arrival if after_worker else qad
        latest = _add_days(moved_on, soon_after_days)
        if not moved_on <= work_start <= latest:
            errors.append(Finding(
                Code.WORK_NOT_SOON_AFTER, "qualifying_move.work_start_date",
                N_("The qualifying work started on %(start)s; it must start on or after the worker's arrival "
                   "%(moved)s and within %(days)s days of it (by %(latest)s).") if after_worker else
                N_("The qualifying work started on %(start)s; it must start on or after the QAD %(moved)s and "
                   "within %(days)s days of it (by %(latest)s)."),
                {"start": _iso(work_start), "moved": _iso(moved_on), "days": soon_after_days, "latest": _iso(latest)},
            ))
    if prong == "actively_sought" and recent_history is False:
        errors.append(Finding(
            Code.NO_RECENT_HISTORY, "qualifying_move.recent_history_of_moves",
            N_("The worker actively sought qualifying work, which counts only with a recent history of moves "
               "for qualifying work; none is recorded."),
        ))
    if duration == "temporary" and _is_empty(move.get("temporary_basis")):
        errors.append(Finding(
            Code.TEMPORARY_BASIS_MISSING, "qualifying_move.temporary_basis",
            N_("The work is temporary, so the basis for that must be recorded: the worker's statement, the "
               "employer's statement or an SEA determination."),
        ))
    if moved and relationship and (moved == "as_worker") != (relationship == "self"):
        errors.append(Finding(
            Code.WORKER_RELATIONSHIP, "qualifying_move.worker.relationship",
            N_("The child moved as the worker, so the worker's relationship must be \"self\"; it is %(value)s.")
            if moved == "as_worker" else
            N_("The child moved with, to join or to precede a worker, so the worker cannot be the child "
               "(relationship \"self\")."),
            {"value": _show(relationship)},
        ))
    if joining and child_arrival and worker_arrival:
        _check_join_dates(moved, qad, child_arrival, worker_arrival, errors)
    to_district = destination.get("district_id")
    if known_districts is not None and not _is_empty(to_district) and str(to_district) not in known_districts:
        warnings.append(Finding(
            Code.UNKNOWN_DISTRICT, "qualifying_move.to.district_id",
            N_("The district %(value)s is not one of the state's districts."), {"value": _show(to_district)},
        ))
    if _is_empty(document.get("comments")):
        if duration == "temporary":
            warnings.append(Finding(
                Code.COMMENTS_RECOMMENDED, "comments",
                N_("The work is temporary: the comments should say how that was established."),
            ))
        elif prong == "actively_sought":
            warnings.append(Finding(
                Code.COMMENTS_RECOMMENDED, "comments",
                N_("The worker actively sought work: the comments should document that and the recent history "
                   "of moves."),
            ))

    children = document.get("children")
    child_results: list[ChildResult] = []
    if _is_empty(children):
        fields.missing("children", Label(N_("The list of children")))
    elif not isinstance(children, list):
        fields.invalid("children", N_("%(label)s must be a list; it is %(value)s."),
                       Label(N_("The list of children")), children)
    else:
        anchor = child_arrival if moved == "to_precede_worker" else qad
        for index, child in enumerate(children):
            child_results.append(_check_child(index, child, qad, anchor, moved, interview))
    for child in child_results:
        child.coe_has_errors = bool(errors)
    return CoeResult(coe_id, errors, warnings, child_results)


def _check_work(work: dict | None, fields: _Fields, errors: list[Finding]) -> str | None:
    """Item 5: agricultural or fishing, and temporary or seasonal unless personal subsistence."""
    if work is None:
        return None
    sector = work.get("sector")
    if sector not in SECTORS:
        errors.append(Finding(
            Code.NOT_QUALIFYING_WORK, "qualifying_move.work.sector",
            N_("The qualifying work must be agricultural or fishing work; it is %(value)s."), {"value": _show(sector)},
        ))
    subsistence = fields.boolean(work, "personal_subsistence", Label(N_("Whether the work is personal subsistence")),
                                 parent="qualifying_move.work")
    duration = work.get("duration")
    if duration not in DURATIONS and not subsistence:
        errors.append(Finding(
            Code.NOT_QUALIFYING_WORK, "qualifying_move.work.duration",
            N_("The qualifying work must be temporary or seasonal (or personal subsistence); it is %(value)s."),
            {"value": _show(duration)},
        ))
    return duration if duration in DURATIONS else None


def _check_join_dates(moved: str, qad: dt.date | None, child_arrival: dt.date, worker_arrival: dt.date,
                      errors: list[Finding]) -> None:
    if moved == "to_join_worker" and child_arrival < worker_arrival:
        errors.append(Finding(
            Code.JOIN_DATES_INCONSISTENT, "qualifying_move.child_arrival_date",
            N_("The child moved to join the worker but arrived (%(child)s) before the worker (%(worker)s)."),
            {"child": _iso(child_arrival), "worker": _iso(worker_arrival)},
        ))
    if moved == "to_precede_worker" and child_arrival > worker_arrival:
        errors.append(Finding(
            Code.JOIN_DATES_INCONSISTENT, "qualifying_move.child_arrival_date",
            N_("The child moved to precede the worker but arrived (%(child)s) after the worker (%(worker)s)."),
            {"child": _iso(child_arrival), "worker": _iso(worker_arrival)},
        ))
    later = max(child_arrival, worker_arrival)
    if qad and qad != later:
        errors.append(Finding(
            Code.JOIN_DATES_INCONSISTENT, "qualifying_move.qad",
            N_("The QAD must be the later of the child's arrival (%(child)s) and the worker's arrival "
               "(%(worker)s), which is %(later)s; it is %(qad)s."),
            {"child": _iso(child_arrival), "worker": _iso(worker_arrival), "later": _iso(later), "qad": _iso(qad)},
        ))


def _check_child(index: int, child: Any, qad: dt.date | None, residency_anchor: dt.date | None, moved: str | None,
                 interview: dt.date | None) -> ChildResult:
    errors: list[Finding] = []
    path = f"children[{index}]"
    fields = _Fields(errors)
    if not isinstance(child, dict):
        fields.invalid(path, N_("%(label)s must be a JSON object; it is %(value)s."), Label(N_("A child")), child)
        return ChildResult(index, errors, None, False)
    fields.text(child, "first_name", Label(N_("The child's first name")), required=True, parent=path)
    fields.text(child, "last_name_1", Label(N_("The child's first last name")), required=True, parent=path)
    fields.choice(child, "sex", Label(N_("The child's sex")), SEXES, required=True, parent=path)
    fields.boolean(child, "multiple_birth", Label(N_("The multiple-birth flag")), parent=path)
    birth = fields.date(child, "birth_date", Label(N_("The child's birth date")), required=True, parent=path)
    residency = fields.date(child, "residency_date", Label(N_("The child's residency date")), required=True, parent=path)
    hs_completion = fields.date(child, "hs_completion_date", Label(N_("The high school completion date")), parent=path)
    recorded_end = _recorded_end(child, fields, path)

    if residency and residency_anchor and residency < residency_anchor:
        errors.append(Finding(
            Code.QAD_AFTER_RESIDENCY, f"{path}.residency_date",
            N_("The child's residency date %(residency)s is before the child's own arrival date %(anchor)s.")
            if moved == "to_precede_worker" else
            N_("The child's residency date %(residency)s is before the QAD %(anchor)s."),
            {"residency": _iso(residency), "anchor": _iso(residency_anchor)},
        ))
    if not (qad and birth):
        return ChildResult(index, errors, None, False)
    if birth > qad:
        errors.append(Finding(
            Code.BORN_AFTER_MOVE, f"{path}.birth_date",
            N_("The child was born on %(birth)s, after the qualifying move (QAD %(qad)s), so the child did not make "
               "that move and cannot be listed on this COE."),
            {"birth": _iso(birth), "qad": _iso(qad)},
        ))
        return ChildResult(index, errors, None, False)
    ended_before_qad = False
    if age_22_end(birth) < qad:
        ended_before_qad = True
        errors.append(Finding(
            Code.AGE_22_OR_OVER, f"{path}.birth_date",
            N_("The child turned 22 on %(birthday)s, on or before the QAD %(qad)s."),
            {"birthday": _iso(age_22_end(birth) + dt.timedelta(days=1)), "qad": _iso(qad)},
        ))
    if hs_completion and hs_completion <= qad:
        ended_before_qad = True
        errors.append(Finding(
            Code.HS_COMPLETED, f"{path}.hs_completion_date",
            N_("The child completed high school on %(date)s, on or before the QAD %(qad)s."),
            {"date": _iso(hs_completion), "qad": _iso(qad)},
        ))
    if recorded_end and recorded_end[1] < qad:
        ended_before_qad = True
        fields.invalid(f"{path}.eligibility_end.date", N_("%(label)s must be on or after the QAD; it is %(value)s."),
                       Label(N_("The date eligibility ended")), _iso(recorded_end[1]))
    interval = eligibility_interval(qad, birth, hs_completion_date=hs_completion, recorded_end=recorded_end)
    if (not ended_before_qad and interview and interval.last_day < interview
            and interval.end_reason != EndReason.THIRTY_SIX_MONTHS):
        errors.append(Finding(
            Code.ELIGIBILITY_ENDED, f"{path}",
            N_("The child's eligibility ended on %(last)s (%(reason)s), before the interview on %(interview)s."),
            {"last": _iso(interval.last_day), "reason": END_REASON_LABELS[interval.end_reason], "interview": _iso(interview)},
        ))
    return ChildResult(index, errors, interval, False)


def _recorded_end(child: dict, fields: _Fields, path: str) -> tuple[EndReason, dt.date] | None:
    """The optional ``eligibility_end`` of a child: a death or other loss of entitlement recorded later."""
    end = fields.object(child, "eligibility_end", Label(N_("The recorded end of eligibility")), parent=path)
    if end is None:
        return None
    reason = fields.choice(end, "reason", Label(N_("The reason eligibility ended")),
                           tuple(str(r) for r in RECORDED_END_REASONS), required=True, parent=f"{path}.eligibility_end")
    day = fields.date(end, "date", Label(N_("The date eligibility ended")), required=True, parent=f"{path}.eligibility_end")
    if reason and day:
        return EndReason(reason), day
    return None


def _same_district(origin: dict, destination: dict, from_state: str | None, to_state: str | None) -> str | None:
    """The district both ends of the move name, when the document says enough to tell."""
    if not (from_state and to_state) or _fold(from_state) != _fold(to_state):
        return None
    for key in ("district_id", "district"):
        here, there = origin.get(key), destination.get(key)
        if not _is_empty(here) and not _is_empty(there) and _fold(str(here)) == _fold(str(there)):
            return str(there)
    return None


class _Absent(dict):
    """An object the document lacks: its members are not reported missing one by one, only the object."""


ABSENT = _Absent()


class _Fields:
    """Reads fields of a document, recording MISSING_FIELD and INVALID_VALUE errors as it goes."""

    def __init__(self, errors: list[Finding]):
        self.errors = errors

    def missing(self, path: str, label: Label) -> None:
        self.errors.append(Finding(Code.MISSING_FIELD, path, N_("%(label)s is missing."), {"label": label}))

    def invalid(self, path: str, template: str, label: Label, value: Any, **params: Any) -> None:
        self.errors.append(Finding(Code.INVALID_VALUE, path, template,
                                   {"label": label, "value": _show(value), **params}))

    def _get(self, obj: dict, key: str, label: Label, required: bool, parent: str) -> tuple[Any, str]:
        path = f"{parent}.{key}" if parent else key
        value = obj.get(key)
        if _is_empty(value):
            if required and obj is not ABSENT:
                self.missing(path, label)
            return None, path
        return value, path

    def text(self, obj: dict, key: str, label: Label, *, required: bool = False, parent: str = "") -> str | None:
        value, path = self._get(obj, key, label, required, parent)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.invalid(path, N_("%(label)s must be text; it is %(value)s."), label, value)
        return None

    def choice(self, obj: dict, key: str, label: Label, allowed: tuple[str, ...], *, required: bool = False,
               parent: str = "") -> str | None:
        value, path = self._get(obj, key, label, required, parent)
        if value is None or value in allowed:
            return value
        self.invalid(path, N_("%(label)s must be one of %(allowed)s; it is %(value)s."), label, value,
                     allowed=", ".join(allowed))
        return None

    def date(self, obj: dict, key: str, label: Label, *, required: bool = False, parent: str = "") -> dt.date | None:
        value, path = self._get(obj, key, label, required, parent)
        if value is None:
            return None
        day = parse_date(value)
        if day is None:
            self.invalid(path, N_("%(label)s must be a date written YYYY-MM-DD; it is %(value)s."), label, value)
        return day

    def boolean(self, obj: dict, key: str, label: Label, *, required: bool = False, parent: str = "") -> bool | None:
        path = f"{parent}.{key}" if parent else key
        value = obj.get(key)
        if value is None:
            if required and obj is not ABSENT:
                self.missing(path, label)
            return None
        if isinstance(value, bool):
            return value
        self.invalid(path, N_("%(label)s must be true or false; it is %(value)s."), label, value)
        return None

    def object(self, obj: dict, key: str, label: Label, *, required: bool = False, parent: str = "") -> dict | None:
        value, path = self._get(obj, key, label, required, parent)
        if value is None or isinstance(value, dict):
            return value
        self.invalid(path, N_("%(label)s must be a JSON object; it is %(value)s."), label, value)
        return None


def parse_date(value: Any) -> dt.date | None:
    """An ISO date written exactly YYYY-MM-DD, or None (``fromisoformat`` alone also takes 20250601)."""
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _add_days(day: dt.date, days: int) -> dt.date:
    """``day`` plus ``days``, held within the calendar (a QAD in year 9999 is judged, not crashed on)."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {} or (isinstance(value, str) and not value.strip())


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _show(value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
