"""``/api/v1/smepa/``: the Ed-Fi SMEPA records of the caller's districts (the body a SIS or an ODS accepts on
POST, as ``mepsis export smepa`` writes them), for a SIS to read back its students' migrant status."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets

from mepsis.access import audit
from mepsis.reports.smepa import exported, sea_edfi_id

from .common import ERRORS, Page, scope


class SmepaPage(Page):
    page_size_query_param = "page_size"
    max_page_size = 1000


class SmepaFilters(serializers.Serializer):
    district = serializers.CharField(required=False, max_length=20)
    since = serializers.DateTimeField(required=False, help_text=(
        "Only the records changed at or after this time, withdrawn ones included (as {withdrawn, key})."))


class SmepaViewSet(viewsets.GenericViewSet):
    pagination_class = SmepaPage

    def get_queryset(self):
        return scope(self.request).smepa()

    @extend_schema(parameters=[SmepaFilters], responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def list(self, request):
        """Each record a `studentMigrantEducationProgramAssociation` body (Ed-Fi Data Standard 5.2); with
        `since`, a withdrawn record comes as `{"withdrawn": true, "key": {...}}`. A record whose district has
        no Ed-Fi id is left out. Oldest change first; audited, one event a page."""
        scope(request).require("smepa.read")
        filters = SmepaFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        records = self.get_queryset().select_related("district").order_by("updated_at", "pk")
        if "district" in filters.validated_data:
            records = records.filter(district__district_id=filters.validated_data["district"])
        if "since" in filters.validated_data:
            records = records.filter(updated_at__gte=filters.validated_data["since"])
        else:
            records = records.filter(withdrawn=False)
        page = list(self.paginate_queryset(records))
        sea_id = sea_edfi_id()
        audit.record_export(request.user, f"api/smepa?{request.GET.urlencode()}"[:64], len(page))
        return self.get_paginated_response([item.body or item.withdrawal for item in exported(page, sea_id)
                                            if not item.problem])
