"""Documented error answers, shared by every endpoint's schema."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse

from annotator.api.serializers import ErrorSerializer

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
        return schema
