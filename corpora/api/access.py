"""What every corpus-scoped API view shares: authentication, and rights by corpus role.

Rights come from ``corpora.permissions`` (the one place for them). A view names
the right each HTTP method needs (``rights``) and how to find its
corpus-scoped object (``resolve``, which calls an access helper such as
``corpus_for``). Outsiders get 404, members without the right get 403.
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.views import APIView

from corpora.permissions import Right, corpus_for


class CorpusRight(BasePermission):
    def has_permission(self, request, view) -> bool:
        rights: dict[str, Right] = getattr(view, "rights", {})
        right = rights.get(request.method, Right.VIEW)
        view.resolve(request, right)  # raises Http404 / PermissionDenied
        return True


class CorpusScopedView(APIView):
    """A view on one corpus's object; ``resolve`` loads it through an access helper."""

    permission_classes = [IsAuthenticated, CorpusRight]
    rights: dict = {}

    def resolve(self, request, right) -> None:  # pragma: no cover - each view defines it
        raise NotImplementedError


class CorpusSlugView(CorpusScopedView):
    """A view on the corpus named by the ``slug`` in its URL."""

    def resolve(self, request, right) -> None:
        self.corpus, self.role = corpus_for(request.user, slug=self.kwargs["slug"], right=right)
