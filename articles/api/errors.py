"""The API's answer to a version conflict on a label: 409 with the stored value.

The error shape is the project's (``annotator.api.errors``); a conflict adds
``"current"`` beside ``error``: the stored annotation, or null when it was
cleared, so the client can show both values and let the analyst choose.
"""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response

from annotator.api.errors import error_body
from articles.api.serializers import AnnotationSerializer
from articles.exceptions import VersionConflict


def version_conflict_response(exc: VersionConflict) -> Response:
    body = error_body("version_conflict", str(exc))
    body["current"] = AnnotationSerializer(exc.current).data if exc.current is not None else None
    return Response(body, status=status.HTTP_409_CONFLICT)


# A view mixin (no docstring: the schema would take it as the view's description).
class AnswersVersionConflicts:
    # A VersionConflict raised by a service becomes the 409 above.

    def handle_exception(self, exc):
        if isinstance(exc, VersionConflict):
            return version_conflict_response(exc)
        return super().handle_exception(exc)  # type: ignore[misc]
