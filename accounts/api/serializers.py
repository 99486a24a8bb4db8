"""Shapes of personal API tokens in the API; class names give the schema's components."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import ApiToken
from accounts.services import TOKEN_MAX_EXPIRY_DAYS, TOKEN_NAME_MAX_CHARS
from annotator.api.serializers import StrictSerializer


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
    name = serializers.CharField(max_length=TOKEN_NAME_MAX_CHARS)
    expires_in_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=TOKEN_MAX_EXPIRY_DAYS,
        default=None,
        help_text="0: never expires. Omitted: API_TOKEN_DEFAULT_EXPIRY_DAYS.",
    )
