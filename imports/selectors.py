"""The archived copy of a page imported by URL, as stored and as clients see it."""

from __future__ import annotations

import base64
import codecs
import hashlib
from email.message import Message

from django.db.models import QuerySet

from articles.models import Article
from corpora.models import Corpus
from imports.models import ArticleSnapshot, ImportJob


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
# Their progress record is ``imports.services.import_job_progress``.


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
