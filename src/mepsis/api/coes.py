"""``/api/v1/coes/``: COE documents (interfaces.md's format) and their review workflow.

Writes go through ``mepsis.registry.actions``; what a COE says is judged by the rules engine, whose findings
come back with every COE written or read one at a time. Optimistic locking: a GET gives the COE's
``version`` (also as ``ETag``); send it back (``If-Match``, or ``version`` in the body) with a change or a
review step, and the action is refused with 409 if someone changed the COE since you read it.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from mepsis.access import audit
from mepsis.registry import actions
from mepsis.registry.models import Coe, CoeStatus
from mepsis.registry.queries import current_documents

from .coe_document import CoeDocument, JudgedCoe, StoredCoe
from .common import ERRORS, VERSION_HELP, Page, etag, expected_version, invalid, scope

IF_MATCH = OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description=VERSION_HELP)
# Not content: the workflow is changed by its own steps, and these the system gives.
NOT_CONTENT = ("version", "findings", "status", "return_reasons", "void_reason")
COE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


class CoeFilters(serializers.Serializer):
    status = serializers.ChoiceField(CoeStatus.values, required=False)
    district = serializers.CharField(required=False, max_length=20, help_text=_("The district moved to."))


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)


class ApproveSerializer(VersionSerializer):
    reviewer_name = serializers.CharField(required=False, max_length=200, help_text=_(
        "The name signed on the COE; your own name by default."))
    date = serializers.DateField(required=False, help_text=_("The date signed; today by default."))


class ReturnSerializer(VersionSerializer):
    reasons = serializers.ListField(child=serializers.CharField(max_length=1000), min_length=1, help_text=_(
        "What the recruiter must correct, one sentence each."))


class RejectSerializer(VersionSerializer):
    why = serializers.CharField(max_length=2000)


class CoeViewSet(viewsets.GenericViewSet):
    serializer_class = StoredCoe
    pagination_class = Page
    lookup_field = "coe_id"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return scope(self.request).coes()

    @extend_schema(parameters=[CoeFilters], responses={200: StoredCoe(many=True), **ERRORS})
    def list(self, request):
        """COEs in your scope, 25 a page, by COE id. Audited, one event a page."""
        filters = CoeFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        coes = self.get_queryset().only("coe_id", "status", "version", "return_reasons", "void_reason")
        if "status" in filters.validated_data:
            coes = coes.filter(status=filters.validated_data["status"])
        if "district" in filters.validated_data:
            coes = coes.filter(to_district_id=filters.validated_data["district"])
        page = self.paginate_queryset(coes.order_by("coe_id"))
        audit.record_export(request.user, f"api/coes?{request.GET.urlencode()}"[:64], len(page))
        return self.get_paginated_response([{**document, "version": coe.version}
                                            for coe, document in zip(page, current_documents(page), strict=True)])

    @extend_schema(request=CoeDocument, responses={201: JudgedCoe, **ERRORS})
    def create(self, request):
        """Write a new COE, saved as a draft (submit it with /submit/). It is judged by the rules engine: an
        incomplete or unreadable one is refused (400, with the rules engine's codes), any other finding
        comes back with it for you to correct before you submit."""
        the_scope = scope(request)
        the_scope.require("coe.write")
        document = _content(request)
        if request.data.get("status", CoeStatus.DRAFT) != CoeStatus.DRAFT:
            raise invalid("status", gettext("A new COE is saved as a draft; submit it with its /submit/ step."))
        coe_id = document.get("coe_id") or _new_coe_id(document)
        if not isinstance(coe_id, str) or not COE_ID.fullmatch(coe_id):
            raise invalid("coe_id", gettext("A COE id is 1 to 40 letters, digits, dots, hyphens or underscores."))
        coe = actions.write_coe({**document, "coe_id": coe_id}, author=request.user, actor=audit.actor_of(request.user))
        return _answer(coe, status.HTTP_201_CREATED)

    @extend_schema(responses={200: JudgedCoe, **ERRORS})
    def retrieve(self, request, coe_id=None):
        """One COE with the rules engine's findings; its version is its ETag. Audited."""
        coe = get_object_or_404(self.get_queryset(), coe_id=coe_id)
        audit.record_read(request.user, "coe", coe.coe_id)
        return _answer(coe)

    @extend_schema(request=CoeDocument, parameters=[IF_MATCH], responses={200: JudgedCoe, **ERRORS})
    def update(self, request, coe_id=None):
        """Change a draft or returned COE: a new version of its content (409 if it changed since you read it,
        or is no longer a draft or returned)."""
        coe = get_object_or_404(self.get_queryset(), coe_id=coe_id)
        scope(request).require("coe.write")
        version = expected_version(request)
        document = _content(request)
        if coe.status not in (CoeStatus.DRAFT, CoeStatus.RETURNED):
            raise actions.Conflict(gettext("COE %(coe_id)s is %(status)s: only a draft or returned COE can be "
                                           "changed.") % {"coe_id": coe.coe_id, "status": coe.status})
        if document.get("coe_id") not in (None, coe.coe_id):
            raise invalid("coe_id", gettext("The COE id of the document is not the COE's: %(coe_id)s.") % {
                "coe_id": coe.coe_id})
        coe = actions.revise_coe(coe.coe_id, document, actor=audit.actor_of(request.user), expected_version=version)
        return _answer(coe)

    @extend_schema(request=VersionSerializer, parameters=[IF_MATCH], responses={200: JudgedCoe, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, coe_id=None):
        """Submit a draft or returned COE for review; refused (400, with the findings) while it has errors."""
        coe, body = self._step(request, "coe.write", VersionSerializer)
        return _answer(actions.submit_coe(coe.coe_id, actor=audit.actor_of(request.user),
                                          expected_version=body["version"]))

    @extend_schema(request=ApproveSerializer, parameters=[IF_MATCH], responses={200: JudgedCoe, **ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, coe_id=None):
        """Approve a submitted COE: your signature goes on it as a new version; it must pass every rule."""
        coe, body = self._step(request, "coe.review", ApproveSerializer)
        name = body.get("reviewer_name") or request.user.get_full_name() or request.user.get_username()
        return _answer(actions.approve_coe(coe.coe_id, actor=audit.actor_of(request.user), reviewer_name=name,
                                           on=body.get("date") or timezone.localdate(),
                                           expected_version=body["version"]))

    @extend_schema(request=ReturnSerializer, parameters=[IF_MATCH], responses={200: JudgedCoe, **ERRORS})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, coe_id=None):
        """Return a submitted COE to its recruiter, saying what to correct."""
        coe, body = self._step(request, "coe.review", ReturnSerializer)
        return _answer(actions.return_coe(coe.coe_id, actor=audit.actor_of(request.user), reasons=body["reasons"],
                                          expected_version=body["version"]))

    @extend_schema(request=RejectSerializer, parameters=[IF_MATCH], responses={200: JudgedCoe, **ERRORS})
    @action(detail=True, methods=["post"])
    def reject(self, request, coe_id=None):
        """Reject a submitted COE, saying why."""
        coe, body = self._step(request, "coe.review", RejectSerializer)
        return _answer(actions.reject_coe(coe.coe_id, actor=audit.actor_of(request.user), why=body["why"],
                                          expected_version=body["version"]))

    def _step(self, request, permission: str, serializer_class) -> tuple[Coe, dict]:
        """The COE of a review step (404 outside your scope, 403 without the permission) and its body."""
        the_scope = scope(request)
        coe = get_object_or_404(self.get_queryset(), coe_id=self.kwargs["coe_id"])
        the_scope.require(permission)
        body = serializer_class(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        return coe, {**body.validated_data, "version": expected_version(request)}


def _content(request) -> dict:
    """The COE content of the body. A child it names by ``child_id`` must be one the caller sees: a COE may
    not claim a child of someone else's records (the id is then unknown, as any id out of scope)."""
    data = request.data
    if not isinstance(data, dict):
        raise invalid("", gettext("The body must be one COE document, a JSON object."))
    if _has_nul(data):  # no database stores it in text (PostgreSQL refuses it)
        raise invalid("", gettext("The document contains a NUL character (\\u0000)."))
    children = data.get("children") if isinstance(data.get("children"), list) else []
    named = {index: child["child_id"] for index, child in enumerate(children)
             if isinstance(child, dict) and isinstance(child.get("child_id"), str) and child["child_id"]}
    seen = set(scope(request).children().filter(child_id__in=named.values()).values_list("child_id", flat=True))
    for index, child_id in named.items():
        if child_id not in seen:
            raise invalid(f"children[{index}].child_id", gettext("There is no child %(child_id)s.") % {
                "child_id": child_id})
    return {key: value for key, value in data.items() if key not in NOT_CONTENT}


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _new_coe_id(document: dict) -> str:
    """An id for a COE written without one: the state, the year and eight random hexadecimal digits."""
    interview = str(document.get("interview_date") or "")
    year = interview[:4] if interview[:4].isdigit() else str(timezone.localdate().year)
    return f"{settings.MEPSIS_STATE}-{year}-{secrets.token_hex(4).upper()}"


def _answer(coe: Coe, code: int = status.HTTP_200_OK) -> Response:
    """The COE as it is now, with the rules engine's findings, and its version as ETag."""
    coe.refresh_from_db()
    document = current_documents([coe])[0]
    findings = actions.check(document, actions.known_district_ids()).as_dict(gettext)
    response = Response({**document, "version": coe.version, "findings": findings}, status=code)
    response["ETag"] = etag(coe.version)
    return response
