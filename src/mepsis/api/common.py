"""What every resource of the API shares: the caller's scope, pages of 25, the optimistic-locking version
a caller read, and one shape of error body.

Every error answers ``{"detail": sentence, "errors": [{"code", "field", "message"}, ...]}``: the rules
engine's findings for a COE, the field of a request that is wrong otherwise (``field`` is a JSON path such
as ``children[0].birth_date``, empty when the error is not about one field).
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from mepsis.access.scope import Scope, scope_for
from mepsis.registry.actions import ActionRefused, Conflict


def scope(request) -> Scope:
    return scope_for(request.user)


class Page(PageNumberPagination):
    """Pages of 25 by number (``?page=2``), with links to the next and previous pages and no total: counting
    every record of a scope would cost more than reading the page (the number of a page past the last answers
    404)."""

    page_size = 25
    template = None

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        text = request.query_params.get(self.page_query_param) or "1"
        self.number = int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 7 else 0
        if self.number < 1:
            raise exceptions.NotFound(self.invalid_page_message)
        start = (self.number - 1) * self.page_size
        rows = list(queryset[start:start + self.page_size + 1])  # one more tells whether a next page exists
        if not rows and self.number > 1:
            raise exceptions.NotFound(self.invalid_page_message)
        self.has_next = len(rows) > self.page_size
        return rows[:self.page_size]

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        del described["properties"]["count"]
        described["required"] = ["next", "previous", "results"]
        return described

    def get_next_link(self):
        if not self.has_next:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number == 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer."""

    class Item(serializers.Serializer):
        code = serializers.CharField()
        field = serializers.CharField(allow_blank=True)
        message = serializers.CharField()

    detail = serializers.CharField()
    errors = Item(many=True)


ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404, 409)}


def expected_version(request) -> int | None:
    """The version of the COE the caller read: the ``If-Match`` header (the ``ETag`` of a GET), else the
    ``version`` of the body; None when the caller gave neither (``If-Match: *`` included)."""
    given = request.headers.get("If-Match")
    if given is None and isinstance(request.data, dict):
        given = request.data.get("version")
    if given is None or str(given).strip() == "*":
        return None
    text = str(given).strip().removeprefix("W/").strip('"')
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise exceptions.ValidationError({"version": [exceptions.ErrorDetail(
            gettext("The version must be the COE's version number as its ETag gives it, such as \"3\"."),
            code="INVALID_VALUE")]})
    return int(text)


def invalid(field: str, message: str) -> exceptions.ValidationError:
    """A 400 answer about one field of the request (``""``: the request as a whole)."""
    return exceptions.ValidationError({field or "non_field_errors": [exceptions.ErrorDetail(message, "INVALID_VALUE")]})


def form_errors(form) -> exceptions.ValidationError:
    """The errors of a Django form (one the pages share with the API) as a 400 answer."""
    return exceptions.ValidationError({field: [exceptions.ErrorDetail(error["message"], error["code"] or "invalid")
                                               for error in errors]
                                       for field, errors in form.errors.get_json_data().items()})


def pk_of(text) -> int:
    """A primary key from the URL; anything else names no record (404)."""
    return int(text) if str(text).isascii() and str(text).isdigit() and len(str(text)) < 19 else 0


def etag(version: int) -> str:
    return f'"{version}"'


def exception_handler(exc, context):
    """ActionRefused: 400 with its findings (409 for a Conflict); DRF's own errors in the same shape."""
    if isinstance(exc, ActionRefused):
        code = "CONFLICT" if isinstance(exc, Conflict) else "REFUSED"
        body = {"detail": str(exc), "errors": exc.errors or [{"code": code, "field": "", "message": str(exc)}]}
        return Response(body, status=status.HTTP_409_CONFLICT if isinstance(exc, Conflict) else 400)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": gettext("The request has errors; nothing was saved."),
                         "errors": list(_flatten(exc.detail, ""))}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", "error")
        response.data = {"detail": str(detail), "errors": [
            {"code": _CODES.get(code, code).upper(), "field": "", "message": str(detail)}]}
    return response


def _flatten(detail, path: str):
    """DRF's nested error detail as (code, JSON path, message) items."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # an item of a list field
                yield from _flatten(value, f"{path}[{key}]")
                continue
            name = "" if key == "non_field_errors" else str(key)
            yield from _flatten(value, f"{path}.{name}" if path and name else path or name)
    elif isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail) for item in detail):
            for item in detail:
                yield from _flatten(item, path)
        else:
            for index, item in enumerate(detail):
                yield from _flatten(item, f"{path}[{index}]")
    else:
        code = getattr(detail, "code", "invalid")
        yield {"code": _CODES.get(code, code).upper(), "field": path, "message": str(detail)}


# DRF's codes, named as the rules engine names the same errors.
_CODES = {"required": "MISSING_FIELD", "blank": "MISSING_FIELD", "null": "MISSING_FIELD", "invalid": "INVALID_VALUE",
          "invalid_choice": "INVALID_VALUE", "max_length": "INVALID_VALUE", "min_length": "INVALID_VALUE",
          "max_value": "INVALID_VALUE", "min_value": "INVALID_VALUE", "not_a_list": "INVALID_VALUE",
          "empty": "MISSING_FIELD", "does_not_exist": "INVALID_VALUE", "date": "INVALID_VALUE",
          "parse_error": "INVALID_JSON"}

VERSION_HELP = _("The COE's version as you read it (its ETag), so that you do not act on a COE someone else "
                 "has changed since: 409 if it has.")


class BatchCounts(serializers.Serializer):
    """What a batch posted to the API did with its rows, as its file import reports it."""

    rows = serializers.IntegerField()
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    new = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
