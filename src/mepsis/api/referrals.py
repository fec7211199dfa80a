"""``/api/v1/referrals/``: families that district staff suspect are migratory, referred to the recruiters;
each referral goes open -> assigned -> interviewed -> closed through ``mepsis.alerts.actions``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext, gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from mepsis.access import audit
from mepsis.alerts import actions
from mepsis.alerts.models import Referral

from .common import ERRORS, Page, invalid, pk_of, scope


class ReferralSerializer(serializers.ModelSerializer):
    district_id = serializers.CharField(source="district.district_id")
    school_id = serializers.CharField(source="school.school_id", allow_null=True, default=None)
    child_names = serializers.ListField(child=serializers.CharField())
    created_by = serializers.CharField(source="created_by.username")
    assigned_to = serializers.CharField(source="assigned_to.username", allow_null=True, default=None)
    outcome_coe_id = serializers.CharField(source="outcome_coe.coe_id", allow_null=True, default=None)

    class Meta:
        model = Referral
        fields = ["id", "district_id", "school_id", "family_name", "child_names", "contact", "notes", "status",
                  "created_by", "created_at", "assigned_to", "outcome_coe_id", "closing_note", "updated_at"]


class NewReferral(serializers.Serializer):
    district_id = serializers.CharField(max_length=20, help_text=_("One of your districts."))
    school_id = serializers.CharField(max_length=20, required=False, allow_null=True, allow_blank=True)
    family_name = serializers.CharField(max_length=200)
    child_names = serializers.ListField(child=serializers.CharField(max_length=200, allow_blank=True), required=False,
                                        max_length=30)
    contact = serializers.CharField(max_length=300, help_text=_("How a recruiter can reach the family."))
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class Assignment(serializers.Serializer):
    recruiter = serializers.CharField(required=False, max_length=150, help_text=_(
        "The recruiter's username; yourself by default."))


class Interview(serializers.Serializer):
    coe_id = serializers.CharField(required=False, allow_null=True, max_length=40, help_text=_(
        "The COE written at the interview, when the family qualified."))


class Closing(Interview):
    why = serializers.CharField(max_length=2000)


class ReferralViewSet(viewsets.GenericViewSet):
    serializer_class = ReferralSerializer
    pagination_class = Page

    def get_queryset(self):
        return (scope(self.request).referrals()
                .select_related("district", "school", "created_by", "assigned_to", "outcome_coe"))

    @extend_schema(responses={200: ReferralSerializer(many=True), **ERRORS})
    def list(self, request):
        """Referrals in your scope, newest first, 25 a page."""
        page = self.paginate_queryset(self.get_queryset().order_by("-created_at", "-pk"))
        audit.record_export(request.user, "api/referrals", len(page))
        return self.get_paginated_response(ReferralSerializer(page, many=True).data)

    @extend_schema(request=NewReferral, responses={201: ReferralSerializer, **ERRORS})
    def create(self, request):
        """Refer a family of one of your districts to the state's recruiters."""
        the_scope = scope(request)
        the_scope.require("referral.create")
        body = NewReferral(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        district = the_scope.districts().filter(district_id=data["district_id"]).first()
        if district is None:
            raise invalid("district_id", gettext("%(district)s is not one of your districts.") % {
                "district": data["district_id"]})
        school = None
        if data.get("school_id"):
            school = district.schools.filter(school_id=data["school_id"]).first()
            if school is None:
                raise invalid("school_id", gettext("%(school)s is not a school of district %(district)s.") % {
                    "school": data["school_id"], "district": district.district_id})
        referral = actions.refer_family(by=request.user, district=district, school=school,
                                        family_name=data["family_name"], contact=data["contact"],
                                        child_names=data.get("child_names"), notes=data.get("notes", ""))
        return Response(ReferralSerializer(self.get_queryset().get(pk=referral.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: ReferralSerializer, **ERRORS})
    def retrieve(self, request, pk=None):
        referral = get_object_or_404(self.get_queryset(), pk=pk_of(pk))
        audit.record_read(request.user, "referral", referral.pk)
        return Response(ReferralSerializer(referral).data)

    @extend_schema(request=Assignment, responses={200: ReferralSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assign the referral to a recruiter (yourself unless you name another)."""
        referral, data = self._step(request, Assignment)
        recruiter = request.user
        if data.get("recruiter"):
            recruiter = get_user_model().objects.filter(username=data["recruiter"], is_active=True).first()
            if recruiter is None:
                raise invalid("recruiter", gettext("There is no user %(user)s.") % {"user": data["recruiter"]})
        actions.assign_referral(referral.pk, recruiter=recruiter, by=request.user)
        return self._answer(referral)

    @extend_schema(request=Interview, responses={200: ReferralSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def interviewed(self, request, pk=None):
        """Record that the family was interviewed, with the COE written if it qualified."""
        referral, data = self._step(request, Interview)
        actions.record_referral_interview(referral.pk, by=request.user, coe_id=data.get("coe_id"))
        return self._answer(referral)

    @extend_schema(request=Closing, responses={200: ReferralSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the referral, saying why (and naming the COE, if the family was certified)."""
        referral, data = self._step(request, Closing)
        actions.close_referral(referral.pk, by=request.user, why=data["why"], coe_id=data.get("coe_id"))
        return self._answer(referral)

    def _step(self, request, serializer_class):
        referral = get_object_or_404(self.get_queryset(), pk=pk_of(self.kwargs["pk"]))
        scope(request).require("referral.work")
        body = serializer_class(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        return referral, body.validated_data

    def _answer(self, referral):
        # Read back whatever the user's scope now says (a recruiter still sees what is assigned to them).
        return Response(ReferralSerializer(Referral.objects.select_related(
            "district", "school", "created_by", "assigned_to", "outcome_coe").get(pk=referral.pk)).data)
