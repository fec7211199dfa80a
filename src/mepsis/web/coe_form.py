"""The COE form: the national COE's sections as form fields, the document they make, and the rules
engine's findings placed beside the fields they are about.

A field's name is the document path of its value with ``__`` for ``.`` (``qualifying_move__qad``), so a
finding's ``field`` (``qualifying_move.qad``, ``children[0].birth_date``) names its form field without a
table of correspondences. The form checks only what a browser can get wrong (a date that is not a date, a
value outside its list); what a COE must say is the rules engine's to judge, in one place.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy as _

from mepsis.registry.actions import check, known_district_ids
from mepsis.rules import CoeResult
from mepsis.rules.coe import DURATIONS, MOVED, PRONGS, RELATIONSHIPS, SECTORS, SEXES, TEMPORARY_BASES

SEP = "__"
CHILDREN_PREFIX = "children"

SEX_LABELS = {"F": _("female"), "M": _("male"), "X": _("not specified (X)")}
MOVED_LABELS = {"as_worker": _("as the worker"), "with_worker": _("with the worker"),
                "to_join_worker": _("to join the worker"), "to_precede_worker": _("to precede the worker")}
RELATIONSHIP_LABELS = {"parent": _("parent"), "guardian": _("guardian"), "spouse": _("spouse"), "self": _("self")}
PRONG_LABELS = {"engaged": _("obtained qualifying work"), "actively_sought": _("actively sought qualifying work")}
DURATION_LABELS = {"temporary": _("temporary"), "seasonal": _("seasonal")}
SECTOR_LABELS = {"agricultural": _("agricultural"), "fishing": _("fishing")}
TEMPORARY_BASIS_LABELS = {"worker_statement": _("the worker's statement"),
                          "employer_statement": _("the employer's statement"),
                          "sea_determination": _("an SEA determination")}
VERIFICATION_LABELS = {"BIRTH_CERTIFICATE": _("birth certificate"), "PASSPORT": _("passport"),
                       "HOSPITAL_CERTIFICATE": _("hospital certificate"),
                       "BAPTISMAL_CERTIFICATE": _("baptismal certificate"),
                       "PREVIOUS_SCHOOL_RECORDS": _("previous school records"),
                       "PARENT_AFFIDAVIT": _("parent's affidavit"), "OTHER": _("other")}


def _choices(values, labels) -> list[tuple[str, Any]]:
    return [("", "—")] + [(value, labels[value]) for value in values]


def _text(label, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=kwargs.pop("max_length", 200), **kwargs)


def _date(label) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _choice(label, values, labels) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=_choices(values, labels))


def _yes_no(label) -> forms.NullBooleanField:
    return forms.NullBooleanField(label=label, required=False, widget=forms.NullBooleanSelect)


class CoeForm(forms.Form):
    """Everything on a COE except its children (a formset of ``ChildForm``) and the reviewer's signature."""

    interview_date = _date(_("Interview date"))
    # Section I: the family
    family__parent1__first_name = _text(_("Parent/guardian 1: first name"))
    family__parent1__last_name_1 = _text(_("Parent/guardian 1: first last name"))
    family__parent1__last_name_2 = _text(_("Parent/guardian 1: second last name"))
    family__parent2__first_name = _text(_("Parent/guardian 2: first name"))
    family__parent2__last_name_1 = _text(_("Parent/guardian 2: first last name"))
    family__parent2__last_name_2 = _text(_("Parent/guardian 2: second last name"))
    family__address__line1 = _text(_("Current address"))
    family__address__city = _text(_("City"))
    family__address__state = _text(_("State"), max_length=2)
    family__address__zip = _text(_("ZIP code"), max_length=10)
    family__phone = _text(_("Phone"), max_length=40)
    family__home_language = _text(_("Home language"), max_length=20)
    # Section III: the qualifying move and work
    qualifying_move__from__city = _text(_("Moved from: city"))
    qualifying_move__from__state = _text(_("Moved from: state"), max_length=3)
    qualifying_move__from__country = _text(_("Moved from: country"), max_length=2)
    qualifying_move__from__district = _text(_("Moved from: school district"))
    qualifying_move__to__city = _text(_("Moved to: city"))
    qualifying_move__to__state = _text(_("Moved to: state"), max_length=2)
    qualifying_move__to__district_id = _text(_("Moved to: school district id"), max_length=20)
    qualifying_move__moved = _choice(_("The child moved"), MOVED, MOVED_LABELS)
    qualifying_move__worker__first_name = _text(_("Worker: first name"))
    qualifying_move__worker__last_name_1 = _text(_("Worker: last name"))
    qualifying_move__worker__relationship = _choice(_("Worker's relationship to the child"), RELATIONSHIPS,
                                                    RELATIONSHIP_LABELS)
    qualifying_move__child_arrival_date = _date(_("Child's arrival date"))
    qualifying_move__worker_arrival_date = _date(_("Worker's arrival date"))
    qualifying_move__qad = _date(_("Qualifying arrival date (QAD)"))
    qualifying_move__economic_necessity = _yes_no(_("The move was due to economic necessity"))
    qualifying_move__prong = _choice(_("Qualifying work"), PRONGS, PRONG_LABELS)
    qualifying_move__work_start_date = _date(_("Date the qualifying work started"))
    qualifying_move__recent_history_of_moves = _yes_no(_("Recent history of moves for qualifying work"))
    qualifying_move__work__activity = _text(_("Work: activity"))
    qualifying_move__work__sector = _choice(_("Work: sector"), SECTORS, SECTOR_LABELS)
    qualifying_move__work__duration = _choice(_("Work: duration"), DURATIONS, DURATION_LABELS)
    qualifying_move__work__personal_subsistence = _yes_no(_("Work: personal subsistence"))
    qualifying_move__temporary_basis = _choice(_("Basis for temporary work"), TEMPORARY_BASES,
                                               TEMPORARY_BASIS_LABELS)
    # Section IV: comments
    comments = forms.CharField(label=_("Comments"), required=False, max_length=4000, widget=forms.Textarea)
    # Section V: signatures
    signatures__interviewee__name = _text(_("Interviewee's name"))
    signatures__interviewee__relationship = _choice(_("Interviewee's relationship to the child"), RELATIONSHIPS,
                                                    RELATIONSHIP_LABELS)
    signatures__interviewee__date = _date(_("Interviewee's signature date"))
    signatures__interviewer__name = _text(_("Interviewer's name"))
    signatures__interviewer__date = _date(_("Interviewer's signature date"))


# The sections of the national COE, in its order; the children (section II, fields None) are a formset.
SECTIONS = [
    (_("Interview"), ["interview_date"]),
    (_("I. Family data"), [name for name in CoeForm.base_fields if name.startswith("family__")]),
    (_("II. Children"), None),
    (_("III. Qualifying move and work"), [name for name in CoeForm.base_fields if name.startswith("qualifying_move__")]),
    (_("IV. Comments"), ["comments"]),
    (_("V. Signatures"), [name for name in CoeForm.base_fields if name.startswith("signatures__")]),
]


class ChildForm(forms.Form):
    # The system's id of a child already on the COE, so that a new version keeps the same child.
    child_id = forms.CharField(required=False, widget=forms.HiddenInput)
    first_name = _text(_("First name"), max_length=100)
    middle_name = _text(_("Middle name"), max_length=100)
    last_name_1 = _text(_("First last name"), max_length=100)
    last_name_2 = _text(_("Second last name"), max_length=100)
    suffix = _text(_("Suffix"), max_length=20)
    sex = _choice(_("Sex"), SEXES, SEX_LABELS)
    birth_date = _date(_("Birth date"))
    multiple_birth = _yes_no(_("Multiple birth"))
    birth_data_verification = _choice(_("Birth data verified by"), tuple(VERIFICATION_LABELS), VERIFICATION_LABELS)
    residency_date = _date(_("Residency date"))
    state_student_id = _text(_("State student id"), max_length=32)
    grade = _text(_("Grade"), max_length=2)
    hs_completion_date = _date(_("High school completion date"))


ChildFormSet = forms.formset_factory(ChildForm, extra=0)


class CoeEntry:
    """A COE as the recruiter fills it in: the form, the children's formset and the document they make.

    ``original`` is the current version's document when editing: what the form does not show (the
    reviewer's signature, a recorded end of eligibility) is kept as it was.
    """

    def __init__(self, data=None, *, original: dict | None = None):
        self.original = original or {}
        children = self.original.get("children") or [{}]
        self.form = CoeForm(data, initial=None if data is not None else flatten(self.original))
        self.children = ChildFormSet(data, prefix=CHILDREN_PREFIX,
                                     initial=None if data is not None else [flatten(child) for child in children])

    def sections(self) -> list[tuple[str, list | None]]:
        return [(title, names and [self.form[name] for name in names]) for title, names in SECTIONS]

    def is_valid(self) -> bool:
        return self.form.is_valid() & all([child.is_valid() for child in self.children])

    def filled_children(self) -> list[ChildForm]:
        """The child forms with anything in them: a blank one, or one removed from the page, lists no child."""
        return [child for child in self.children
                if any(value not in (None, "") for name, value in child.cleaned_data.items() if name != "child_id")]

    def document(self) -> dict:
        """The COE document the form says (after ``is_valid``; a field that did not validate is left out)."""
        document = _merge(self.original, nest(self.form.cleaned_data))
        by_id = {child.get("child_id"): child for child in self.original.get("children") or [] if child.get("child_id")}
        document["children"] = []
        for form in self.filled_children():
            data = nest(form.cleaned_data)
            kept = by_id.get(data.get("child_id"), {})
            document["children"].append(_merge(kept, {key: value for key, value in data.items()
                                                      if key != "child_id" or value}))
        return document

    def findings(self) -> Findings:
        """What is wrong with the COE as it stands: the form's own errors (a date that is not one) and the
        rules engine's findings on the rest."""
        if self.form.is_bound:
            self.is_valid()
            document = self.document()
        else:
            document = self.original
        findings = Findings(self, check(document, known_district_ids()))
        for form in [self.form, *self.children]:
            for name, errors in form.errors.items():
                for error in errors:
                    findings.add_to_field(form, name, "error", error)
        for level, items in (("error", findings.result.all_errors()), ("warning", findings.result.warnings)):
            for finding in items:
                findings.add(finding.field, level, finding.render(gettext))
        return findings


_CHILD_PATH = re.compile(r"^children\[(\d+)\](?:\.(.+))?$")


class Findings:
    """The rules engine's findings and the form's own errors, each put beside the field it is about, or
    with the child or the whole COE when no field shows it."""

    def __init__(self, entry: CoeEntry, result: CoeResult):
        self.entry = entry
        self.result = result
        # A bound form lists its filled children (validated first); an unbound one, its document's.
        self.kept = entry.filled_children() if entry.form.is_bound else list(entry.children)
        self.by_field: dict[str, list[tuple[str, str]]] = {}
        self.by_child: dict[str, list[tuple[str, str]]] = {}
        self.general: list[tuple[str, str]] = []

    def add_to_field(self, form: forms.Form, name: str, level: str, message: str) -> None:
        if name == "__all__":
            self.general.append((level, message))
        else:
            self.by_field.setdefault(form[name].html_name, []).append((level, message))

    def add(self, path: str, level: str, message: str) -> None:
        """A finding about the document path ``path``: beside its field, else with its child or the COE."""
        match = _CHILD_PATH.match(path)
        if match and int(match[1]) < len(self.kept):
            form, subpath = self.kept[int(match[1])], match[2] or ""
        else:
            form, subpath = self.entry.form, path
        name = _field_for(form, subpath)
        if name in form.errors:
            return  # the field's own error says what is wrong; the rules saw the value as missing
        if name:
            self.add_to_field(form, name, level, message)
        elif form is not self.entry.form:
            self.by_child.setdefault(form.prefix, []).append((level, message))
        else:
            self.general.append((level, message))

    @property
    def errors(self) -> int:
        return sum(level == "error" for items in (self.general, *self.by_field.values(), *self.by_child.values())
                   for level, _message in items)

    def slots(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Every place a finding may show (each field, each child, the COE) with what it shows now: the
        check answers all of them, so findings that no longer hold disappear."""
        slots = [(f"findings-{form[name].html_name}", self.by_field.get(form[name].html_name, []))
                 for form in [self.entry.form, *self.entry.children] for name in form.fields if name != "child_id"]
        slots += [(f"findings-{form.prefix}", self.by_child.get(form.prefix, [])) for form in self.entry.children]
        return slots + [("findings-coe", self.general)]


def _field_for(form: forms.Form, path: str) -> str | None:
    """The form field a document path names, or the first field inside the object it names."""
    name = path.replace(".", SEP)
    if name in form.fields:
        return name
    return next((field for field in form.fields if name and field.startswith(name + SEP)), None)


def flatten(document: dict, prefix: str = "") -> dict[str, Any]:
    """``{"family": {"phone": "1"}}`` -> ``{"family__phone": "1"}`` (the form's initial values)."""
    flat = {}
    for key, value in document.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}{SEP}"))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def nest(values: dict[str, Any]) -> dict:
    """The inverse of ``flatten``, with dates written ISO and empty text as null, as in interfaces.md."""
    document: dict = {}
    for name, value in values.items():
        *parents, key = name.split(SEP)
        node = document
        for parent in parents:
            node = node.setdefault(parent, {})
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, str):
            value = value.strip() or None
        node[key] = value
    return document


def _merge(base: dict, changes: dict) -> dict:
    merged = dict(base)
    for key, value in changes.items():
        merged[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return merged


# The words for a document's coded values, by the kind of value (``{{ value|coe_label:"moved" }}``).
LABELS = {"sex": SEX_LABELS, "moved": MOVED_LABELS, "relationship": RELATIONSHIP_LABELS, "prong": PRONG_LABELS,
          "duration": DURATION_LABELS, "sector": SECTOR_LABELS, "temporary_basis": TEMPORARY_BASIS_LABELS,
          "verification": VERIFICATION_LABELS}


def judgement(result: CoeResult) -> dict:
    """The rules engine's result as a page shows it: every error (the COE's and its children's) in one list,
    in the user's language."""
    return {**result.as_dict(gettext), "errors": [error.as_dict(gettext) for error in result.all_errors()],
            "has_errors": result.has_errors}
