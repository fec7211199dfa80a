"""Reading the match worklist, for the command line and the web page.

``worklist(candidates)`` orders and filters a queryset of items (pass ``scope.candidates()`` for a user);
``worklist_items(candidates)`` turns items into plain dicts, each with both records side by side and why
the pair scored as it did. A dict item:

- ``id``, ``kind`` (``link`` or ``merge``), ``reason`` and ``reason_label``, ``status``, ``decided_by``,
  ``decided_at`` (ISO 8601 or None), ``proposed_at``;
- ``score``: the match weight (None for an item of the exact pass), ``probability``: the match probability
  it stands for, ``model_version``;
- ``left``: the enrollment as the SIS sent it (a link candidate) or the first child (a merge candidate);
  ``right``: the child; each a dict of ``fields`` in display order (``FIELDS``), so a page shows the two
  columns row by row;
- ``weights``: one dict per comparison of the model, in the model's order: ``comparison``, ``description``
  and ``weight`` (positive: this comparison says "same person", negative: "two people", 0: a value is
  missing), for the items the probabilistic stage proposed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from mepsis.enrollments.models import Enrollment
from mepsis.registry.models import Child, CoeChild, CoeStatus

from . import splink_engine
from .models import MatchCandidate

# The rows of the side-by-side view: (key, label) in display order.
FIELDS = (
    ("record", _("record")), ("state_student_id", _("state student id")), ("first_name", _("first name")),
    ("middle_name", _("middle name")), ("last_name", _("last name")), ("last_name_2", _("last name 2")),
    ("sex", _("sex")), ("birth_date", _("birth date")), ("parents", _("parents / guardians")),
    ("birth_place", _("birth place / moved from")), ("district", _("district")),
)


def worklist(candidates: QuerySet | None = None, *, status: str | None = MatchCandidate.Status.OPEN,
             kind: str | None = None) -> QuerySet:
    """Worklist items (all of them, or those of ``candidates``), the highest score first, then the oldest;
    only those of ``status`` (None: every status) and ``kind``."""
    items = MatchCandidate.objects.all() if candidates is None else candidates
    if status:
        items = items.filter(status=status)
    if kind:
        items = items.filter(kind=kind)
    return items.select_related("enrollment__district", "child", "other_child").order_by(
        F("score").desc(nulls_last=True), "pk")


def worklist_items(candidates: Iterable[MatchCandidate]) -> list[dict]:
    """The items as plain dicts (see the module's description), in the order given."""
    candidates = list(candidates)
    children = {child.pk for item in candidates for child in (item.child, item.other_child) if child}
    families = _families(children)
    descriptions = _descriptions()
    return [_item(item, families, descriptions) for item in candidates]


def worklist_item(candidate_id: int, candidates: QuerySet | None = None) -> dict:
    """One item by id (raises ``MatchCandidate.DoesNotExist`` when it is not among ``candidates``)."""
    return worklist_items([worklist(candidates, status=None).get(pk=candidate_id)])[0]


def _item(item: MatchCandidate, families: dict[int, dict], descriptions: dict[str, str]) -> dict:
    left = _enrollment(item.enrollment) if item.kind == MatchCandidate.Kind.LINK else _child(item.other_child, families)
    return {
        "id": item.pk, "kind": item.kind, "reason": item.reason, "reason_label": str(item.get_reason_display()),
        "status": item.status, "decided_by": item.decided_by or None,
        "decided_at": item.decided_at.isoformat() if item.decided_at else None,
        "proposed_at": item.created_at.isoformat() if item.created_at else None,
        "score": None if item.score is None else round(item.score, 2),
        "probability": None if item.score is None else round(match_probability(item.score), 6),
        "model_version": item.model_version,
        "left": left, "right": _child(item.child, families),
        # In the model's order (PostgreSQL's jsonb keeps no order of keys).
        "weights": [{"comparison": name, "description": description, "weight": item.weights[name]}
                    for name, description in descriptions.items() if name in (item.weights or {})],
    }


def _enrollment(enrollment: Enrollment) -> dict:
    return {
        "record": f"enrollment {enrollment.pk}: {enrollment.district.district_id}/{enrollment.local_student_id}",
        "state_student_id": enrollment.state_student_id, "first_name": enrollment.first_name,
        "middle_name": enrollment.middle_name, "last_name": enrollment.last_name,
        "last_name_2": enrollment.last_name_2, "sex": enrollment.sex, "birth_date": enrollment.birth_date.isoformat(),
        "parents": " / ".join(name for name in (enrollment.guardian1_name, enrollment.guardian2_name) if name),
        "birth_place": ", ".join(part for part in (enrollment.birth_city, enrollment.birth_state,
                                                   enrollment.birth_country) if part),
        "district": enrollment.district.district_id,
    }


def _child(child: Child, families: dict[int, dict]) -> dict:
    family = families.get(child.pk, {})
    return {
        "record": f"child {child.child_id}", "state_student_id": child.state_student_id or "",
        "first_name": child.first_name, "middle_name": child.middle_name, "last_name": child.last_name_1,
        "last_name_2": child.last_name_2, "sex": child.sex, "birth_date": child.birth_date.isoformat(),
        "parents": family.get("parents", ""), "birth_place": family.get("moved_from", ""),
        "district": family.get("district", ""),
    }


def _families(children: set[int]) -> dict[int, dict]:
    """For each child, from its approved COE with the latest QAD: parents, where the family moved from and
    the district it moved to (what the model compared)."""
    found: dict[int, dict] = {}
    entries = (CoeChild.objects.filter(child__in=children, coe__status=CoeStatus.APPROVED)
               .order_by("child_id", "-coe__qad")
               .values_list("child_id", "coe__family__parent1_name", "coe__family__parent2_name",
                            "coe__to_district_id", "coe__versions__document__qualifying_move__from",
                            "coe__versions__number", "coe__version"))
    for child, parent_1, parent_2, district, moved_from, number, version in entries:
        if child in found or number != version:
            continue
        origin = moved_from if isinstance(moved_from, dict) else {}
        found[child] = {"parents": " / ".join(name for name in (parent_1, parent_2) if name), "district": district,
                        "moved_from": ", ".join(str(origin[key]) for key in ("city", "state", "country")
                                                if origin.get(key))}
    return found


def _descriptions() -> dict[str, str]:
    model = splink_engine.current_model()
    return {item["output_column_name"]: item.get("comparison_description", "")
            for item in model.settings()["comparisons"]}


def match_probability(weight: float) -> float:
    """The probability a match weight stands for (the weight is log2 of the odds)."""
    return 1 / (1 + math.pow(2, -weight))
