"""Import jobs over the API: create one (text, file, URL), list them, poll one."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from annotator.api.conflicts import StateConflict, state_conflict_response
from annotator.api.parsers import StrictJSONParser
from annotator.api.schema import errors
from annotator.api.serializers import validated
from articles.access import article_for
from corpora.api.access import CorpusScopedView, CorpusSlugView
from corpora.permissions import Right, corpus_for
from imports.api.serializers import ImportCreateSerializer, ImportJobSerializer, SnapshotSerializer
from imports.selectors import (
    import_job_corpus_id,
    import_job_get,
    import_job_progress,
    import_jobs_recent,
    snapshot_of,
    snapshot_record,
)
from imports.services import import_create, import_job_retry


class CorpusImportsView(CorpusSlugView):
    rights = {"GET": Right.MANAGE, "POST": Right.MANAGE}
    parser_classes = [StrictJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="corpora_imports_list",
        summary="The corpus's recent import jobs (owners)",
        responses={200: ImportJobSerializer(many=True), **errors(403, 404)},
    )
    def get(self, request, slug: str):
        jobs = import_jobs_recent(corpus=self.corpus, limit=50)
        records = [import_job_progress(job=job, failures_limit=0) for job in jobs]
        return Response(ImportJobSerializer(records, many=True).data)

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
        job = import_job_get(corpus=self.corpus, job_id=job.pk)
        return Response(
            ImportJobSerializer(import_job_progress(job=job)).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": f"/api/imports/{job.pk}/"},
        )


class ImportScopedView(CorpusScopedView):
    """A view on one import job, reached through its corpus's access check."""

    def resolve(self, request, right) -> None:
        corpus_id = import_job_corpus_id(job_id=self.kwargs["pk"])
        self.corpus, self.role = corpus_for(request.user, pk=corpus_id or 0, right=right)


class ImportDetailView(ImportScopedView):
    rights = {"GET": Right.MANAGE}

    @extend_schema(
        operation_id="imports_retrieve",
        summary="An import job's progress: total, done, failed, duplicates, failed lines",
        responses={200: ImportJobSerializer, **errors(403, 404)},
    )
    def get(self, request, pk: int):
        job = import_job_get(corpus=self.corpus, job_id=pk)
        if job is None:  # deleted since the access check
            raise NotFound("No such import job.")
        return Response(ImportJobSerializer(import_job_progress(job=job, failures_limit=1000)).data)


class ImportRetryView(ImportScopedView):
    rights = {"POST": Right.MANAGE}

    @extend_schema(
        operation_id="imports_retry",
        summary="Try a failed import again (owners)",
        description="A failed job (its `error` says why) is queued again with a fresh attempt "
        "count: a JSONL/CSV batch continues after its last imported batch, a single document "
        "starts over. Answers 202 with the job; poll GET /api/imports/{id}/.",
        request=None,
        responses={
            202: ImportJobSerializer,
            409: state_conflict_response("The import has not failed (queued, running or done)."),
            **errors(403, 404),
        },
    )
    def post(self, request, pk: int):
        job = import_job_get(corpus=self.corpus, job_id=pk)
        if job is None:
            raise NotFound("No such import job.")
        if not import_job_retry(job=job):
            raise StateConflict(
                f"Only a failed import can be tried again; this one is {job.status}."
            )
        job = import_job_get(corpus=self.corpus, job_id=pk)
        return Response(
            ImportJobSerializer(import_job_progress(job=job)).data,
            status=status.HTTP_202_ACCEPTED,
        )


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
