"""The COE document of interfaces.md described as serializers, for the OpenAPI schema only: what a COE
says is judged by the rules engine (``mepsis.rules.check_coe``), whose codes a 400 answer carries."""

from __future__ import annotations

from rest_framework import serializers


def _text(**kwargs):
    return serializers.CharField(required=False, allow_null=True, allow_blank=True, **kwargs)


def _date():
    return serializers.DateField(required=False, allow_null=True)


def _choice(*values):
    return serializers.ChoiceField(values, required=False, allow_null=True)


_classes: dict[str, type] = {}


def _object(name: str, fields: dict, **kwargs):
    """A field of a serializer class named ``name``, made once (its field names may be Python keywords, such
    as ``from``)."""
    if name not in _classes:
        _classes[name] = type(name, (serializers.Serializer,), fields)
    return _classes[name](**kwargs)


def _person(**kwargs):
    return _object("PersonName", {"first_name": _text(), "last_name_1": _text(), "last_name_2": _text()},
                   required=False, allow_null=True, **kwargs)


class CoeChildDocument(serializers.Serializer):
    child_id = _text(help_text="The system's own id of the child (given on export; on import it links the child).")
    first_name = serializers.CharField()
    middle_name = _text()
    last_name_1 = serializers.CharField()
    last_name_2 = _text()
    suffix = _text()
    sex = serializers.ChoiceField(["F", "M", "X"])
    birth_date = serializers.DateField()
    multiple_birth = serializers.BooleanField(required=False, allow_null=True)
    birth_data_verification = _text()
    residency_date = serializers.DateField()
    state_student_id = _text()
    grade = _text()
    hs_completion_date = _date()
    eligibility_end = _object("EligibilityEnd", {"reason": _choice("DEATH", "OTHER_LOSS_OF_ENTITLEMENT"),
                                                 "date": _date()}, required=False, allow_null=True)


def _signature():
    return _object("Signature", {"name": _text(), "relationship": _text(), "date": _date()}, required=False,
                   allow_null=True)


class CoeDocument(serializers.Serializer):
    """A COE document (interfaces.md, "COE document"); fields not listed as required may be absent or null."""

    coe_id = serializers.CharField(required=False, help_text="Given by the system when a new COE comes without one.")
    status = serializers.ChoiceField(["draft", "submitted", "returned", "approved", "rejected", "void"],
                                     required=False)
    return_reasons = serializers.ListField(child=serializers.CharField(), required=False)
    void_reason = _choice("FOUND_INELIGIBLE", "DUPLICATE", "OTHER")
    interview_date = serializers.DateField()
    family = _object("Family", {
        "parent1": _person(), "parent2": _person(),
        "address": _object("Address", {"line1": _text(), "city": _text(), "state": _text(), "zip": _text()},
                           required=False, allow_null=True),
        "phone": _text(), "home_language": _text()}, required=False, allow_null=True)
    children = CoeChildDocument(many=True)
    qualifying_move = _object("QualifyingMove", {
        "from": _object("MovedFrom", {"city": _text(), "state": serializers.CharField(), "country": _text(),
                                      "district": _text()}),
        "to": _object("MovedTo", {"city": _text(), "state": serializers.CharField(), "district_id": _text()}),
        "moved": serializers.ChoiceField(["as_worker", "with_worker", "to_join_worker", "to_precede_worker"]),
        "worker": _object("Worker", {"first_name": _text(), "last_name_1": _text(),
                                     "relationship": _choice("parent", "guardian", "spouse", "self")}),
        "child_arrival_date": _date(), "worker_arrival_date": _date(), "qad": serializers.DateField(),
        "economic_necessity": serializers.BooleanField(),
        "prong": serializers.ChoiceField(["engaged", "actively_sought"]),
        "work_start_date": _date(),
        "recent_history_of_moves": serializers.BooleanField(required=False, allow_null=True),
        "work": _object("Work", {"activity": _text(), "duration": _choice("temporary", "seasonal"),
                                 "sector": _choice("agricultural", "fishing"),
                                 "personal_subsistence": serializers.BooleanField(required=False, allow_null=True)}),
        "temporary_basis": _choice("worker_statement", "employer_statement", "sea_determination"),
    })
    comments = _text()
    signatures = _object("Signatures", {"interviewee": _signature(), "interviewer": _signature(),
                                        "reviewer": _signature()}, required=False, allow_null=True)


class StoredCoe(CoeDocument):
    version = serializers.IntegerField(help_text="The current version of the COE's content; send it back as "
                                                 "If-Match (or as version) when you act on the COE.")


class ChildFindings(serializers.Serializer):
    index = serializers.IntegerField()
    eligible = serializers.BooleanField()
    eligibility_start = serializers.DateField(allow_null=True)
    last_eligible_day = serializers.DateField(allow_null=True)
    end_reason = serializers.CharField(allow_null=True)
    errors = serializers.ListField(child=serializers.DictField())


class Findings(serializers.Serializer):
    """The rules engine's judgement of the COE (the `mepsis coe check` result)."""

    coe_id = serializers.CharField(allow_null=True)
    eligible = serializers.BooleanField()
    errors = serializers.ListField(child=serializers.DictField())
    warnings = serializers.ListField(child=serializers.DictField())
    children = ChildFindings(many=True)


class JudgedCoe(StoredCoe):
    findings = Findings()
