"""Personal API tokens: list, create (the secret is shown once), revoke."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import TokenCreatedSerializer, TokenCreateSerializer, TokenSerializer
from accounts.models import ApiToken
from accounts.selectors import token_list
from accounts.services import token_create, token_revoke
from annotator.api.schema import errors
from annotator.api.serializers import validated


class TokenListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="tokens_list",
        summary="Your API tokens (never their secrets)",
        responses={200: TokenSerializer(many=True), **errors()},
    )
    def get(self, request):
        return Response(TokenSerializer(token_list(user=request.user), many=True).data)

    @extend_schema(
        operation_id="tokens_create",
        summary="Create a token; its secret is in this answer and nowhere else, ever",
        description="Only from a signed-in session: a token cannot mint further tokens, so "
        "revoking a leaked token is enough.",
        request=TokenCreateSerializer,
        responses={201: TokenCreatedSerializer, **errors(400, 403)},
    )
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            raise PermissionDenied(
                "Create tokens from a signed-in browser session; a token cannot create tokens."
            )
        data = validated(TokenCreateSerializer, request.data)
        token, secret = token_create(
            user=request.user, name=data["name"], expires_in_days=data["expires_in_days"]
        )
        token.key = secret
        response = Response(TokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)
        # The secret must not stay in a browser's or a proxy's cache.
        response["Cache-Control"] = "no-store"
        return response


class TokenDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="tokens_destroy",
        summary="Revoke one of your tokens; it stops working at once",
        responses={204: None, **errors(404)},
    )
    def delete(self, request, pk: int):
        token_revoke(user=request.user, token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
