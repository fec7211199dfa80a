"""``/api/v1/alerts/``: Migrant Student Enrollment Alerts (and the recruiters' alerts) in the caller's scope,
newest first, and ``/api/v1/alerts/{id}/acknowledge/``."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from mepsis.access import audit
from mepsis.alerts.actions import acknowledge_alert
from mepsis.alerts.models import Alert, AlertChild

from .common import ERRORS, Page, pk_of, scope


class AlertChildSerializer(serializers.Serializer):
    child_id = serializers.CharField(source="child.child_id")
    first_name = serializers.CharField(source="child.first_name")
    last_name_1 = serializers.CharField(source="child.last_name_1")
    last_name_2 = serializers.CharField(source="child.last_name_2")
    birth_date = serializers.DateField(source="child.birth_date")
    state_student_id = serializers.CharField(source="child.state_student_id", allow_null=True)
    school_id = serializers.CharField(source="enrollment.school.school_id")
    local_student_id = serializers.CharField(source="enrollment.local_student_id")
    entry_date = serializers.DateField(source="enrollment.entry_date")


class AlertSerializer(serializers.ModelSerializer):
    district_id = serializers.CharField(source="district.district_id", allow_null=True, default=None)
    children = AlertChildSerializer(many=True)

    class Meta:
        model = Alert
        fields = ["id", "kind", "district_id", "created_at", "acknowledged_at", "acknowledged_by", "children"]


class AlertFilters(serializers.Serializer):
    open = serializers.BooleanField(required=False, help_text="Only the alerts nobody has acknowledged.")


class AlertViewSet(viewsets.GenericViewSet):
    serializer_class = AlertSerializer
    pagination_class = Page

    def get_queryset(self):
        return scope(self.request).alerts()

    @extend_schema(parameters=[AlertFilters], responses={200: AlertSerializer(many=True), **ERRORS})
    def list(self, request):
        """Alerts in your scope with their children, newest first, 25 a page. Audited, one event a page."""
        filters = AlertFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        children = (AlertChild.objects.select_related("child", "enrollment__school")
                    .order_by("child__last_name_1", "child__first_name", "child__child_id"))
        alerts = (self.get_queryset().select_related("district").prefetch_related(Prefetch("children", children))
                  .order_by("-created_at", "-pk"))
        if filters.validated_data.get("open"):
            alerts = alerts.filter(acknowledged_at__isnull=True)
        page = self.paginate_queryset(alerts)
        audit.record_export(request.user, f"api/alerts?{request.GET.urlencode()}"[:64], len(page))
        return self.get_paginated_response(AlertSerializer(page, many=True).data)

    @extend_schema(request=None, responses={200: AlertSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Say that you have seen the alert and reviewed your migrant list (who and when are recorded)."""
        alert = get_object_or_404(self.get_queryset(), pk=pk_of(pk))
        scope(request).require("alert.acknowledge")
        acknowledge_alert(alert.pk, actor=audit.actor_of(request.user))
        return Response(AlertSerializer(self.get_queryset().prefetch_related("children__child",
                                                                             "children__enrollment__school")
                                        .select_related("district").get(pk=alert.pk)).data)
