"""Reads of the imports app: the archived copy of a page imported by URL, and import jobs
with their progress record (what the progress bar, the API and the command show)."""

from __future__ import annotations

import base64
import codecs
import hashlib
from email.message import Message

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from articles.models import Article
from corpora.models import Corpus
from imports.models import ArticleSnapshot, ImportJob
from ops.selectors import workers_alive


def snapshot_of(article: Article) -> ArticleSnapshot | None:
    return ArticleSnapshot.objects.filter(article=article).first()


def snapshot_charset(content_type: str) -> str:
    """The charset the page declared, if Python knows it; else UTF-8."""
    message = Message()
    message["content-type"] = content_type or "text/plain"
    declared = message.get_content_charset() or ""
    try:
        return codecs.lookup(declared).name if declared else "utf-8"
    except LookupError:
        return "utf-8"


def snapshot_record(snapshot: ArticleSnapshot) -> dict:
    """What the API answers: the fetch's metadata and the exact bytes, base64-encoded."""
    body = bytes(snapshot.body)
    return {
        "article": snapshot.article_id,
        "requested_url": snapshot.requested_url,
        "final_url": snapshot.final_url,
        "status_code": snapshot.status_code,
        "content_type": snapshot.content_type,
        "charset": snapshot_charset(snapshot.content_type),
        "fetched_at": snapshot.fetched_at,
        "size": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
        "body_base64": base64.b64encode(body).decode("ascii"),
    }


# --- import jobs ------------------------------------------------------------------


def _jobs_of(corpus: Corpus) -> QuerySet[ImportJob]:
    # Without their payloads (a bulk file can run to megabytes).
    return ImportJob.objects.filter(corpus=corpus).defer("payload").select_related("created_by")


def import_jobs_recent(*, corpus: Corpus, limit: int) -> list[ImportJob]:
    """The corpus's ``limit`` latest jobs (its slug loaded, for the progress record)."""
    return list(_jobs_of(corpus).select_related("corpus")[:limit])


def import_job_get(*, corpus: Corpus, job_id: int) -> ImportJob | None:
    """One job of ``corpus`` (its slug loaded, for the progress record), or None."""
    return _jobs_of(corpus).select_related("corpus").filter(pk=job_id).first()


def import_job_corpus_id(*, job_id: int) -> int | None:
    """Which corpus a job belongs to, for the access check; None if there is no such job."""
    return ImportJob.objects.filter(pk=job_id).values_list("corpus_id", flat=True).first()


# A queued job with no live worker is reported after this many seconds.
NO_WORKER_GRACE_SECONDS = 3


def import_job_progress(*, job: ImportJob, failures_limit: int = 200) -> dict:
    """What the progress bar, the API and the command show for a job."""
    processed = job.done + job.failed + job.duplicates
    percent = 100 if job.status == ImportJob.Status.DONE else 0
    if job.total and job.status != ImportJob.Status.DONE:
        percent = min(100, int(processed * 100 / job.total))
    worker_missing = False
    now = timezone.now()
    if job.status == ImportJob.Status.QUEUED:
        waited = (now - job.created_at).total_seconds()
        worker_missing = waited > NO_WORKER_GRACE_SECONDS and not workers_alive(now=now)
    failures = list(job.failures.values("line", "kind", "reason")[:failures_limit])
    articles = _segmentation_counts(job) if job.kind == ImportJob.Kind.BULK else None
    return {
        "id": job.pk,
        "corpus": job.corpus.slug,
        "kind": job.kind,
        "status": job.status,
        "finished": job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED),
        "filename": job.filename,
        "source_url": job.source_url,
        "total": job.total,
        "done": job.done,
        "failed": job.failed,
        "duplicates": job.duplicates,
        "processed": processed,
        "percent": percent,
        "error": job.error,
        "notices": job.notices,
        "failures": failures,
        "failures_total": job.failed + job.duplicates,
        "failures_note": _failures_note(job, has_failures=bool(failures)),
        "article": job.article_id,
        "worker_missing": worker_missing,
        "message": _message(job, worker_missing),
        "segmentation": articles,
        "attempts": job.attempts,
        "attempts_allowed": settings.TASK_MAX_ATTEMPTS,
        "fetch_attempts": job.fetch_attempts,
        "fetch_attempts_allowed": settings.IMPORT_FETCH_ATTEMPTS,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def _segmentation_counts(job: ImportJob) -> dict | None:
    """How far segmentation of the articles this job created has got, by status.

    Counted from ``ImportJob.created_articles``, so imports running at the same time in
    one corpus never count each other's articles.
    """
    if not job.started_at:
        return None
    rows = job.created_articles.order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def _failures_note(job: ImportJob, *, has_failures: bool) -> str:
    """What the "Lines not imported" list says when it is empty ("" when it is not)."""
    if has_failures:
        return ""
    if job.status == ImportJob.Status.DONE:
        if job.kind == ImportJob.Kind.BULK:
            return "Every line was imported."
        return "Nothing was left out: the article was imported."
    if job.status == ImportJob.Status.FAILED:
        return "None were read: the import stopped before its lines (the reason is above)."
    return "None so far."


def _message(job: ImportJob, worker_missing: bool) -> str:
    if worker_missing:
        return (
            "No worker is running, so this import is waiting. Start one with "
            "`celery -A annotator worker` (or `python3 run.py demo`); the import then "
            "continues by itself."
        )
    if job.status == ImportJob.Status.QUEUED:
        return "Waiting for a worker to pick up the import…"
    if job.status == ImportJob.Status.RUNNING:
        tries = job.fetch_attempts
        if tries and tries[-1]["error"]:
            return (
                f"{tries[-1]['error']} Retrying (attempt {len(tries) + 1} of "
                f"{settings.IMPORT_FETCH_ATTEMPTS})…"
            )
        if job.attempts > 1:
            return (
                f"Started again after its worker was lost (attempt {job.attempts} of "
                f"{settings.TASK_MAX_ATTEMPTS}); imported {job.done:,} of {job.total:,} so far…"
            )
        if job.total == 0:
            return "Reading the file…"
        return f"Imported {job.done:,} of {job.total:,}…"
    if job.status == ImportJob.Status.FAILED:
        return job.error or "The import failed."
    parts = [f"Imported {job.done:,} of {job.total:,}."]
    if job.duplicates:
        parts.append(f"{job.duplicates:,} already in the corpus (skipped).")
    if job.failed:
        parts.append(f"{job.failed:,} failed; see the lines below.")
    return " ".join(parts)
