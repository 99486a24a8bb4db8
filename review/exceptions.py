"""Errors raised by review's services that are not input errors.

The pages show their message; the API answers 409 (the request is fine, the
article's state does not allow it).
"""

from __future__ import annotations


class OverlapFull(Exception):
    """The article already has the corpus's overlap of annotators."""
