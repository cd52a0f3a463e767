"""DRF plumbing every app's API shares: pagination, the error handler and the API's JSON 404.

Kept apart from the views so DRF can import it while its own modules are still loading.
"""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from rest_framework import status
from rest_framework.exceptions import ErrorDetail, NotFound, ParseError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from govcenter.catalog_extras import NO_DATA
from govcenter.errors import DomainError
from govcenter.paging import FastPaginator

DJANGO_NOT_FOUND = re.compile(r"^No \w+ matches the given query\.$")


class Pagination(PageNumberPagination):
    """Page numbers over `govcenter.paging.FastPaginator`: a capped count and cheap deep pages.

    `count` is exact up to `paging.COUNT_CAP` rows; beyond, it is the database's estimate and
    `count_is_exact` is false (a province's million cases are not counted on every page)."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = FastPaginator

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_is_exact": self.page.paginator.count_is_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_is_exact"] = {
            "type": "boolean",
            "description": "false when `count` is an estimate (lists longer than 10,000 rows)",
        }
        return response


def exception_handler(exc, context):
    """DRF's handler, plus domain errors (400/403/409 with their message) and database refusals
    (400 for a value it cannot store, 409 for a conflict), so bad input never surfaces as a 500."""
    if isinstance(exc, DomainError):
        return Response(exc.as_payload(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        payload = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(payload, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DataError):
        # PostgreSQL refuses what the fields let through: a NUL character, a number out of its range.
        message = _("The input contains characters or values that cannot be stored.")
        return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        return Response(
            {"detail": _("The change conflicts with existing data and was not saved.")}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, ParseError):
        # DRF's parse errors are Python's own words ("JSON parse error - Expecting value …"), untranslated:
        # the message in the user's language, the parser's words beside it for the developer.
        message = _("The request body could not be read: check its format and that it is UTF-8.")
        return Response({"detail": message, "reason": str(exc.detail)}, status=exc.status_code)
    if isinstance(exc, Http404) and DJANGO_NOT_FOUND.match(str(exc)):
        # get_object_or_404's message is English and names the model ("No Case matches the given
        # query."): the API says DRF's translated "not found" instead.
        exc = NotFound()
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = _translated(response.data)
    if response is not None and isinstance(response.data, list):
        # `ValidationError("…")` raised outside a serializer renders as a bare list of messages.
        response.data = {"detail": response.data}
    return response


def _translated(data):
    """DRF's "No data provided" (a serializer given null), which never passes through gettext, in the
    user's language; DRF puts it among the non-field errors."""
    if not isinstance(data, dict):
        return data
    errors = data.get(api_settings.NON_FIELD_ERRORS_KEY)
    if isinstance(errors, list):
        data[api_settings.NON_FIELD_ERRORS_KEY] = [
            ErrorDetail(str(NO_DATA), code="null") if getattr(error, "code", None) == "null" else error
            for error in errors
        ]
    return data


def not_found(request, exception):
    """Django's 404 (`handler404`): under /api/ the JSON an API client can read, as DRF's own 404s, also
    for a path no route matches (`/api/v1/cases/abc/`); elsewhere the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=status.HTTP_404_NOT_FOUND)
    return page_not_found(request, exception)
