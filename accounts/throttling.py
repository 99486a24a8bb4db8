"""Limits on how often a caller may try: API requests per token, failed sign-ins, failed tokens,
password reset requests and sign-ups.

- API requests by token clients (scripts, notebooks, pipelines): ``API_THROTTLE_RATE`` per
  user. The browser session is not throttled: a person labeling fast is the point.
- Failed sign-ins: ``LOGIN_FAILURES_PER_ACCOUNT`` per username and
  ``LOGIN_FAILURES_PER_ADDRESS`` per network address, in a window of
  ``LOGIN_FAILURE_WINDOW_MINUTES`` from the first failure; past either, sign-in is refused
  (the right password too) until the window ends.
- Failed token attempts (unknown, revoked or expired tokens): ``API_TOKEN_FAILURES_PER_ADDRESS``
  per network address in ``API_TOKEN_FAILURE_WINDOW_MINUTES``; past it, every token request
  from that address is refused (a valid token too) until the window ends.
- Password reset requests: ``PASSWORD_RESETS_PER_EMAIL`` per e-mail address given and
  ``PASSWORD_RESETS_PER_ADDRESS`` per network address, in ``PASSWORD_RESET_WINDOW_MINUTES``;
  past either the request is refused with a form error and no e-mail is sent. Every request
  counts, for an address with an account or not, so the refusal tells nothing about accounts.
- Sign-ups and invitation accepts: ``SIGN_UPS_PER_ADDRESS`` attempts per network address in
  ``SIGN_UP_WINDOW_MINUTES``, successful or not (each checks a password or changes a
  membership); past it the attempt is refused with a form error.

All of them count with :class:`WindowCounter` in the default cache, so set ``CACHE_URL`` to Redis
to share the counts between web processes. When the cache cannot be reached the limits let
requests through (fail open) and log a warning, at most once per ``WARN_EVERY_SECONDS`` per
process: a down cache costs the limits for a while, never the API or the sign-in page.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

from accounts.models import ApiToken
from annotator.middleware import request_id_of

log = logging.getLogger(__name__)

WARN_EVERY_SECONDS = 60.0
# A counter's key outlives its window by this much, so it never expires while in use.
_COUNTER_GRACE_SECONDS = 60

# Per process on purpose: this only spaces out log lines, it decides nothing.
_warn_lock = threading.Lock()
_last_warned_at: float | None = None

T = TypeVar("T")


def _should_warn(now: float) -> bool:
    global _last_warned_at
    with _warn_lock:
        if _last_warned_at is not None and now - _last_warned_at < WARN_EVERY_SECONDS:
            return False
        _last_warned_at = now
        return True


def _or_open(count: Callable[[], T], request: HttpRequest | None, fallback: T) -> T:
    """``count()``, or ``fallback`` (let the request through) when the cache fails."""
    try:
        return count()
    # Any cache backend's error (Redis: ConnectionError, TimeoutError...).
    except Exception as exc:  # noqa: BLE001 - logged below, at a bounded rate
        if _should_warn(time.monotonic()):
            log.warning(
                "API throttling and the sign-in, token, password reset and sign-up limits are "
                "off while the cache is unreachable (%s: %s); requests are let through. "
                "Next warning in %d s at the earliest.",
                type(exc).__name__,
                exc,
                WARN_EVERY_SECONDS,
                extra={"request_id": request_id_of(request)},
            )
        return fallback


@dataclass(frozen=True)
class Window:
    count: int  # events counted in the current window
    resets_in: float  # seconds until the window ends


class WindowCounter:
    """Events per key, in fixed windows of ``seconds`` that start at a key's first event.

    Atomic on every cache backend (Redis, LocMemCache): the window's start time is stored
    once with ``add`` (only the first caller's value sticks), and events are counted with
    ``incr`` on a key named after that start. Concurrent requests never overwrite each
    other's counts, as they did with DRF's ``SimpleRateThrottle``, which reads a list of
    timestamps, appends and writes it back. The counter outlives its window, so it cannot
    expire between ``add`` and ``incr``; the next window starts with a new start time and
    so a new counter.
    """

    def __init__(self, name: str, seconds: int) -> None:
        self.name = name
        self.seconds = seconds

    def _start_key(self, ident: str) -> str:
        return f"limit:{self.name}:{ident}"

    def _counter_key(self, ident: str, start: float) -> str:
        return f"limit:{self.name}:{ident}:{start:.6f}"

    def _window(self, count: int, start: float, now: float) -> Window:
        return Window(count=count, resets_in=max(0.0, start + self.seconds - now))

    def hit(self, ident: str) -> Window:
        """Count one event; the window with it counted."""
        now = time.time()
        start_key = self._start_key(ident)
        start = cache.get(start_key)
        if start is None:
            cache.add(start_key, now, timeout=self.seconds)
            start = cache.get(start_key, now)  # whoever added first set the start
        counter_key = self._counter_key(ident, start)
        try:
            count = cache.incr(counter_key)
        except ValueError:  # the window's first event
            cache.add(counter_key, 0, timeout=self.seconds + _COUNTER_GRACE_SECONDS)
            count = cache.incr(counter_key)
        return self._window(count, start, now)

    def peek(self, ident: str) -> Window:
        """The current window, without counting."""
        now = time.time()
        start = cache.get(self._start_key(ident))
        if start is None:
            return Window(count=0, resets_in=float(self.seconds))
        return self._window(cache.get(self._counter_key(ident, start), 0), start, now)

    def clear(self, ident: str) -> None:
        """Forget the key's events: its next event starts a new window."""
        cache.delete(self._start_key(ident))


def rate_parse(rate: str) -> tuple[int, int]:
    """``"1200/min"`` -> (1200, 60): the number of requests and the period in seconds."""
    number, period = rate.split("/")
    return int(number), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def client_address(request: HttpRequest) -> str:
    """The caller's network address, as the limits per address count it.

    ``REMOTE_ADDR``; with ``NUM_PROXIES`` trusted proxies in front, the address the first of
    them saw, from ``X-Forwarded-For`` counted from the right (a client's own entries on the
    left are ignored). An IPv6 address stands for its /64 network, which one host usually has.
    """
    address = request.META.get("REMOTE_ADDR") or ""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if settings.NUM_PROXIES and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        address = hops[-min(settings.NUM_PROXIES, len(hops))]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _duration_words(seconds: float) -> str:
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = math.ceil(whole / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@dataclass(frozen=True)
class Lockout:
    message: str  # what was refused and when to try again
    retry_after: int  # whole seconds until the window ends


def _lockout(message: str, resets_in: float) -> Lockout:
    return Lockout(
        message=f"{message}; try again in {_duration_words(resets_in)}.",
        retry_after=max(1, math.ceil(resets_in)),
    )


# API requests by token.


class TokenRateThrottle(BaseThrottle):
    """``API_THROTTLE_RATE`` per user, over all their tokens, in fixed windows."""

    def __init__(self) -> None:
        self.resets_in: float | None = None

    def allow_request(self, request, view) -> bool:
        if not isinstance(request.auth, ApiToken):
            return True
        limit, seconds = rate_parse(settings.API_THROTTLE_RATE)  # read now: tests change it
        # Per user, so several tokens of one user share one budget.
        window = _or_open(
            lambda: WindowCounter("api", seconds).hit(str(request.auth.user_id)), request, None
        )
        if window is None:
            return True
        self.resets_in = window.resets_in
        return window.count <= limit

    def wait(self) -> float | None:
        return self.resets_in


# Failed sign-ins.


def _login_counters() -> tuple[WindowCounter, WindowCounter]:
    seconds = settings.LOGIN_FAILURE_WINDOW_MINUTES * 60
    return WindowCounter("login-account", seconds), WindowCounter("login-address", seconds)


def _account_ident(username: str) -> str:
    # Hashed: a username may hold any character, and the key stays short.
    return hashlib.sha256(username.casefold().encode()).hexdigest()[:32]


def login_lockout(
    *, username: str, address: str | None, request: HttpRequest | None = None
) -> Lockout | None:
    """Why a sign-in as ``username`` from ``address`` is refused now, or None if it may try."""
    by_account, by_address = _login_counters()

    def check() -> Lockout | None:
        account = by_account.peek(_account_ident(username))
        if account.count >= settings.LOGIN_FAILURES_PER_ACCOUNT:
            return _lockout("Too many failed sign-ins for this account", account.resets_in)
        if address is not None:
            place = by_address.peek(address)
            if place.count >= settings.LOGIN_FAILURES_PER_ADDRESS:
                return _lockout("Too many failed sign-ins from your address", place.resets_in)
        return None

    return _or_open(check, request, None)


def login_failure_record(
    *, username: str, address: str | None, request: HttpRequest | None = None
) -> None:
    by_account, by_address = _login_counters()

    def record() -> None:
        by_account.hit(_account_ident(username))
        if address is not None:
            by_address.hit(address)

    _or_open(record, request, None)


def login_success_record(*, username: str, request: HttpRequest | None = None) -> None:
    """The account's failures are forgotten; the address's stay (one may own an account)."""
    by_account, _ = _login_counters()
    _or_open(lambda: by_account.clear(_account_ident(username)), request, None)


# Failed token attempts.


def _token_failures() -> WindowCounter:
    return WindowCounter("token-failures", settings.API_TOKEN_FAILURE_WINDOW_MINUTES * 60)


def token_failure_lockout(*, address: str, request: HttpRequest | None = None) -> Lockout | None:
    """Why token requests from ``address`` are refused now, or None if they may try."""

    def check() -> Lockout | None:
        window = _token_failures().peek(address)
        if window.count >= settings.API_TOKEN_FAILURES_PER_ADDRESS:
            return _lockout(
                "Too many requests with an unknown, revoked or expired token from your address",
                window.resets_in,
            )
        return None

    return _or_open(check, request, None)


def token_failure_record(*, address: str, request: HttpRequest | None = None) -> None:
    _or_open(lambda: _token_failures().hit(address), request, None)


# Password reset requests and sign-ups: every request counts, refused past the limit.


def _hit_over(counter: WindowCounter, ident: str, limit: int) -> Window | None:
    """Count one event; its window if that puts ``ident`` past ``limit``, else None."""
    window = counter.hit(ident)
    return window if window.count > limit else None


def password_reset_lockout(
    *, email: str, address: str | None, request: HttpRequest | None = None
) -> Lockout | None:
    """Count a password reset request for ``email`` from ``address``; why it is refused, or
    None if its e-mail may be sent.

    Counted by the e-mail address given (an account behind it or not: the answer must not
    tell) and by the caller's network address. A refused request counts too, but cannot
    make the window last longer: it ends a fixed time after its first request.
    """
    seconds = settings.PASSWORD_RESET_WINDOW_MINUTES * 60

    def check() -> Lockout | None:
        # Both counted before either is checked, so one cannot be probed without the other.
        by_email = _hit_over(
            WindowCounter("reset-email", seconds),
            _account_ident(email),
            settings.PASSWORD_RESETS_PER_EMAIL,
        )
        by_address = (
            None
            if address is None
            else _hit_over(
                WindowCounter("reset-address", seconds),
                address,
                settings.PASSWORD_RESETS_PER_ADDRESS,
            )
        )
        if by_email is not None:
            return _lockout(
                "Too many password reset requests for this e-mail address; no e-mail was sent",
                by_email.resets_in,
            )
        if by_address is not None:
            return _lockout(
                "Too many password reset requests from your address; no e-mail was sent",
                by_address.resets_in,
            )
        return None

    return _or_open(check, request, None)


def sign_up_lockout(*, address: str, request: HttpRequest | None = None) -> Lockout | None:
    """Count an attempt to sign up or accept an invitation from ``address``; why it is
    refused, or None if it may go on."""
    counter = WindowCounter("sign-up-address", settings.SIGN_UP_WINDOW_MINUTES * 60)

    def check() -> Lockout | None:
        window = _hit_over(counter, address, settings.SIGN_UPS_PER_ADDRESS)
        if window is None:
            return None
        return _lockout("Too many sign-up attempts from your address", window.resets_in)

    return _or_open(check, request, None)
