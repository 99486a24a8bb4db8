"""Who a caller is: by personal API token, or by username and password (limited).

``TokenAuthentication`` (DRF): ``Authorization: Token <secret>``. Failed attempts are
counted per address; past ``API_TOKEN_FAILURES_PER_ADDRESS`` the address gets 429 for every
token, the right one too, until the window ends (``accounts.throttling``).

``LimitedModelBackend`` (Django): the username and password check of every sign-in form (the
sign-in page, the admin's), refused while the account or the address is locked out after
too many failures.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from rest_framework import authentication, exceptions

from accounts.services import token_authenticate
from accounts.sql import user_by_id
from accounts.throttling import (
    client_address,
    login_failure_record,
    login_lockout,
    login_success_record,
    token_failure_lockout,
    token_failure_record,
)
from annotator.api.exceptions import LimitReached

KEYWORD = "Token"
MAX_SECRET_CHARS = 200


class TokenAuthentication(authentication.BaseAuthentication):
    """The token's user acts as themselves: their corpus roles apply."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        address = client_address(request)
        lockout = token_failure_lockout(address=address, request=request)
        if lockout is not None:
            raise LimitReached(
                f"{lockout.message} Until then every token from this address is refused, "
                "a valid one too.",
                wait=lockout.retry_after,
            )
        try:
            return self._authenticate_token(header)
        except exceptions.AuthenticationFailed:
            token_failure_record(address=address, request=request)
            raise

    def _authenticate_token(self, header: list[bytes]):
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the header as 'Authorization: Token <secret>', with no spaces in the secret."
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token holds non-ASCII bytes.") from None
        if len(secret) > MAX_SECRET_CHARS:
            raise exceptions.AuthenticationFailed("The token is too long to be one of ours.")
        token = token_authenticate(secret=secret)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                "The token is unknown, revoked or expired; create a new one."
            )
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to callers without credentials.
        return KEYWORD


class LimitedModelBackend(ModelBackend):
    """Django's username and password check, with brute-force lockouts.

    A locked-out sign-in is refused before the password is checked (``PermissionDenied``
    stops Django from trying other backends); the sign-in page says why and when to retry
    (``accounts.views.SignInForm``). ``Client.login()`` in tests passes no request: only the
    account's failures count then.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None  # another kind of credentials
        address = client_address(request) if request is not None else None
        if login_lockout(username=username, address=address, request=request) is not None:
            raise PermissionDenied("Too many failed sign-ins.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_failure_record(username=username, address=address, request=request)
        else:
            login_success_record(username=username, request=request)
        return user

    def get_user(self, user_id):
        """The signed-in session's user, read on every browser request: one lean query.

        As ``ModelBackend.get_user`` decides (an inactive account is nobody), from one
        raw statement (``accounts.sql``) instead of the ORM's ``.get()``. Django's
        session check (the password hash in the session) runs after it as before.
        """
        user = user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
