"""API exceptions that any app may raise; ``annotator.api.errors`` renders them.

Kept apart from ``errors`` so authentication classes can import them: DRF imports those
while ``rest_framework.views`` (which ``errors`` imports) is still loading.
"""

from __future__ import annotations

from rest_framework import exceptions


class LimitReached(exceptions.Throttled):
    """429 for a limit other than the request rate (a lockout): ``message`` names it and
    says when to retry; ``wait`` (seconds) becomes the ``Retry-After`` header."""

    def __init__(self, message: str, *, wait: float) -> None:
        super().__init__(wait=wait, detail=message)
        self.message = message


class WriteCollided(exceptions.APIException):
    """503: the database rolled this write back whole to let a concurrent one through
    (a deadlock, or a serialization failure); sending it again is safe."""

    status_code = 503
    default_code = "write_collided"
    default_detail = (
        "This change met another one being saved at the same moment, and the database "
        "undid it whole to let the other through: nothing of it was saved. Send it again."
    )
    wait = 1  # DRF's handler sends it as Retry-After
