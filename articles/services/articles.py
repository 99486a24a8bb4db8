"""Bringing articles in and queueing their segmentation."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import CharField, Q
from django.utils import timezone

from annotator.queue import task_send_on_commit, task_try_send
from annotator.validation import text_problem
from articles.models import Article
from corpora.models import Corpus


def normalise_text(text: str) -> str:
    """Line endings to ``\\n``; nothing else about the text changes."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


SEGMENT_TASK = "articles.tasks.segment_article"
SEGMENT_BATCH_TASK = "articles.tasks.segment_articles"
# A bulk import sends its articles' segmentation in messages of this many
# articles: per-message costs (broker round trip, a database connection per
# task) are paid once per batch, and a batch is small enough that every
# worker process gets a share of an import.
SEGMENT_BATCH_SIZE = 25


def _queue_segmentation(article_id: int) -> None:
    task_send_on_commit(
        SEGMENT_TASK, article_id, on_unsent=lambda: article_mark_unsent(article_id=article_id)
    )


def articles_queue_segmentation(*, article_ids: list[int]) -> None:
    """Queue the segmentation of new articles in batches, once the transaction commits.

    Each article is still claimed one by one by the task (``article_claim``);
    a batch the broker could not take is marked unsent, article by article,
    for the reconciler.
    """
    for start in range(0, len(article_ids), SEGMENT_BATCH_SIZE):
        batch = article_ids[start : start + SEGMENT_BATCH_SIZE]
        task_send_on_commit(
            SEGMENT_BATCH_TASK,
            batch,
            on_unsent=functools.partial(articles_mark_unsent, article_ids=batch),
        )


def article_mark_unsent(*, article_id: int) -> None:
    """The broker could not take the task: the reconciler sends it once it can."""
    articles_mark_unsent(article_ids=[article_id])


def articles_mark_unsent(*, article_ids: list[int]) -> None:
    """The broker could not take these articles' task: the reconciler sends them once it can."""
    Article.objects.filter(pk__in=article_ids).update(sent_at=None)


def metadata_max_length(name: str) -> int:
    """The longest ``name`` (title, author, outlet, source_url) an article can hold."""
    field = Article._meta.get_field(name)
    assert isinstance(field, CharField) and field.max_length is not None  # noqa: S101
    return field.max_length


def article_metadata_check(
    *, title: str = "", author: str = "", outlet: str = "", source_url: str = ""
) -> None:
    """Refuse metadata an article cannot hold, naming the field.

    Run where a request enters (an import is checked before it is queued, so the
    worker never meets it: docs/architecture.md, invariant 8) and again by
    ``article_create``.
    """
    values = {"title": title, "author": author, "outlet": outlet, "source_url": source_url}
    for name, value in values.items():
        problem = text_problem(value, field=name)
        if problem:
            raise ValidationError({name: problem})
        limit = metadata_max_length(name)
        if len(value) > limit:
            raise ValidationError({name: f"Keep the {name} under {limit} characters."})
    if source_url:
        try:
            URLValidator(schemes=["http", "https"])(source_url)
        except ValidationError:
            raise ValidationError(
                {"source_url": f"{source_url!r} is not an http(s) URL."}
            ) from None


def _article_checked(
    *,
    corpus: Corpus,
    text: str,
    title: str = "",
    author: str = "",
    outlet: str = "",
    source_url: str = "",
    published_on: dt.date | None = None,
) -> Article:
    """An unsaved pending article, or ValidationError naming the field at fault.

    Refuses empty or oversized text and metadata an article cannot hold; the
    duplicate check is the caller's (one query per article or per batch).
    """
    text = normalise_text(text)
    if not text.strip():
        raise ValidationError({"text": "The article has no text; paste or upload its text."})
    if "\x00" in text:
        raise ValidationError({"text": "The text holds a NUL character; is this a binary file?"})
    if len(text) > settings.MAX_ARTICLE_CHARS:
        raise ValidationError(
            {
                "text": f"The text has {len(text):,} characters; the limit is "
                f"{settings.MAX_ARTICLE_CHARS:,}. Split the article."
            }
        )
    article_metadata_check(title=title, author=author, outlet=outlet, source_url=source_url)
    return Article(
        corpus=corpus,
        text=text,
        content_hash=content_hash(text),
        title=title.strip(),
        author=author.strip(),
        outlet=outlet.strip(),
        source_url=source_url.strip(),
        published_on=published_on,
        sent_at=timezone.now(),
    )


def _duplicate_error(duplicate: Article | None = None) -> ValidationError:
    # The code sits on the field's error, where callers (imports) can read it.
    message = (
        f"This text is already in the corpus as article {duplicate.pk} "
        f"({duplicate.title or 'untitled'})."
        if duplicate is not None
        else "This text is already in the corpus."
    )
    return ValidationError({"text": ValidationError(message, code="duplicate")})


def article_create(
    *,
    corpus: Corpus,
    text: str,
    title: str = "",
    author: str = "",
    outlet: str = "",
    source_url: str = "",
    published_on: dt.date | None = None,
    queue: bool = True,
) -> Article:
    """Store an article (pending) and queue its segmentation once committed.

    Refuses empty or oversized text, a malformed URL and a text already in the
    corpus, each with a message naming the field. With ``queue=False`` the
    caller queues it (``articles_queue_segmentation``, as a bulk import does).
    """
    article = _article_checked(
        corpus=corpus,
        text=text,
        title=title,
        author=author,
        outlet=outlet,
        source_url=source_url,
        published_on=published_on,
    )
    duplicate = Article.objects.filter(corpus=corpus, content_hash=article.content_hash).first()
    if duplicate is not None:
        raise _duplicate_error(duplicate)
    try:
        with transaction.atomic():
            article.save(force_insert=True)
    except IntegrityError:
        # A concurrent import of the same text won the race.
        raise _duplicate_error() from None
    if queue:
        _queue_segmentation(article.pk)
    return article


def articles_create_many(*, corpus: Corpus, rows: list[dict]) -> list[Article | ValidationError]:
    """Store many articles (pending) at once, without queueing them; one result per row.

    Each row holds ``article_create``'s arguments; its result is the stored
    article or the ValidationError ``article_create`` would have raised (a
    text already in the corpus, or twice in ``rows``, is a duplicate). One
    query finds the duplicates and one insert stores the rest; if a concurrent
    import stored one of the same texts meanwhile, the rows go one by one.
    The caller queues the segmentation (``articles_queue_segmentation``).
    """
    results: list[Article | ValidationError] = []
    for row in rows:
        try:
            results.append(_article_checked(corpus=corpus, **row))
        except ValidationError as exc:
            results.append(exc)
    checked = [r for r in results if isinstance(r, Article)]
    first: dict[str, Article] = {
        article.content_hash: article
        for article in Article.objects.filter(
            corpus=corpus, content_hash__in={a.content_hash for a in checked}
        ).only("pk", "title", "content_hash")
    }
    fresh: list[Article] = []
    duplicates: dict[int, Article] = {}  # row index -> the article holding its text
    for i, result in enumerate(results):
        if isinstance(result, Article):
            if result.content_hash in first:
                duplicates[i] = first[result.content_hash]
            else:
                first[result.content_hash] = result
                fresh.append(result)
    try:
        with transaction.atomic():
            Article.objects.bulk_create(fresh)
    except IntegrityError:
        # A concurrent import stored one of these texts: one by one, as article_create would.
        return [r if isinstance(r, ValidationError) else _create_one(r) for r in results]
    for i, holder in duplicates.items():
        results[i] = _duplicate_error(holder)
    return results


def _create_one(article: Article) -> Article | ValidationError:
    try:
        return article_create(
            corpus=article.corpus,
            text=article.text,
            title=article.title,
            author=article.author,
            outlet=article.outlet,
            source_url=article.source_url,
            published_on=article.published_on,
            queue=False,
        )
    except ValidationError as exc:
        return exc


def article_resegment(*, article: Article) -> bool:
    """Queue a fresh segmentation of a ready or failed article.

    Returns False when the article is already pending or segmenting. Labels
    are carried over by the segmentation itself (see ``segmentation``).
    """
    return _requeue(article, [Article.Status.READY, Article.Status.FAILED])


def article_retry(*, article: Article) -> bool:
    """Segment a failed article again, with a fresh attempt count; False if it has not failed."""
    return _requeue(article, [Article.Status.FAILED])


def _requeue(article: Article, statuses: list[str]) -> bool:
    changed = Article.objects.filter(pk=article.pk, status__in=statuses).update(
        status=Article.Status.PENDING,
        status_changed_at=timezone.now(),
        failure_reason="",
        sent_at=timezone.now(),
        attempts=0,
    )
    if changed:
        _queue_segmentation(article.pk)
    return bool(changed)


def articles_requeue(*, include_failed: bool = True, now: dt.datetime | None = None) -> list[int]:
    """Queue again articles that failed or were left stuck.

    Stuck: pending or segmenting for longer than
    ``WORK_STUCK_AFTER_SECONDS``, as after a lost message.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.WORK_STUCK_AFTER_SECONDS)
    stuck = Q(
        status__in=[Article.Status.PENDING, Article.Status.SEGMENTING],
        status_changed_at__lt=cutoff,
    )
    if include_failed:
        stuck |= Q(status=Article.Status.FAILED)
    ids: list[int] = []
    with transaction.atomic():
        for article in Article.objects.select_for_update(skip_locked=True).filter(stuck):
            article.status = Article.Status.PENDING
            article.status_changed_at = now
            article.failure_reason = ""
            article.segmentation_task_id = ""
            article.sent_at = now
            article.attempts = 0
            article.save(
                update_fields=[
                    "status",
                    "status_changed_at",
                    "failure_reason",
                    "segmentation_task_id",
                    "sent_at",
                    "attempts",
                    "updated_at",
                ]
            )
            _queue_segmentation(article.pk)
            ids.append(article.pk)
    return ids


# At most this many articles are sent again per sweep, so a backlog is resent gradually.
RECONCILE_BATCH = 500


def articles_reconcile(*, now: dt.datetime | None = None, queue_depth: int | None = None) -> int:
    """Send again the segmentation of articles whose message was lost; how many were sent.

    - never sent (the broker was down when the article was created);
    - pending, sent ``REQUEUE_QUEUED_AFTER_SECONDS`` ago, while the queue is
      empty (``queue_depth`` 0; a waiting backlog is left alone);
    - segmenting for longer than ``WORK_STUCK_AFTER_SECONDS`` (past
      the task's hard time limit, so its worker is gone): sent again under the
      same task id, so the claim counts the lost start (``TASK_MAX_ATTEMPTS``).

    Each article is taken by a conditional UPDATE of ``sent_at``, so workers
    sweeping at the same time never both send it.
    """
    now = now or timezone.now()
    requeue_before = now - timedelta(seconds=settings.REQUEUE_QUEUED_AFTER_SECONDS)
    stuck_before = now - timedelta(seconds=settings.WORK_STUCK_AFTER_SECONDS)
    due = Q(status=Article.Status.PENDING, sent_at__isnull=True)
    if queue_depth == 0:
        due |= Q(status=Article.Status.PENDING, sent_at__lt=requeue_before)
    due |= Q(status=Article.Status.SEGMENTING, status_changed_at__lt=stuck_before) & (
        Q(sent_at__isnull=True) | Q(sent_at__lt=stuck_before)
    )
    rows = Article.objects.filter(due).order_by("pk")
    sent = 0
    for pk, status, task_id, sent_at in rows.values_list(
        "pk", "status", "segmentation_task_id", "sent_at"
    )[:RECONCILE_BATCH]:
        unchanged = Q(sent_at__isnull=True) if sent_at is None else Q(sent_at=sent_at)
        if not Article.objects.filter(unchanged, pk=pk, status=status).update(sent_at=now):
            continue  # another worker took it, or it moved on
        options = {"task_id": task_id} if status == Article.Status.SEGMENTING else {}
        if not task_try_send(SEGMENT_TASK, pk, **options):
            article_mark_unsent(article_id=pk)
            break  # the broker is down: the next sweep tries again
        sent += 1
    return sent
