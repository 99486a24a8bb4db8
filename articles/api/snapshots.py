"""The archived copy of a page imported by URL, over the API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from articles.api.schema import errors
from articles.api.views.base import CorpusScopedView
from articles.permissions import Right, article_for
from articles.selectors.snapshots import snapshot_of, snapshot_record


class SnapshotSerializer(serializers.Serializer):
    article = serializers.IntegerField()
    requested_url = serializers.CharField(help_text="The URL the import was given.")
    final_url = serializers.CharField(help_text="Where it led after redirects.")
    status_code = serializers.IntegerField()
    content_type = serializers.CharField(help_text="As the server sent it.")
    charset = serializers.CharField(help_text="The declared charset if known, else utf-8.")
    fetched_at = serializers.DateTimeField()
    size = serializers.IntegerField(help_text="Bytes.")
    sha256 = serializers.CharField(help_text="Of the raw bytes.")
    body_base64 = serializers.CharField(help_text="The raw response body, exactly as fetched.")


class ArticleSnapshotView(CorpusScopedView):
    rights = {"GET": Right.VIEW}

    def resolve(self, request, right) -> None:
        self.article, self.role = article_for(request.user, self.kwargs["pk"], right=right)

    @extend_schema(
        operation_id="articles_snapshot_retrieve",
        summary="The archived copy of the page an article was imported from",
        description="Only articles imported by URL have one (else 404). The body is the raw "
        "bytes, base64-encoded; decode it, never render it as HTML in a trusted origin.",
        responses={200: SnapshotSerializer, **errors(404)},
    )
    def get(self, request, pk: int):
        snapshot = snapshot_of(self.article)
        if snapshot is None:
            raise NotFound(
                "This article has no archived copy; only pages imported by URL have one."
            )
        return Response(SnapshotSerializer(snapshot_record(snapshot)).data)
