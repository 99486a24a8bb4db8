"""What every API view shares: authentication required, rights by corpus role."""

from __future__ import annotations

from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from articles.api.access import CorpusRight
from articles.permissions import corpus_for


def validated(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


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
