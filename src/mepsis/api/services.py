"""``/api/v1/services/``: the MEP services in the caller's scope, and a batch of services recorded as the
services import records them; ``/api/v1/continuations/``: a reviewer's continuation of services."""

from __future__ import annotations

import polars as pl
from django.utils.translation import gettext, gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from mepsis.access import audit
from mepsis.delivery import actions, servicefile
from mepsis.delivery.models import ContinuationOfServices, ContinuationReason, Service
from mepsis.registry.models import Child, CoeChild

from .common import ERRORS, BatchCounts, Page, invalid, scope

MAX_ROWS = 10_000


class ServiceSerializer(serializers.ModelSerializer):
    child_id = serializers.CharField(source="child.child_id")
    state_student_id = serializers.CharField(source="child.state_student_id", allow_null=True)
    project_id = serializers.CharField(source="project.project_id")
    session_type = serializers.CharField(source="project.session_type")
    coe_id = serializers.CharField(source="coe.coe_id", allow_null=True, default=None)
    continuation_id = serializers.IntegerField(allow_null=True)
    hours = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True, coerce_to_string=False)

    class Meta:
        model = Service
        fields = ["id", "child_id", "state_student_id", "project_id", "session_type", "service", "begin_date",
                  "end_date", "hours", "basis", "coe_id", "continuation_id", "recorded_at", "recorded_by"]


class ServiceFilters(serializers.Serializer):
    child_id = serializers.CharField(required=False, max_length=40)
    project_id = serializers.CharField(required=False, max_length=40)
    begin_date = serializers.DateField(required=False, help_text=_(
        "Only the services that go on until this day or later."))
    end_date = serializers.DateField(required=False, help_text=_("Only the services begun on or before this day."))


class ServiceRow(serializers.Serializer):
    """One service, in the columns of the services file (interfaces.md, "Services"), as text."""

    coe_id = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=40)
    child_index = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=9)
    state_student_id = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=32)
    service = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=12)
    project_id = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=40)
    session_type = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=8)
    begin_date = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=10)
    end_date = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=10)
    hours = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=12)


class RefusedService(serializers.Serializer):
    line = serializers.IntegerField(help_text=_("The row's position in the array, 1 for the first."))
    field = serializers.CharField()
    message = serializers.CharField()


class ServicesReportSerializer(BatchCounts):
    projects_created = serializers.IntegerField()
    refused = RefusedService(many=True)


class ServiceViewSet(viewsets.GenericViewSet):
    serializer_class = ServiceSerializer
    pagination_class = Page

    def get_queryset(self):
        return scope(self.request).services().select_related("child", "project", "coe")

    @extend_schema(parameters=[ServiceFilters], responses={200: ServiceSerializer(many=True), **ERRORS})
    def list(self, request):
        """Services in your scope, newest first, 25 a page; every page you read is audited."""
        filters = ServiceFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        services = self.get_queryset()
        if "child_id" in wanted:
            services = services.filter(child__child_id=wanted["child_id"])
        if "project_id" in wanted:
            services = services.filter(project__project_id=wanted["project_id"])
        if "begin_date" in wanted:
            services = services.filter(end_date__gte=wanted["begin_date"])
        if "end_date" in wanted:
            services = services.filter(begin_date__lte=wanted["end_date"])
        page = self.paginate_queryset(services.order_by("-begin_date", "-pk"))
        audit.record_export(request.user, "api/services", len(page))
        return self.get_paginated_response(ServiceSerializer(page, many=True).data)

    @extend_schema(request=ServiceRow(many=True), responses={200: ServicesReportSerializer, **ERRORS})
    def create(self, request):
        """Record services (a JSON array of rows in the services file's columns) as ``mepsis services import``
        does: the good rows are recorded, each refused row is listed with its line (its position in the array,
        1 for the first), field and reason. A row naming a child outside your scope is refused as one naming
        no child."""
        the_scope = scope(request)
        the_scope.require("service.record")
        if not isinstance(request.data, list):
            raise invalid("", gettext("Send a JSON array of services."))
        if len(request.data) > MAX_ROWS:
            raise invalid("", gettext("Send at most %(count)s services at once.") % {"count": MAX_ROWS})
        body = ServiceRow(data=request.data, many=True)
        body.is_valid(raise_exception=True)
        rows = pl.DataFrame([{column: row.get(column) for column in servicefile.COLUMNS}
                             for row in body.validated_data], schema={column: pl.String for column in servicefile.COLUMNS})
        rows = rows.with_columns(line=pl.int_range(1, rows.height + 1, dtype=pl.Int64))
        outside = _outside_scope(rows, the_scope)
        report = actions.record_services(rows.filter(~pl.col("line").is_in(list(outside))),
                                         actor=audit.actor_of(request.user), source="api")
        refused = sorted(report.refused + [(line, reason) for line, reasons in outside.items() for reason in reasons])
        answer = {**report.as_dict(), "rows": rows.height, "rejected": report.rejected + len(outside),
                  "refused": [_refusal(line, reason) for line, reason in refused]}
        return Response(ServicesReportSerializer(answer).data)


def _outside_scope(rows: pl.DataFrame, the_scope) -> dict[int, list[str]]:
    """The rows naming a child that exists but is outside the caller's scope, each with the reasons the import
    gives a row naming no child (so the answer does not tell that the child exists)."""
    named = [(line, (coe_id or "").strip(), _index(child_index), (student or "").strip()) for
             line, coe_id, child_index, student in rows.select("line", "coe_id", "child_index",
                                                                "state_student_id").iter_rows()]
    by_coe = {(coe_id, index): child for coe_id, index, child in CoeChild.objects.filter(
        coe__coe_id__in={coe_id for _l, coe_id, _i, _s in named if coe_id}).values_list("coe__coe_id", "index",
                                                                                         "child_id")}
    by_student = dict(Child.objects.filter(state_student_id__in={student for *_rest, student in named if student})
                      .values_list("state_student_id", "pk"))
    seen = set(the_scope.children().filter(pk__in={*by_coe.values(), *by_student.values()})
               .values_list("pk", flat=True))
    outside: dict[int, list[str]] = {}
    hidden = lambda child: child is not None and child not in seen  # noqa: E731
    for line, coe_id, index, student in named:
        if hidden(by_coe.get((coe_id, index))):
            outside.setdefault(line, []).append("coe_id: " + gettext(
                "COE %(coe_id)s has no child at position %(index)s.") % {"coe_id": f'"{coe_id}"', "index": index})
        if hidden(by_student.get(student)):
            outside.setdefault(line, []).append("state_student_id: " + gettext(
                "no certified child has the state student id %(id)s.") % {"id": f'"{student}"'})
    return outside


def _index(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 9 else None


def _refusal(line: int, reason: str) -> dict:
    field, _colon, message = reason.partition(": ")
    return {"line": line, "field": field, "message": message}


class ContinuationSerializer(serializers.ModelSerializer):
    child_id = serializers.CharField(source="child.child_id")

    class Meta:
        model = ContinuationOfServices
        fields = ["id", "child_id", "reason", "begin_date", "end_date", "why", "recorded_by", "recorded_at"]


class NewContinuation(serializers.Serializer):
    child_id = serializers.CharField(max_length=40)
    reason = serializers.ChoiceField(choices=ContinuationReason.choices)
    begin_date = serializers.DateField()
    end_date = serializers.DateField()
    why = serializers.CharField(max_length=5000, help_text=_(
        "Why the child continues to be served (for the previous-term reason, that comparable services are not "
        "available otherwise)."))


class ContinuationView(APIView):
    @extend_schema(request=NewContinuation, responses={201: ContinuationSerializer, **ERRORS})
    def post(self, request):
        """Record that a child whose eligibility ended may still be served, for one of the three reasons of
        ESEA 1304(e), on the given days."""
        the_scope = scope(request)
        the_scope.require("continuation.record")
        body = NewContinuation(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if not the_scope.children().filter(child_id=data["child_id"]).exists():
            raise invalid("child_id", gettext("There is no child %(child)s.") % {"child": data["child_id"]})
        continuation = actions.record_continuation(data["child_id"], reason=data["reason"],
                                                   begin=data["begin_date"], end=data["end_date"],
                                                   actor=audit.actor_of(request.user), why=data["why"])
        return Response(ContinuationSerializer(continuation).data, status=status.HTTP_201_CREATED)
