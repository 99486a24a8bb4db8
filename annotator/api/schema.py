"""Documented error answers, shared by every endpoint's schema."""

from __future__ import annotations

from django.core.validators import RegexValidator
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc
from drf_spectacular.utils import OpenApiResponse

from annotator.api.serializers import ErrorSerializer, StrictSerializer
from annotator.validation import TextValidator

_DESCRIPTIONS = {
    400: "Invalid input: `error.fields` names each field with what to fix.",
    401: "No credentials, or an unknown, revoked or expired token.",
    403: "Your role in this corpus lacks the right (the message names the roles that have "
    "it), or the CSRF token is missing.",
    404: "No such object, or it belongs to a corpus you are not a member of.",
    409: "Version conflict: `current` holds the stored value.",
    413: "The request body is larger than the server accepts.",
    429: "Too many requests from this token: see the Retry-After header.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Error responses for ``extend_schema(responses=...)``; 401 and 429 always apply."""
    wanted = sorted({401, 429, *codes})
    return {
        code: OpenApiResponse(response=ErrorSerializer, description=_DESCRIPTIONS[code])
        for code in wanted
    }


class StrictSerializerExtension(OpenApiSerializerExtension):
    """A StrictSerializer's request body refuses unknown fields: ``additionalProperties: false``."""

    target_class = "annotator.api.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if direction == "request":
            schema["additionalProperties"] = False
        if schema.get("description") == get_doc(StrictSerializer):
            del schema["description"]  # the base class's docstring, not the body's
        return schema


# The characters annotator.validation refuses in text (surrogates cannot be sent in
# valid JSON or UTF-8 at all), as a JSON Schema character class.
_REFUSED = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff"


class CheckedTextFieldExtension(OpenApiSerializerFieldExtension):
    """A request's CharField that refuses control characters says so with a ``pattern``.

    ``annotator.validation.TextValidator`` is no RegexValidator (it names the
    character and its position), so drf-spectacular would declare any string.
    A field that also must not be blank (``RegexValidator(r"\\S")``) gets both
    rules in one pattern; one that has a pattern of its own (a slug) keeps it.
    """

    target_class = "rest_framework.fields.CharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        validators = self.target.validators
        if direction != "request" or not any(isinstance(v, TextValidator) for v in validators):
            return schema
        patterns = {v.regex.pattern for v in validators if isinstance(v, RegexValidator)}
        if not patterns:
            schema["pattern"] = f"^[^{_REFUSED}]*$"
        elif patterns == {r"\S"}:
            schema["pattern"] = f"^[^{_REFUSED}]*[^{_REFUSED}\\s][^{_REFUSED}]*$"
        return schema


class WholeBodySchema(AutoSchema):
    """For a PATCH whose body is read whole, as its serializer states it (not partially).

    drf-spectacular documents every PATCH body as partial (a ``Patched…`` component, every
    field optional, the body itself optional), as DRF's update views read it. A view that
    validates the body with the serializer as it is would then refuse requests its schema
    allows; this schema documents the body the view reads.
    """

    def _get_request_for_media_type(self, serializer, direction="request"):
        method, self.method = self.method, "PUT" if self.method == "PATCH" else self.method
        try:
            return super()._get_request_for_media_type(serializer, direction)
        finally:
            self.method = method
