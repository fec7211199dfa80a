"""``/api/v1/children/``: the children in the caller's scope, and each one's consolidated record."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from mepsis.access import audit
from mepsis.registry.models import Child
from mepsis.web.views.children import ChildFilter

from .common import ERRORS, Page, form_errors, scope
from .records import consolidated_record, find_child


class ChildSerializer(serializers.ModelSerializer):
    class Meta:
        model = Child
        fields = ["child_id", "first_name", "middle_name", "last_name_1", "last_name_2", "suffix", "sex",
                  "birth_date", "state_student_id"]


class ChildFilters(serializers.Serializer):
    """The filters of the list, as the OpenAPI schema tells them (``mepsis.web.views.children.ChildFilter``
    applies them)."""

    district = serializers.CharField(required=False, max_length=20, help_text=_(
        "One of your districts: the children with an enrollment there or a COE moving there."))
    eligible_on = serializers.DateField(required=False, help_text=_("Only the children eligible on this day."))
    name = serializers.CharField(required=False, max_length=100, help_text=_(
        "The start of a first or last name; several words narrow the list."))
    birth_date = serializers.DateField(required=False)


class ChildCoeSerializer(serializers.Serializer):
    coe_id = serializers.CharField()
    status = serializers.CharField()
    version = serializers.IntegerField()
    interview_date = serializers.DateField(allow_null=True)
    qad = serializers.DateField(allow_null=True)
    to_district_id = serializers.CharField(allow_blank=True)
    child_index = serializers.IntegerField()
    residency_date = serializers.DateField(allow_null=True)
    eligibility_start = serializers.DateField(allow_null=True)
    last_eligible_day = serializers.DateField(allow_null=True)
    end_reason = serializers.CharField(allow_null=True)


class EligibilitySerializer(serializers.Serializer):
    coe_id = serializers.CharField()
    eligibility_start = serializers.DateField()
    last_eligible_day = serializers.DateField()
    end_reason = serializers.CharField(allow_null=True)


class ChildEnrollmentSerializer(serializers.Serializer):
    district_id = serializers.CharField()
    school_id = serializers.CharField()
    school_year = serializers.CharField()
    local_student_id = serializers.CharField()
    state_student_id = serializers.CharField(allow_null=True)
    grade = serializers.CharField()
    entry_date = serializers.DateField()
    exit_date = serializers.DateField(allow_null=True)
    exit_reason = serializers.CharField(allow_null=True)
    english_learner = serializers.CharField(allow_null=True)
    iep = serializers.CharField(allow_null=True)
    free_reduced_lunch = serializers.CharField(allow_null=True)
    match_method = serializers.CharField(allow_null=True)


class ChildServiceSerializer(serializers.Serializer):
    project_id = serializers.CharField()
    session_type = serializers.CharField()
    service = serializers.CharField()
    begin_date = serializers.DateField()
    end_date = serializers.DateField()
    hours = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True, coerce_to_string=False)
    basis = serializers.CharField()


class FlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ChildRecordSerializer(ChildSerializer):
    """The consolidated record (``mepsis.api.records.consolidated_record``)."""

    middle_name = serializers.CharField(allow_null=True)
    last_name_2 = serializers.CharField(allow_null=True)
    suffix = serializers.CharField(allow_null=True)
    eligible_today = serializers.BooleanField()
    coes = ChildCoeSerializer(many=True)
    eligibility = EligibilitySerializer(many=True)
    enrollments = ChildEnrollmentSerializer(many=True)
    services = ChildServiceSerializer(many=True)
    flags = FlagSerializer(many=True)

    class Meta(ChildSerializer.Meta):
        fields = [*ChildSerializer.Meta.fields, "eligible_today", "coes", "eligibility", "enrollments", "services",
                  "flags"]


class ChildViewSet(viewsets.GenericViewSet):
    serializer_class = ChildSerializer
    pagination_class = Page
    lookup_field = "child_id"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return scope(self.request).children()

    @extend_schema(parameters=[ChildFilters], responses={200: ChildSerializer(many=True), **ERRORS})
    def list(self, request):
        """Children in your scope, 25 a page, by last names and first name; every page you read is audited."""
        the_scope = scope(request)
        # The filters of the children page, so the list and the API agree on what they mean.
        filters = ChildFilter(request.query_params, scope=the_scope)
        if not filters.is_valid():
            raise form_errors(filters)
        # Plain values in the serializer's shape, as the record is: a ModelSerializer builds its fields again
        # from the model for every request, which cost more than the page's query.
        page = self.paginate_queryset(filters.filter().values(*ChildSerializer.Meta.fields))
        # One audit event a page (what was asked, how many children it showed), never one a child.
        audit.record_export(request.user, f"api/children?{request.GET.urlencode()}"[:64], len(page))
        return self.get_paginated_response(page)

    @extend_schema(responses={200: ChildRecordSerializer, **ERRORS})
    def retrieve(self, request, child_id=None):
        """The consolidated record of a child: identity, COE history, eligibility, enrollments, services and
        flags. Audited."""
        the_scope = scope(request)
        child = find_child(the_scope, child_id)
        audit.record_read(request.user, "child", child.child_id)
        # The record is plain data already, in the serializer's shape (which the schema documents and the
        # schemathesis test holds it to): serializing it field by field again would double the request's cost.
        return Response(consolidated_record(the_scope, child))
