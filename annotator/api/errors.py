"""One JSON error shape for every API answer that is not a success.

``{"error": {"code": ..., "message": ..., "fields": {...}}}``; ``fields`` only
for validation errors, naming each field with what to fix. A server error
(5xx) adds ``request_id``, the id in the answer's ``X-Request-ID`` header and
in the server's log line for it (``annotator.middleware``). An app may add
keys beside ``error`` (a version conflict adds the stored value: see
``articles.api.errors``).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from annotator.api.exceptions import LimitReached, WriteCollided
from annotator.api.parsers import PayloadTooLarge
from annotator.middleware import request_id_of

log = logging.getLogger(__name__)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    error: dict = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as ``{"field": [...], "items[2].label": [...]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == "non_field_errors":
                name = prefix or "non_field_errors"  # about the object itself
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            for k, v in _flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for i, item in enumerate(detail):
                for k, v in _flatten(item, f"{prefix}[{i}]").items():
                    out.setdefault(k, []).extend(v)
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return {k: v for k, v in out.items() if v}


def _validation_message(fields: dict[str, list[str]]) -> str:
    first_field, messages = next(iter(fields.items()))
    if first_field == "non_field_errors":
        return messages[0]
    more = f" (and {len(fields) - 1} more field(s))" if len(fields) > 1 else ""
    return f"{first_field}: {messages[0]}{more}"


def _from_django_validation(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def _throttled_message(wait: float | None) -> str:
    if wait is None:
        return "Too many requests from this token; slow down and try again shortly."
    seconds = max(1, int(wait + 0.999))
    at = timezone.now() + dt.timedelta(seconds=seconds)
    return (
        f"Too many requests from this token; come back in {seconds} s "
        f"(after {at:%Y-%m-%dT%H:%M:%SZ}). The limit is set by API_THROTTLE_RATE."
    )


# PostgreSQL's SQLSTATEs for a transaction it rolled back whole so that a concurrent
# one could go on: deadlock_detected, serialization_failure.
COLLIDED_SQLSTATES = frozenset({"40P01", "40001"})


def _collided(exc: OperationalError) -> bool:
    """Whether the database undid the request's transaction for a concurrent one (a
    label write and a split of its sentence can take their rows in opposite orders)."""
    return getattr(exc.__cause__, "sqlstate", None) in COLLIDED_SQLSTATES


def api_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error in the one shape."""
    if isinstance(exc, DjangoValidationError):
        exc = _from_django_validation(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "You may not do this.")
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge("The request body is too large; send fewer items per request.")
    elif isinstance(exc, OperationalError) and _collided(exc):
        log.warning("Write rolled back by the database, answered 503: %s", exc)
        exc = WriteCollided()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django logs it and answers 500

    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        if not fields:
            fields = {"non_field_errors": ["The request is invalid."]}
        response.data = error_body("invalid", _validation_message(fields), fields)
    elif isinstance(exc, exceptions.Throttled):
        message = exc.message if isinstance(exc, LimitReached) else _throttled_message(exc.wait)
        response.data = error_body("throttled", message)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if isinstance(detail, dict | list):
            fields = _flatten(detail)
            message = _validation_message(fields) if fields else "The request failed."
        else:
            message = str(detail)
        if not isinstance(code, str):
            code = getattr(exc, "default_code", "error")
        response.data = error_body(code, message)
    if response.status_code >= 500:
        response.data["error"]["request_id"] = request_id_of(context.get("request"))
    return response


def server_error(request, *args, **kwargs):
    """``handler500``: an unexpected exception. Django has logged it (with the request id).

    Under /api/ the answer is the JSON error shape, so a client's parser never
    meets an HTML page; elsewhere Django's plain 500 page.
    """
    if not request.path.startswith("/api/"):
        return defaults.server_error(request, *args, **kwargs)
    request_id = request_id_of(request)
    body = error_body(
        "server_error",
        f"The server failed on this request; it is logged under request id {request_id}. "
        "Try again later, and quote the id if you report it.",
    )
    body["error"]["request_id"] = request_id
    return JsonResponse(body, status=500)


def _reason(exception: BaseException | None) -> str:
    """The message a view raised ``Http404``/``PermissionDenied`` with, or ``""``.

    The URL resolver's own 404 carries a dict (the patterns tried), not a
    sentence for a reader: it gives ``""`` too.
    """
    args = getattr(exception, "args", None) or ("",)
    return args[0] if isinstance(args[0], str) else ""


def permission_denied(request, exception=None, *args, **kwargs) -> HttpResponse:
    """``handler403``: the reason (the role held and the roles needed) and what to do.

    Under /api/ the JSON error shape, as for every other API answer.
    """
    reason = _reason(exception)
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body("permission_denied", reason or "You may not do this."), status=403
        )
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request, exception=None, *args, **kwargs) -> HttpResponse:
    """``handler404``: a styled "not found" with what to do.

    The message is the view's own ("No such corpus."), which is the same for a
    corpus that does not exist and one the user is not a member of.
    """
    reason = _reason(exception)
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", reason or "Not found."), status=404)
    return render(request, "404.html", {"reason": reason}, status=404)


@csrf_exempt  # nothing is changed here; a CSRF refusal would hide the real answer
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """Any path under /api/ that matches no endpoint (a negative id, a typo)."""
    return JsonResponse(
        error_body(
            "not_found",
            f"No API endpoint at {request.path!r}; see /api/docs/ for the endpoints. "
            "Ids are positive whole numbers.",
        ),
        status=404,
    )
