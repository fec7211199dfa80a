"""``/api/v1/reports/child-count/?period=2024-25``: the Category 1 and 2 child counts of the caller's scope, as
`mepsis report child-count --format json` gives them; below the state level (a district or regional user,
or a district asked for) small cells are suppressed (``mepsis.reports.child_count.suppressed``)."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, views
from rest_framework.response import Response

from mepsis.reports import child_count as counts
from mepsis.rules.periods import parse_year_name

from .common import ERRORS, invalid, scope


class CountFilters(serializers.Serializer):
    period = serializers.CharField(max_length=7, help_text=_("The performance period, such as 2024-25 "
                                                            "(September 1 to August 31)."))
    district = serializers.CharField(required=False, max_length=20, help_text=_("Only this one of your districts."))

    def validate_period(self, value):
        first = parse_year_name(value)
        if first is None or not 1900 <= first <= 9998:
            raise serializers.ValidationError(gettext("The period is two consecutive years written like 2024-25."),
                                              code="INVALID_VALUE")
        return value


class ChildCountSerializer(serializers.Serializer):
    period = serializers.CharField()
    category1 = serializers.IntegerField(allow_null=True, help_text=_("null: suppressed (a small cell)."))
    category2 = serializers.IntegerField(allow_null=True)
    by_age_grade = serializers.DictField(child=serializers.DictField(
        child=serializers.IntegerField(allow_null=True)))
    suppressed_below = serializers.IntegerField(required=False)
    districts = serializers.ListField(child=serializers.CharField(), required=False)


class ChildCountView(views.APIView):
    @extend_schema(parameters=[CountFilters], responses={200: ChildCountSerializer, **ERRORS})
    def get(self, request):
        """Category 1 and Category 2 counts with their age/grade cells, statewide for the state's users, else of
        your districts with small cells suppressed."""
        the_scope = scope(request)
        the_scope.require("counts.read")
        filters = CountFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        period, district = filters.validated_data["period"], filters.validated_data.get("district")
        districts = None
        if the_scope.suppress_counts or district:
            yours = the_scope.districts()
            if district:
                yours = yours.filter(district_id=district)
                if not yours.exists():
                    raise invalid("district", gettext("%(district)s is not one of your districts.") % {
                        "district": district})
            districts = sorted(yours.values_list("district_id", flat=True))
        result = counts.child_count(period, districts=districts)
        if districts is None:
            return Response(result.as_dict())
        return Response({**counts.suppressed(result), "districts": districts})
