"""Health endpoints for load balancers and container healthchecks.

No sign-in, no session, no CSRF: they change nothing and say nothing secret
(an error names a dependency and its driver's message, never a credential).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from ops.selectors import system_readiness


@csrf_exempt
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering. Touches no database, broker or cache."""
    return JsonResponse({"status": "ok"})


@csrf_exempt
@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Database, broker, cache and a fresh worker heartbeat; 503 naming what fails."""
    checks = system_readiness()
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "fail", "checks": checks}, status=200 if ready else 503
    )
