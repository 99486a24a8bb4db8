"""Errors raised by services, each with a message that says what to fix.

Input errors are ``django.core.exceptions.ValidationError``; these are the
others, which the API and the admin translate into their own answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from articles.models import Annotation


class VersionConflict(Exception):
    """A write was based on an older version than the one stored."""

    def __init__(self, message: str, *, current: Annotation | None) -> None:
        super().__init__(message)
        self.current = current


class BoundaryConflict(Exception):
    """A change of sentence boundaries met a state it cannot apply to (the sentence
    changed meanwhile, the article is being segmented); nothing was changed."""
