"""Request throttling for token clients (scripts, notebooks, pipelines).

The browser session is not throttled: a person labeling fast is the point.
The rate comes from ``API_THROTTLE_RATE``; counters live in the default cache,
so set ``CACHE_URL`` to Redis to share them between web processes.

When the cache cannot be reached the throttle lets requests through (fails
open) and logs a warning, at most once per ``WARN_EVERY_SECONDS`` per process:
a down cache costs the rate limit for a while, never the API itself.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken
from annotator.middleware import request_id_of

log = logging.getLogger(__name__)

WARN_EVERY_SECONDS = 60.0

# Per process on purpose: this only spaces out log lines, it decides nothing.
_warn_lock = threading.Lock()
_last_warned_at: float | None = None


def _should_warn(now: float) -> bool:
    global _last_warned_at
    with _warn_lock:
        if _last_warned_at is not None and now - _last_warned_at < WARN_EVERY_SECONDS:
            return False
        _last_warned_at = now
        return True


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self) -> str:
        # Read at request time so tests and deployments can change it.
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        # Per user, so several tokens of one user share one budget.
        return self.cache_format % {"scope": self.scope, "ident": request.auth.user_id}

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        # Any cache backend's error (Redis: ConnectionError, TimeoutError...).
        except Exception as exc:  # noqa: BLE001 - logged below, at a bounded rate
            if _should_warn(time.monotonic()):
                log.warning(
                    "API throttling is off while the cache is unreachable (%s: %s); "
                    "requests are let through. Next warning in %d s at the earliest.",
                    type(exc).__name__,
                    exc,
                    WARN_EVERY_SECONDS,
                    extra={"request_id": request_id_of(request)},
                )
            return True
