"""Personal API tokens: list, create (the secret is shown once), revoke."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken
from accounts.services import token_create, token_revoke
from annotator.api.schema import errors
from annotator.api.serializers import StrictSerializer, validated


class TokenSerializer(serializers.ModelSerializer):
    prefix = serializers.CharField(help_text="The secret's first characters, to tell tokens apart.")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at"]


class TokenCreatedSerializer(TokenSerializer):
    key = serializers.CharField(
        help_text="The secret: send it as `Authorization: Token <key>`. Shown only now."
    )

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "key"]


class TokenCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
    expires_in_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=3650,
        default=None,
        help_text="0: never expires. Omitted: API_TOKEN_DEFAULT_EXPIRY_DAYS.",
    )


class TokenListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="tokens_list",
        summary="Your API tokens (never their secrets)",
        responses={200: TokenSerializer(many=True), **errors()},
    )
    def get(self, request):
        tokens = ApiToken.objects.filter(user=request.user)
        return Response(TokenSerializer(tokens, many=True).data)

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
        return Response(TokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)


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
