"""``/api/v1/enrollments/``: a SIS pushes a batch of enrollment rows (a JSON array of feed rows, interfaces.md
"Enrollment feed") for its own districts. The rows go through the nightly ingest itself
(``mepsis.enrollments.actions.ingest_frame``): the same checks, storing, matching, alerts and summary; a
refused row is named by its position in the array (1 for the first) with every reason."""

from __future__ import annotations

import time

from django.utils.translation import gettext, gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, views
from rest_framework.response import Response

from mepsis.access import audit
from mepsis.enrollments.actions import ingest_frame
from mepsis.enrollments.feed import COLUMNS, REQUIRED, frame_of_values

from .common import ERRORS, BatchCounts, invalid, scope

MAX_ROWS = 10_000


class FeedRow(serializers.Serializer):
    """One row of the enrollment feed; every value is text, as in the CSV feed."""

    def get_fields(self):
        return {column: serializers.CharField(required=column in REQUIRED, allow_null=column not in REQUIRED)
                for column in COLUMNS}


class RowError(serializers.Serializer):
    code = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


class RefusedRow(serializers.Serializer):
    line = serializers.IntegerField(help_text=_("The row's position in the array, 1 for the first."))
    errors = RowError(many=True)


class IngestSummary(BatchCounts):
    matched_auto = serializers.IntegerField()
    matched_review = serializers.IntegerField()
    alerts = serializers.IntegerField()
    seconds = serializers.FloatField()
    run = serializers.IntegerField(allow_null=True)
    refused = RefusedRow(many=True)


class EnrollmentBatchView(views.APIView):
    @extend_schema(request=FeedRow(many=True), responses={200: IngestSummary, **ERRORS})
    def post(self, request):
        """Ingest a batch of enrollment rows of your districts. The good rows are kept and the refused ones
        listed, as for the nightly feed; the summary is the feed's."""
        started = time.perf_counter()
        the_scope = scope(request)
        the_scope.require("enrollments.push")
        rows = request.data
        if not isinstance(rows, list) or not rows:
            raise invalid("", gettext("The body must be a JSON array of enrollment rows, at least one."))
        if len(rows) > MAX_ROWS:
            raise invalid("", gettext("Send at most %(count)s rows at a time.") % {"count": MAX_ROWS})
        yours = set(the_scope.districts().values_list("district_id", flat=True))
        values = [(line, row, _not_yours(row, yours)) for line, row in enumerate(rows, 1)]
        user = audit.actor_of(request.user)
        report = ingest_frame(frame_of_values(values), started, source="api", file_name=f"api:{user}", actor=user)
        refused = [{"line": row["line"], "errors": [_error(reason) for reason in row["reasons"]]}
                   for row in report.refused.select("line", "reasons").iter_rows(named=True)]
        return Response({**report.as_dict(), "refused": refused})


def _not_yours(row, yours: set[str]) -> str | None:
    """Why a row may not be sent by this caller (its district is not one of theirs), or None."""
    if not isinstance(row, dict) or row.get("district_id") in (None, ""):
        return None
    district = str(row["district_id"]).strip()
    if district in yours:
        return None
    return gettext("district_id %(district)s is not one of the districts you send enrollments for.") % {
        "district": district}


def _error(reason: str) -> dict:
    """A feed reason ("field: sentence") as an error item."""
    field, _, message = reason.partition(": ")
    return {"code": "MISSING_FIELD" if message == "is required." else "INVALID_VALUE", "field": field,
            "message": message}
