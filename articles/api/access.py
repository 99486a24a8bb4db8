"""DRF permission class that asks ``articles.permissions`` (the one place for rights).

A view names the right each HTTP method needs (``rights``) and how to find
its corpus-scoped object (``resolve``, which calls an access helper such as
``corpus_for``). Outsiders get 404, members without the right get 403.
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from articles.permissions import Right


class CorpusRight(BasePermission):
    def has_permission(self, request, view) -> bool:
        rights: dict[str, Right] = getattr(view, "rights", {})
        right = rights.get(request.method, Right.VIEW)
        view.resolve(request, right)  # raises Http404 / PermissionDenied
        return True
