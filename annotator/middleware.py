"""What every response carries: a request id and a Content-Security-Policy;
and the reader's time zone for the times a page shows (``TimeZoneMiddleware``).

Request id: taken from a sane incoming ``X-Request-ID`` (a proxy's, so one id
follows the request through both logs), else generated; set on the request as
``request.request_id``, returned in the ``X-Request-ID`` header, written into
each log line about the request (``RequestIdLogFilter``) and into the body of
an API 5xx (``annotator.api.errors``).

Content-Security-Policy: the default forbids inline scripts and styles and
every foreign origin. A view that needs another policy (the API's interactive
docs, say) says so with ``@csp_policy(...)`` on the view, or a path prefix in
``CSP_PATH_POLICIES``; a response that already carries the header keeps it.
"""

from __future__ import annotations

import logging
import re
import uuid
import zoneinfo
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
HEADER = "Content-Security-Policy"
# Swagger UI (served from 'self' by drf-spectacular-sidecar) writes one inline
# <style>; its page alone may, nothing else changes.
DEFAULT_PATH_POLICIES = {
    "/api/docs/": DEFAULT_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
}


def csp_policy(policy: str) -> Callable:
    """Give one view its own policy (works for function views and as_view())."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response[HEADER] = policy
            return response

        return wrapped

    return decorate


def _policy_for(path: str) -> str:
    for prefix, policy in getattr(settings, "CSP_PATH_POLICIES", DEFAULT_PATH_POLICIES).items():
        if path.startswith(prefix):
            return policy
    return getattr(settings, "CSP_DEFAULT_POLICY", DEFAULT_POLICY)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = _policy_for(request.path)
        return response


REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits and a few separators, as proxies and tracing ids use; anything
# else (a log-injection attempt, a 10 kB header) is replaced, not echoed.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@-]{8,128}")


def request_id_of(request: HttpRequest | None) -> str:
    return getattr(request, "request_id", "") or "-"


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Give every record a ``request_id``: the request's when it names one, else "-"."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_of(getattr(record, "request", None))
        return True


# The browser's time zone, as ``static/js/timezone.js`` stores it (an IANA name).
TIME_ZONE_COOKIE = "tz"


def time_zone_from(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The time zone called ``name``, or None for a missing, malformed or unknown name."""
    if not name or len(name) > 64 or not re.fullmatch(r"[A-Za-z0-9_+\-/]+", name):
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class TimeZoneMiddleware:
    """Shows times in the reader's time zone.

    The zone comes from the ``tz`` cookie that every page's ``timezone.js``
    sets from the browser (``Intl.DateTimeFormat().resolvedOptions().timeZone``);
    without it, or with a name this server does not know, pages use
    ``settings.TIME_ZONE``. Stored times stay UTC; only their display changes.
    The API is left alone: its times are always UTC (docs/api.md).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = time_zone_from(request.COOKIES.get(TIME_ZONE_COOKIE))
        if zone is None or request.path.startswith("/api/"):
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
