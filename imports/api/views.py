"""Import jobs over the API: create one (text, file, URL), list them, poll one."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from annotator.api.parsers import StrictJSONParser
from annotator.api.schema import errors
from annotator.api.serializers import validated
from articles.access import article_for
from corpora.api.access import CorpusScopedView, CorpusSlugView
from corpora.permissions import Right, corpus_for
from imports.models import ImportJob
from imports.selectors import snapshot_of, snapshot_record
from imports.services import import_create, import_job_progress, import_jobs_of


class ImportCreateSerializer(serializers.Serializer):
    # A CharField, not a ChoiceField: the schema already has a "kind" enum (sentences).
    kind = serializers.CharField(help_text="text, file or url.")
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    file = serializers.FileField(required=False)
    url = serializers.CharField(required=False, allow_blank=True)
    title = serializers.CharField(required=False, allow_blank=True, default="")
    author = serializers.CharField(required=False, allow_blank=True, default="")
    outlet = serializers.CharField(required=False, allow_blank=True, default="")
    source_url = serializers.CharField(required=False, allow_blank=True, default="")
    published_on = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_kind(self, value: str) -> str:
        if value not in ("text", "file", "url"):
            raise serializers.ValidationError(f"Use text, file or url, not {value!r}.")
        return value

    def validate(self, data):
        needed = {"text": "text", "file": "file", "url": "url"}[data["kind"]]
        if not data.get(needed):
            raise serializers.ValidationError({needed: f"A {data['kind']} import needs {needed}."})
        return data


class ImportFailureSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True, help_text="1-based; null for one document.")
    kind = serializers.ChoiceField(choices=["error", "duplicate"])
    reason = serializers.CharField()


class ImportFetchAttemptSerializer(serializers.Serializer):
    attempt = serializers.IntegerField(help_text="1 for the first try.")
    at = serializers.DateTimeField()
    error = serializers.CharField(help_text="Why the try failed; empty when it succeeded.")


class ImportJobSerializer(serializers.Serializer):
    """Documents the progress record (built by ``import_job_progress``)."""

    id = serializers.IntegerField()
    corpus = serializers.CharField()
    kind = serializers.CharField(help_text="text, file, url or bulk.")
    status = serializers.CharField(help_text="queued, running, done or failed.")
    finished = serializers.BooleanField()
    filename = serializers.CharField()
    source_url = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    processed = serializers.IntegerField()
    percent = serializers.IntegerField()
    error = serializers.CharField()
    notices = serializers.ListField(child=serializers.CharField())
    failures = ImportFailureSerializer(many=True)
    failures_total = serializers.IntegerField()
    article = serializers.IntegerField(allow_null=True)
    worker_missing = serializers.BooleanField()
    message = serializers.CharField()
    segmentation = serializers.DictField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="Bulk jobs: the articles this job created, counted by status.",
    )
    fetch_attempts = ImportFetchAttemptSerializer(
        many=True, help_text="Web pages: each try at fetching the page, in order."
    )
    fetch_attempts_allowed = serializers.IntegerField(
        help_text="Tries in all for a fetch that times out, loses its connection or gets a 5xx."
    )
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class CorpusImportsView(CorpusSlugView):
    rights = {"GET": Right.MANAGE, "POST": Right.MANAGE}
    parser_classes = [StrictJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="corpora_imports_list",
        summary="The corpus's recent import jobs (owners)",
        responses={200: ImportJobSerializer(many=True), **errors(403, 404)},
    )
    def get(self, request, slug: str):
        jobs = import_jobs_of(self.corpus).select_related("corpus")[:50]
        return Response([import_job_progress(job, failures_limit=0) for job in jobs])

    @extend_schema(
        operation_id="corpora_imports_create",
        summary="Import pasted text, a file (.txt .md .html .docx .jsonl .csv) or a URL",
        description="Answers 202 with the job; poll GET /api/imports/{id}/ for progress.",
        request={"multipart/form-data": ImportCreateSerializer},
        responses={202: ImportJobSerializer, **errors(400, 403, 404, 413)},
    )
    def post(self, request, slug: str):
        data = validated(ImportCreateSerializer, request.data)
        upload = data.pop("file", None)
        job = import_create(corpus=self.corpus, user=request.user, upload=upload, **data)
        job = import_jobs_of(self.corpus).select_related("corpus").get(pk=job.pk)
        return Response(
            import_job_progress(job),
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": f"/api/imports/{job.pk}/"},
        )


class ImportDetailView(CorpusScopedView):
    rights = {"GET": Right.MANAGE}

    def resolve(self, request, right) -> None:
        corpus_id = ImportJob.objects.filter(pk=self.kwargs["pk"]).values_list(
            "corpus_id", flat=True
        )
        self.corpus, self.role = corpus_for(request.user, pk=corpus_id.first() or 0, right=right)

    @extend_schema(
        operation_id="imports_retrieve",
        summary="An import job's progress: total, done, failed, duplicates, failed lines",
        responses={200: ImportJobSerializer, **errors(403, 404)},
    )
    def get(self, request, pk: int):
        job = import_jobs_of(self.corpus).select_related("corpus").get(pk=pk)
        return Response(import_job_progress(job, failures_limit=1000))


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
