"""409 for a request the object's current state does not allow (e.g. retrying running work)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import APIException

from annotator.api.serializers import ErrorSerializer


class StateConflict(APIException):
    status_code = 409
    default_code = "conflict"
    default_detail = "The object's current state does not allow this."


def state_conflict_response(description: str) -> OpenApiResponse:
    """The schema of a StateConflict answer, described for one endpoint."""
    return OpenApiResponse(response=ErrorSerializer, description=description)
