"""The only ways the registry changes: every function here writes the audit log in the same transaction.

``save_coes`` is the one path that writes COE content, used by the import (many COEs, one transaction per
batch) and by the single-COE actions (a batch of one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from mepsis import bulk
from mepsis.access import audit
from mepsis.access.models import CoeAuthor
from mepsis.derived import refresh_children
from mepsis.orgs.models import District
from mepsis.rules import N_, Code, CoeResult, EndReason, Finding, check_coe, parse_date
from mepsis.rules.findings import Label

from . import documents
from .models import Child, Coe, CoeChild, CoeStatus, CoeVersion, Family, VoidReason

# Only an approved COE must be free of every rule error; the others are kept with their findings (a
# submitted one waits for the reviewer, a returned one for the recruiter), but all must be readable.
STRUCTURAL_CODES = {Code.MISSING_FIELD, Code.INVALID_VALUE, Code.INVALID_JSON}
STATE_STUDENT_ID_CONFLICT = "STATE_STUDENT_ID_CONFLICT"
DUPLICATE_CHILD = "DUPLICATE_CHILD"


class ActionRefused(Exception):
    """An action that would break a rule; nothing was changed."""

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.errors = errors or []


class Conflict(ActionRefused):
    """The COE is not in the state the action needs: another user acted on it first (it changed status, or
    has a newer version than the one the caller read). Nothing was changed; read it again and decide."""


@dataclass
class Refusal:
    position: str
    coe_id: str | None
    errors: list[dict]


@dataclass
class SaveReport:
    read: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    children_created: int = 0
    refused: list[Refusal] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"read": self.read, "created": self.created, "changed": self.changed, "unchanged": self.unchanged,
                "refused": len(self.refused), "children_created": self.children_created}


@dataclass
class _Prepared:
    position: str
    document: dict
    coe_id: str
    content: dict
    status: str
    return_reasons: Any
    void_reason: Any
    content_hash: str
    child_ids: list[str | None]
    result: CoeResult | None = None
    children: list[Child] = field(default_factory=list)


def check(document: Any, known_districts: set[str] | None = None) -> CoeResult:
    """The rules engine with the state's settings."""
    return check_coe(document, soon_after_days=settings.MEPSIS_SOON_AFTER_DAYS, known_districts=known_districts)


def known_district_ids() -> set[str] | None:
    """The state's district ids, or None before any are loaded (then no COE is warned of its district)."""
    return set(District.objects.values_list("district_id", flat=True)) or None


def save_coes(items: Iterable[tuple[str, Any]], *, actor: str, why: str, batch_size: int = 1000,
              on_progress: Callable[[int], None] | None = None) -> SaveReport:
    """Save COE documents with the status each carries (the import of interfaces.md).

    ``items`` are (position, document) pairs, the position naming the file and line for messages; a
    document may be a ``Finding`` where the input could not even be parsed. A valid new ``coe_id`` is
    created, a changed one gets a new version, an unchanged one is left alone (without judging it again);
    an invalid one is refused and changes nothing. Each batch is one transaction, so an interrupted import
    leaves whole COEs only and a second run finishes the job.
    """
    report = SaveReport()
    known_districts = known_district_ids()
    batch: dict[str, _Prepared] = {}
    for position, document in items:
        report.read += 1
        prepared = _prepare(position, document, known_districts, report)
        if prepared is None:
            continue
        if prepared.coe_id in batch or len(batch) >= batch_size:
            _save_batch(list(batch.values()), actor, why, known_districts, report)
            batch = {}
            if on_progress:
                on_progress(report.read)
        batch[prepared.coe_id] = prepared
    if batch:
        _save_batch(list(batch.values()), actor, why, known_districts, report)
    if on_progress:
        on_progress(report.read)
    return report


def _prepare(position: str, document: Any, known_districts: set[str] | None, report: SaveReport) -> _Prepared | None:
    """Split and hash a document; one that is not even a COE with an id is refused here."""
    if isinstance(document, Finding):
        report.refused.append(Refusal(position, None, [document.as_dict(gettext)]))
        return None
    coe_id = document.get("coe_id") if isinstance(document, dict) else None
    if isinstance(coe_id, int) and not isinstance(coe_id, bool):
        coe_id = str(coe_id)
    if not isinstance(coe_id, str) or not coe_id.strip():
        result = check(document, known_districts)
        missing = [] if result.errors and not isinstance(document, dict) else [Finding(
            Code.MISSING_FIELD, "coe_id", N_("%(label)s is missing."), {"label": Label(N_("The COE id"))})]
        report.refused.append(Refusal(position, None, [e.as_dict(gettext) for e in missing + result.all_errors()]))
        return None
    content, workflow = documents.split(document)
    return _Prepared(position, document, coe_id, content, workflow["status"] or CoeStatus.DRAFT,
                     workflow["return_reasons"] or [], workflow["void_reason"] or "",
                     documents.content_hash(content), documents.given_child_ids(content))


def _errors(item: _Prepared, known_districts: set[str] | None) -> list[dict]:
    """Why a document cannot be saved: every rule error of an approved COE, and for any status what makes
    it incomplete or unreadable, or an unknown status or void reason."""
    item.result = result = check({**item.document, "status": item.status}, known_districts)
    errors = [error for error in result.all_errors()
              if item.status == CoeStatus.APPROVED or error.code in STRUCTURAL_CODES]
    if item.void_reason not in VoidReason.values and item.void_reason:
        errors.append(Finding(Code.INVALID_VALUE, "void_reason", N_("%(label)s must be one of %(allowed)s; it is %(value)s."),
                              {"label": Label(N_("The void reason")), "allowed": ", ".join(VoidReason.values),
                               "value": item.void_reason}))
    if item.status == CoeStatus.VOID and not item.void_reason:
        errors.append(Finding(Code.MISSING_FIELD, "void_reason", N_("%(label)s is missing."),
                              {"label": Label(N_("The void reason"))}))
    if not (isinstance(item.return_reasons, list) and all(isinstance(r, str) for r in item.return_reasons)):
        errors.append(Finding(Code.INVALID_VALUE, "return_reasons", N_("%(label)s must be a list of sentences."),
                              {"label": Label(N_("The return reasons"))}))
    return [error.as_dict(gettext) for error in errors]


def _save_batch(batch: list[_Prepared], actor: str, why: str, known_districts: set[str] | None,
                report: SaveReport) -> None:
    with transaction.atomic():
        existing = {coe.coe_id: coe for coe in Coe.objects.filter(coe_id__in=[item.coe_id for item in batch])}
        current_children: dict[int, list[CoeChild]] = {}
        for entry in CoeChild.objects.filter(coe__in=existing.values()).select_related("child").order_by("index"):
            current_children.setdefault(entry.coe_id, []).append(entry)

        to_write: list[_Prepared] = []
        status_only: list[_Prepared] = []
        for item in batch:
            coe = existing.get(item.coe_id)
            same_content = coe is not None and coe.content_hash == item.content_hash and not _relinks(
                item, current_children.get(coe.pk, []))
            if same_content and (coe.status, coe.return_reasons, coe.void_reason) == (
                    item.status, item.return_reasons, item.void_reason):
                report.unchanged += 1
                continue
            errors = _errors(item, known_districts)
            if errors:
                report.refused.append(Refusal(item.position, item.coe_id, errors))
            else:
                (status_only if same_content else to_write).append(item)

        resolver = _ChildResolver(to_write)
        written = []
        for item in to_write:
            coe = existing.get(item.coe_id)
            errors = resolver.resolve(item, current_children.get(coe.pk, []) if coe else [])
            if errors:
                report.refused.append(Refusal(item.position, item.coe_id, errors))
            else:
                written.append(item)
        report.children_created += resolver.save()

        new_items = [item for item in written if item.coe_id not in existing]
        families = [_family(item.content) for item in new_items]
        bulk.assign_ids(families)
        new_coes = [
            Coe(coe_id=item.coe_id, family=family, version=1, **_coe_columns(item))
            for item, family in zip(new_items, families, strict=True)
        ]
        bulk.assign_ids(new_coes)
        versions = [_version(coe, item, actor, why) for coe, item in zip(new_coes, new_items, strict=True)]
        entries = [entry for coe, item in zip(new_coes, new_items, strict=True) for entry in _entries(coe, item)]
        events = [
            audit.event(actor, "coe.created", "coe", item.coe_id, why=why,
                        after={"version": 1, "status": item.status, "children": [c.child_id for c in item.children]})
            for item in new_items
        ]
        report.created += len(new_items)

        for item in written:
            coe = existing.get(item.coe_id)
            if coe is None:
                continue
            before = {"version": coe.version, "status": coe.status,
                      "children": [entry.child.child_id for entry in current_children.get(coe.pk, [])]}
            coe.version += 1
            for name, value in _coe_columns(item).items():
                setattr(coe, name, value)
            coe.save()
            _family(item.content, coe.family).save()
            versions.append(_version(coe, item, actor, why))
            CoeChild.objects.filter(coe=coe).delete()
            entries += _entries(coe, item)
            events.append(audit.event(actor, "coe.revised", "coe", coe.coe_id, why=why, before=before, after={
                "version": coe.version, "status": coe.status, "children": [c.child_id for c in item.children]}))
            report.changed += 1

        for item in status_only:
            coe = existing[item.coe_id]
            events.append(_set_workflow(coe, item.status, actor, why, return_reasons=item.return_reasons,
                                        void_reason=item.void_reason, entries=current_children.get(coe.pk, []),
                                        result=item.result))
            report.changed += 1

        for rows in (families, new_coes, versions, entries):
            bulk.assign_ids([row for row in rows if row.pk is None])
            bulk.insert(rows)
        audit.record_many(events)
        refresh_children({child.pk for item in written for child in item.children}  # and those a new version left off
                         | {entry.child_id for item in written + status_only if item.coe_id in existing
                            for entry in current_children.get(existing[item.coe_id].pk, [])}, actor=actor)


def _relinks(item: _Prepared, entries: list[CoeChild]) -> bool:
    """Whether the document names, by child_id, other children than the COE lists now."""
    current = [entry.child.child_id for entry in entries]
    return any(given is not None and (index >= len(current) or current[index] != given)
               for index, given in enumerate(item.child_ids))


class _ChildResolver:
    """Finds or makes the Child of every child on a batch of documents, with two queries for the batch.

    A child is the one its ``child_id`` names (made with that id if new, e.g. an export loaded elsewhere);
    else the child who already holds its state student id; else, on a new version, the child of the
    previous version with the same first name and birth date, or at the same position; else a new child.
    """

    def __init__(self, batch: list[_Prepared]):
        given_ids = {child_id for item in batch for child_id in item.child_ids if child_id}
        ssids = {str(child["state_student_id"]) for item in batch for child in item.content["children"]
                 if child.get("state_student_id")}
        self.by_child_id = {child.child_id: child for child in Child.objects.filter(child_id__in=given_ids)}
        self.by_ssid = {child.state_student_id: child for child in Child.objects.filter(state_student_id__in=ssids)}
        self.by_child_id.update({child.child_id: child for child in self.by_ssid.values()})
        self.new: dict[int, Child] = {}  # by id(): a new child may be on several COEs of the batch
        self.changed: dict[str, Child] = {}

    def resolve(self, item: _Prepared, previous: list[CoeChild]) -> list[dict]:
        unclaimed = {entry.index: entry.child for entry in previous}
        chosen: list[Child] = []
        errors = []
        for index, data in enumerate(item.content["children"]):
            child = self._find(data, item.child_ids[index], unclaimed, index)
            ssid = str(data["state_student_id"]) if data.get("state_student_id") else None
            holder = self.by_ssid.get(ssid) if ssid else None
            if holder is not None and holder is not child and child is not None:
                errors.append(_error(STATE_STUDENT_ID_CONFLICT, f"children[{index}].state_student_id",
                                     N_("The state student id %(ssid)s already belongs to child %(holder)s."),
                                     ssid=ssid, holder=holder.child_id))
                continue
            if child is not None and holder is child and data["birth_date"] != child.birth_date.isoformat():
                errors.append(_error(STATE_STUDENT_ID_CONFLICT, f"children[{index}].state_student_id",
                                     N_("The state student id %(ssid)s belongs to child %(holder)s, born on %(born)s, "
                                        "not on %(birth)s."),
                                     ssid=ssid, holder=child.child_id, born=child.birth_date.isoformat(),
                                     birth=data["birth_date"]))
                continue
            if child is not None and any(other is child for other in chosen):
                errors.append(_error(DUPLICATE_CHILD, f"children[{index}]",
                                     N_("Child %(child)s is listed twice on this COE."), child=child.child_id))
                continue
            chosen.append(child if child is not None else Child(child_id=item.child_ids[index] or ""))
        if errors:
            return errors
        for child, data in zip(chosen, item.content["children"], strict=True):
            self._keep(child, data)
        item.children = chosen
        return []

    def _find(self, data: dict, given: str | None, unclaimed: dict[int, Child], index: int) -> Child | None:
        if given:
            return self.by_child_id.get(given)
        ssid = data.get("state_student_id")
        if ssid and str(ssid) in self.by_ssid:
            return self.by_ssid[str(ssid)]
        for position, child in unclaimed.items():
            if child.first_name.casefold() == str(data["first_name"]).casefold() and \
                    child.birth_date.isoformat() == data["birth_date"]:
                return unclaimed.pop(position)
        return unclaimed.pop(index, None)

    def _keep(self, child: Child, data: dict) -> None:
        """Take the identity of the newest document, and remember the child for the rest of the batch."""
        before = (child.first_name, child.middle_name, child.last_name_1, child.last_name_2, child.suffix,
                  child.sex, child.birth_date, child.state_student_id)
        child.first_name = data["first_name"]
        child.middle_name = data.get("middle_name") or ""
        child.last_name_1 = data["last_name_1"]
        child.last_name_2 = data.get("last_name_2") or ""
        child.suffix = data.get("suffix") or ""
        child.sex = data["sex"]
        child.birth_date = parse_date(data["birth_date"])
        if data.get("state_student_id"):
            child.state_student_id = str(data["state_student_id"])
            self.by_ssid[child.state_student_id] = child
        if child.child_id:
            self.by_child_id[child.child_id] = child
        if child.pk is None:
            self.new[id(child)] = child
        elif before != (child.first_name, child.middle_name, child.last_name_1, child.last_name_2, child.suffix,
                        child.sex, child.birth_date, child.state_student_id):
            self.changed[child.child_id] = child

    def save(self) -> int:
        """Write the new children, with fresh child ids for those no document named, and the changed ones."""
        new = list(self.new.values())
        taken = set(self.by_child_id)
        unnamed = [child for child in new if not child.child_id]
        while unnamed:
            for child in unnamed:
                child.child_id = documents.new_child_id(settings.MEPSIS_STATE)
            in_use = set(Child.objects.filter(child_id__in=[c.child_id for c in unnamed])
                         .values_list("child_id", flat=True))
            retry = []
            for child in unnamed:
                if child.child_id in in_use or child.child_id in taken:
                    retry.append(child)
                else:
                    taken.add(child.child_id)
            unnamed = retry
        bulk.assign_ids(new)
        bulk.insert(new)
        # Small batches: bulk_update writes a CASE with a branch per row, whose cost grows with its square.
        Child.objects.bulk_update(list(self.changed.values()), [
            "first_name", "middle_name", "last_name_1", "last_name_2", "suffix", "sex", "birth_date",
            "state_student_id"], batch_size=100)
        return len(new)


def _error(code: str, path: str, template: str, **params: Any) -> dict:
    return {"code": code, "field": path, "message": gettext(template) % params}


def _coe_columns(item: _Prepared) -> dict[str, Any]:
    move = item.content.get("qualifying_move") or {}
    return {
        "status": item.status,
        "content_hash": item.content_hash,
        "interview_date": parse_date(item.content.get("interview_date")),
        "qad": parse_date(move.get("qad")),
        "to_district_id": str((move.get("to") or {}).get("district_id") or ""),
        "return_reasons": item.return_reasons,
        "void_reason": item.void_reason,
    }


def _version(coe: Coe, item: _Prepared, actor: str, why: str) -> CoeVersion:
    content = {**item.content, "children": [
        {"child_id": child.child_id, **{key: value for key, value in data.items() if key != "child_id"}}
        for child, data in zip(item.children, item.content["children"], strict=True)
    ]}
    return CoeVersion(coe=coe, number=coe.version, document=content, content_hash=item.content_hash,
                      created_by=actor, why=why)


def _entries(coe: Coe, item: _Prepared) -> list[CoeChild]:
    return [_entry(coe, child, result, data, item.void_reason)
            for child, result, data in zip(item.children, item.result.children, item.content["children"], strict=True)]


def _entry(coe: Coe, child: Child, result, data: dict, void_reason: str) -> CoeChild:
    interval = result.interval
    if void_reason == VoidReason.FOUND_INELIGIBLE:
        return CoeChild(coe=coe, child=child, index=result.index, residency_date=parse_date(data["residency_date"]),
                        end_reason=EndReason.FOUND_INELIGIBLE)
    return CoeChild(
        coe=coe, child=child, index=result.index, residency_date=parse_date(data["residency_date"]),
        eligibility_start=interval.start if result.eligible else None,
        last_eligible_day=interval.last_day if result.eligible else None,
        end_reason=str(interval.end_reason) if interval else "",
    )


def _family(content: dict, family: Family | None = None) -> Family:
    data = content.get("family") or {}
    address = data.get("address") or {}
    family = family or Family()
    family.parent1_name = _person_name(data.get("parent1"))
    family.parent2_name = _person_name(data.get("parent2"))
    family.address = ", ".join(str(part) for part in (
        address.get("line1"), address.get("city"), " ".join(str(p) for p in (address.get("state"), address.get("zip")) if p),
    ) if part)
    family.phone = str(data.get("phone") or "")
    family.home_language = str(data.get("home_language") or "")
    return family


def _person_name(person: Any) -> str:
    if not isinstance(person, dict):
        return ""
    return " ".join(str(person[key]) for key in ("first_name", "last_name_1", "last_name_2") if person.get(key))


# --- The review workflow and the changes made to one COE --------------------------------------------------

TRANSITIONS = {
    "submit": ({CoeStatus.DRAFT, CoeStatus.RETURNED}, CoeStatus.SUBMITTED),
    "approve": ({CoeStatus.SUBMITTED}, CoeStatus.APPROVED),
    "return": ({CoeStatus.SUBMITTED}, CoeStatus.RETURNED),
    "reject": ({CoeStatus.SUBMITTED}, CoeStatus.REJECTED),
    "void": ({CoeStatus.APPROVED}, CoeStatus.VOID),
}
EDITABLE = {CoeStatus.DRAFT, CoeStatus.RETURNED, CoeStatus.APPROVED}


def current_document(coe: Coe) -> dict:
    return coe.versions.get(number=coe.version).document


# Optimistic locking: an action given ``expected_version`` (the version the caller read) locks the COE's
# row for its transaction and is refused with ``Conflict`` when the COE has moved on since, so of two
# reviewers acting on the same COE at once one wins and the other is told, and nothing is lost.

def write_coe(document: dict, *, author: Any, actor: str) -> Coe:
    """A new COE, written by a recruiter (``author``, a user) and saved as a draft; its author sees it."""
    coe_id = document.get("coe_id")
    with transaction.atomic():
        if Coe.objects.filter(coe_id=coe_id).exists():
            raise Conflict(gettext("COE %(coe)s already exists; change it with a new version of its own.")
                           % {"coe": coe_id})
        _save_one({**document, "status": CoeStatus.DRAFT}, actor=actor, why="written")
        coe = Coe.objects.get(coe_id=coe_id)
        CoeAuthor.objects.create(coe=coe, user=author)
    return coe


def revise_coe(coe_id: str, document: dict, *, actor: str, why: str = "", expected_version: int | None = None) -> Coe:
    """A new version of a COE's content: an edit of a draft or returned COE, or a correction of an approved
    one (which must say why, and must still pass every rule)."""
    with transaction.atomic():
        coe = _locked(coe_id, expected_version)
        if coe.status not in EDITABLE:
            raise Conflict(gettext("COE %(coe)s is %(status)s; only a draft, returned or approved COE can be changed.")
                           % {"coe": coe_id, "status": coe.get_status_display()})
        if coe.status == CoeStatus.APPROVED and not why.strip():
            raise ActionRefused(gettext("COE %(coe)s is approved: a correction must say why.") % {"coe": coe_id})
        document = {**document, "coe_id": coe_id, "status": coe.status, "return_reasons": coe.return_reasons,
                    "void_reason": coe.void_reason}
        _save_one(document, actor=actor, why=why or "edited")
    return Coe.objects.get(coe_id=coe_id)


def submit_coe(coe_id: str, *, actor: str, expected_version: int | None = None) -> Coe:
    with transaction.atomic():
        coe = _locked(coe_id, expected_version)
        _require_from(coe, "submit")
        result = check(current_document(coe), known_district_ids())
        if result.has_errors:
            raise ActionRefused(gettext("COE %(coe)s has errors to correct before it is submitted.") % {"coe": coe_id},
                                [error.as_dict(gettext) for error in result.all_errors()])
        return _transition(coe, "submit", actor=actor, why="submitted for review")


def approve_coe(coe_id: str, *, actor: str, reviewer_name: str, on: dt.date,
                expected_version: int | None = None) -> Coe:
    """The SEA reviewer's approval: their signature goes on the COE as a new version."""
    with transaction.atomic():
        coe = _locked(coe_id, expected_version)
        _require_from(coe, "approve")
        document = current_document(coe)
        signatures = {**(document.get("signatures") or {}),
                      "reviewer": {"name": reviewer_name, "date": on.isoformat()}}
        document = {**document, "signatures": signatures, "coe_id": coe_id, "status": CoeStatus.APPROVED}
        _save_one(document, actor=actor, why="approved")
    return Coe.objects.get(coe_id=coe_id)


def return_coe(coe_id: str, *, actor: str, reasons: list[str], expected_version: int | None = None) -> Coe:
    reasons = [reason.strip() for reason in reasons if reason and reason.strip()]
    if not reasons:
        raise ActionRefused(gettext("COE %(coe)s: a returned COE must say what to correct.") % {"coe": coe_id})
    with transaction.atomic():
        return _transition(_locked(coe_id, expected_version), "return", actor=actor, why="; ".join(reasons),
                           return_reasons=reasons)


def reject_coe(coe_id: str, *, actor: str, why: str, expected_version: int | None = None) -> Coe:
    if not why.strip():
        raise ActionRefused(gettext("COE %(coe)s: a rejection must say why.") % {"coe": coe_id})
    with transaction.atomic():
        return _transition(_locked(coe_id, expected_version), "reject", actor=actor, why=why)


def _locked(coe_id: str, expected_version: int | None) -> Coe:
    """The COE's row, locked until the caller's transaction ends, at the version the caller read."""
    coe = Coe.objects.select_for_update().get(coe_id=coe_id)
    if expected_version is not None and coe.version != expected_version:
        raise Conflict(gettext("COE %(coe)s has changed since you read it (version %(read)s; it is now version "
                               "%(version)s, %(status)s). Read it again before you act on it.") % {
            "coe": coe_id, "read": expected_version, "version": coe.version, "status": coe.get_status_display()})
    return coe


def void_coe(coe_id: str, *, actor: str, reason: str, why: str) -> Coe:
    """An approved COE found wrong (a re-interview, a review): its children lose every eligible day on it."""
    if reason not in VoidReason.values:
        raise ActionRefused(gettext("COE %(coe)s: the void reason must be one of %(reasons)s.") % {
            "coe": coe_id, "reasons": ", ".join(VoidReason.values)})
    if not why.strip():
        raise ActionRefused(gettext("COE %(coe)s: voiding a COE must say why.") % {"coe": coe_id})
    return _transition(Coe.objects.get(coe_id=coe_id), "void", actor=actor, why=why, void_reason=reason)


def record_end_of_eligibility(coe_id: str, child_index: int, *, reason: str, on: dt.date, actor: str,
                              why: str) -> Coe:
    """High school completion, death or another loss of entitlement, recorded on an approved COE as a new
    version (the document carries ``hs_completion_date`` or ``eligibility_end``)."""
    coe = Coe.objects.get(coe_id=coe_id)
    if coe.status != CoeStatus.APPROVED:
        raise ActionRefused(gettext("COE %(coe)s is %(status)s; an end of eligibility is recorded on an approved COE.")
                            % {"coe": coe_id, "status": coe.get_status_display()})
    document = current_document(coe)
    children = [dict(child) for child in document["children"]]
    if not 0 <= child_index < len(children):
        raise ActionRefused(gettext("COE %(coe)s has no child at position %(index)s.")
                            % {"coe": coe_id, "index": child_index})
    if reason == EndReason.HS_COMPLETION:
        children[child_index]["hs_completion_date"] = on.isoformat()
    elif reason in (EndReason.DEATH, EndReason.OTHER_LOSS_OF_ENTITLEMENT):
        children[child_index]["eligibility_end"] = {"reason": reason, "date": on.isoformat()}
    else:
        raise ActionRefused(gettext("%(reason)s is not an end of eligibility that is recorded; use HS_COMPLETION, "
                                    "DEATH or OTHER_LOSS_OF_ENTITLEMENT (a COE found ineligible is voided).")
                            % {"reason": reason})
    return revise_coe(coe_id, {**document, "children": children}, actor=actor, why=why or reason)


def _save_one(document: dict, *, actor: str, why: str) -> None:
    report = save_coes([(document["coe_id"], document)], actor=actor, why=why)
    if report.refused:
        refusal = report.refused[0]
        raise ActionRefused(gettext("COE %(coe)s was not saved: it breaks the rules.") % {"coe": document["coe_id"]},
                            refusal.errors)


def _require_from(coe: Coe, name: str) -> None:
    allowed, _ = TRANSITIONS[name]
    if coe.status not in allowed:
        raise Conflict(gettext("COE %(coe)s is %(status)s; it cannot be %(step)s from there.") % {
            "coe": coe.coe_id, "status": coe.get_status_display(), "step": TRANSITIONS[name][1].label})


def _transition(coe: Coe, name: str, *, actor: str, why: str, **workflow: Any) -> Coe:
    _require_from(coe, name)
    with transaction.atomic():
        locked = Coe.objects.select_for_update().get(pk=coe.pk)
        _require_from(locked, name)
        result = check(current_document(locked)) if workflow.get("void_reason") else None
        entries = list(locked.children.select_related("child").order_by("index")) if result else []
        audit.record_many([_set_workflow(locked, TRANSITIONS[name][1], actor, why, entries=entries, result=result,
                                         **workflow)])
        refresh_children(locked.children.values_list("child_id", flat=True), actor=actor)
    return locked


def _set_workflow(coe: Coe, status: str, actor: str, why: str, *, return_reasons: list[str] | None = None,
                  void_reason: str = "", entries: list[CoeChild], result: CoeResult | None) -> Any:
    """Change a COE's status (and the reasons that go with it), re-deriving eligibility when voided."""
    before = {"status": coe.status, "return_reasons": coe.return_reasons, "void_reason": coe.void_reason}
    coe.status = status
    coe.return_reasons = return_reasons or []
    coe.void_reason = void_reason or ""
    coe.save(update_fields=["status", "return_reasons", "void_reason", "updated_at"])
    if result is not None and void_reason != before["void_reason"]:
        document = current_document(coe)
        for entry in entries:
            fresh = _entry(coe, entry.child, result.children[entry.index], document["children"][entry.index],
                           void_reason)
            for name in ("eligibility_start", "last_eligible_day", "end_reason"):
                setattr(entry, name, getattr(fresh, name))
            entry.save(update_fields=["eligibility_start", "last_eligible_day", "end_reason"])
    after = {"status": coe.status, "return_reasons": coe.return_reasons, "void_reason": coe.void_reason}
    return audit.event(actor, f"coe.{status}" if status != before["status"] else "coe.workflow_changed", "coe",
                       coe.coe_id, why=why, before=before, after=after)
