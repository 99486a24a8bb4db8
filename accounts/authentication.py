"""DRF authentication by personal token: ``Authorization: Token <secret>``."""

from __future__ import annotations

from rest_framework import authentication, exceptions

from accounts.services import token_authenticate

KEYWORD = "Token"
MAX_SECRET_CHARS = 200


class TokenAuthentication(authentication.BaseAuthentication):
    """The token's user acts as themselves: their corpus roles apply."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
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
