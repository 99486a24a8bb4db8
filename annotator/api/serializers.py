"""Shapes every API shares: refusal of unknown fields, the error body, id limits."""

from __future__ import annotations

from rest_framework import serializers

MAX_ID = 2**63 - 1  # the largest bigint: a larger id cannot exist, and would reach SQL as an error
MAX_VERSION = 2**31 - 1
BULK_MAX_ITEMS = 1000


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, naming them, instead of silently ignoring them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                allowed = ", ".join(name for name, f in self.fields.items() if not f.read_only)
                raise serializers.ValidationError(
                    {key: [f"Unknown field; the fields are: {allowed}."] for key in unknown}
                )
        return super().to_internal_value(data)


# --- errors (for the schema) ----------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable, e.g. invalid, not_found.")
    message = serializers.CharField(help_text="What went wrong and what to do about it.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors only: each field with what to fix.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


def validated(serializer_class, data, **kwargs) -> dict:
    """The serializer's validated data, or a ValidationError (answered as 400)."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
