"""Request throttling for token clients (scripts, notebooks, pipelines).

The browser session is not throttled: a person labeling fast is the point.
The rate comes from ``API_THROTTLE_RATE``; counters live in the default cache,
so set ``CACHE_URL`` to Redis to share them between web processes.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken


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
