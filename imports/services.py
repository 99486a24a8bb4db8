"""Import jobs: pasted text, documents, web pages and JSONL/CSV batches.

A request creates an ``ImportJob`` (cheap checks only, so bad input gets an
immediate message) and a worker runs it with ``import_job_run``. Every article
goes through ``article_create``, which validates, refuses duplicates and queues
segmentation on commit (a bulk batch queues its articles' segmentation as a few
messages of ``SEGMENT_BATCH_SIZE`` articles). Rows are processed in batches; each batch commits its
articles, failure rows and counters together while holding the job's row lock,
so a job delivered twice, or again after its worker died, continues where the
last committed batch ended and never imports a row twice.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from annotator.queue import attempts_exhausted_reason, task_send_on_commit
from annotator.task_limits import limit_reason
from annotator.validation import text_problem
from articles.models import Article
from articles.segmenter import segment
from articles.services.articles import (
    article_create,
    article_metadata_check,
    articles_create_many,
    articles_queue_segmentation,
)
from corpora.models import Corpus
from imports import bulk_formats, extraction
from imports.fetcher import FetchError, check_url, fetch_page
from imports.models import ArticleSnapshot, ImportFailure, ImportJob
from ops.services import unsent_work_resend

log = logging.getLogger(__name__)

IMPORT_TASK = "imports.tasks.run_import_job"
UNEXPECTED = "The import stopped on an unexpected error:"

METADATA_FIELDS = ("title", "author", "outlet", "source_url", "published_on")


class FetchRetry(Exception):
    """A page fetch failed for a passing reason; run the job again after ``delay`` seconds.

    Raised by ``import_job_run`` after recording the attempt on the job; the
    Celery task turns it into a retry with that countdown.
    """

    def __init__(self, reason: str, *, next_attempt: int, attempts: int, delay: float) -> None:
        super().__init__(f"{reason} (attempt {next_attempt} of {attempts} in {delay:g}s)")
        self.reason = reason
        self.next_attempt = next_attempt
        self.attempts = attempts
        self.delay = delay


# --- creating jobs (in the request) ---------------------------------------------


def _queue(job: ImportJob) -> None:
    """Send the job's task once committed; if the broker cannot take it, the reconciler will."""
    job.sent_at = timezone.now()
    job.save(update_fields=["sent_at"])
    job_id = job.pk

    def unsent() -> None:
        import_job_mark_unsent(job_id=job_id)

    task_send_on_commit(IMPORT_TASK, job_id, on_unsent=unsent)


def import_job_mark_unsent(*, job_id: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(sent_at=None)


def _options(*, keep_first_line: bool = False, **metadata) -> dict:
    options: dict = {"keep_first_line": True} if keep_first_line else {}
    for name in METADATA_FIELDS:
        value = metadata.get(name)
        if value in (None, ""):
            continue
        if name == "published_on":
            if isinstance(value, str):
                parsed = extraction.parse_date(value)
                if parsed is None:
                    raise ValidationError(
                        {"published_on": f"{value!r} is not a date; use YYYY-MM-DD."}
                    )
                value = parsed
            value = value.isoformat()
        elif not isinstance(value, str):
            raise ValidationError({name: f"The {name} must be text."})
        options[name] = value.strip()
    # Checked now, not in the worker, so the request that sent it hears why
    # (docs/architecture.md, invariant 8).
    article_metadata_check(
        **{name: options.get(name, "") for name in METADATA_FIELDS if name != "published_on"}
    )
    return options


def _text_check(text: str) -> None:
    if not (text or "").strip():
        raise ValidationError({"text": "The text is empty; paste the article's text."})
    if len(text) > settings.MAX_ARTICLE_CHARS:
        raise ValidationError(
            {"text": f"The text is longer than {settings.MAX_ARTICLE_CHARS:,} characters."}
        )
    problem = text_problem(text, field="text")
    if problem:
        raise ValidationError({"text": problem})


@transaction.atomic
def import_text_create(
    *,
    corpus: Corpus,
    user: User | None,
    text: str,
    title: str = "",
    author: str = "",
    outlet: str = "",
    source_url: str = "",
    published_on: dt.date | str | None = None,
    keep_first_line: bool = False,
) -> ImportJob:
    """Queue the import of pasted text with its metadata.

    Unless ``keep_first_line``, a first line shaped like a headline becomes the
    title and leaves the text (``extraction.lead_apply``, in the worker).
    """
    _text_check(text)
    options = _options(
        title=title,
        author=author,
        outlet=outlet,
        source_url=source_url,
        published_on=published_on,
        keep_first_line=keep_first_line,
    )
    job = ImportJob.objects.create(
        corpus=corpus,
        created_by=user,
        kind=ImportJob.Kind.TEXT,
        payload=text.encode("utf-8"),
        options=options,
        total=1,
    )
    _queue(job)
    return job


def _file_check(filename: str, data: bytes) -> bool:
    """The cheap checks of an upload (see ``import_file_create``); whether it is a batch."""
    suffix = extraction.suffix_of(filename)
    allowed = extraction.DOCUMENT_SUFFIXES + extraction.BULK_SUFFIXES
    if suffix not in allowed:
        raise ValidationError(
            {"file": f"{filename!r} cannot be imported: use a file ending in {', '.join(allowed)}."}
        )
    bulk = suffix in extraction.BULK_SUFFIXES
    limit = settings.IMPORT_MAX_BULK_BYTES if bulk else settings.IMPORT_MAX_FILE_BYTES
    if not data:
        raise ValidationError({"file": f"{filename} is empty."})
    if len(data) > limit:
        raise ValidationError(
            {
                "file": f"{filename} is {len(data) / 1e6:.1f} MB; the limit is "
                f"{limit / 1e6:.1f} MB. Split it into smaller files."
            }
        )
    try:
        if suffix in (".txt", ".md", ".jsonl", ".csv"):
            text = extraction.decode_text(data, what=filename)
            if suffix == ".csv":
                bulk_formats.csv_header(text)
            elif not text.strip():
                raise ValidationError(f"{filename} holds only white space.")
        elif suffix == ".docx":
            extraction.zip_check(data, what=filename).close()  # its directory only: cheap
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    return bulk


@transaction.atomic
def import_file_create(
    *,
    corpus: Corpus,
    user: User | None,
    filename: str,
    data: bytes,
    **metadata,
) -> ImportJob:
    """Queue the import of an uploaded document or JSONL/CSV batch.

    Refuses at once an unknown suffix, an empty or oversized file, for text
    formats a file that is not UTF-8 or a CSV without a ``text`` column, and a
    .docx that is no zip archive or whose directory passes the archive limits.
    """
    bulk = _file_check(filename, data)
    job = ImportJob.objects.create(
        corpus=corpus,
        created_by=user,
        kind=ImportJob.Kind.BULK if bulk else ImportJob.Kind.FILE,
        filename=filename[:300],
        payload=data,
        options=_options(**metadata),
        total=0 if bulk else 1,
    )
    _queue(job)
    return job


@transaction.atomic
def import_url_create(*, corpus: Corpus, user: User | None, url: str) -> ImportJob:
    """Queue the fetch of a web page; the worker checks where it really points."""
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": "Give the address of the page to import."})
    problem = text_problem(url, field="url")
    if problem:
        raise ValidationError({"url": problem})
    try:
        check_url(url)
    except FetchError as exc:
        raise ValidationError({"url": str(exc)}) from None
    if len(url) > 2000:
        raise ValidationError({"url": "Keep the URL under 2,000 characters."})
    job = ImportJob.objects.create(
        corpus=corpus, created_by=user, kind=ImportJob.Kind.URL, source_url=url, total=1
    )
    _queue(job)
    return job


def import_create(
    *,
    corpus: Corpus,
    user: User | None,
    kind: str,
    text: str = "",
    url: str = "",
    upload=None,
    **metadata,
) -> ImportJob:
    """One entry point for the HTML form and the API: text, file (an upload) or url."""
    if kind == "text":
        return import_text_create(corpus=corpus, user=user, text=text, **metadata)
    if kind == "url":
        return import_url_create(corpus=corpus, user=user, url=url)
    if kind != "file":
        raise ValidationError({"kind": "Choose text, file or url."})
    data = _upload_read(upload)
    return import_file_create(corpus=corpus, user=user, filename=upload.name, data=data, **metadata)


def _upload_read(upload) -> bytes:
    if upload is None:
        raise ValidationError({"file": "Choose a file to upload."})
    # Refuse an oversized upload before reading it into memory.
    limit = max(settings.IMPORT_MAX_BULK_BYTES, settings.IMPORT_MAX_FILE_BYTES)
    if upload.size > limit:
        raise ValidationError(
            {
                "file": f"{upload.name} is {upload.size / 1e6:.1f} MB; the limit is "
                f"{limit / 1e6:.1f} MB. Split it into smaller files."
            }
        )
    return upload.read()


# --- previewing (in the request; nothing is stored) ---------------------------------

PREVIEW_SENTENCES = 3


@dataclasses.dataclass
class ImportPreview:
    """What an import would make of a text or a document, before it is stored."""

    batch: bool = False
    title: str = ""
    # The lines taken out of the start of the text as title (and byline); "" when none.
    taken: str = ""
    author: str = ""
    outlet: str = ""
    published_on: dt.date | None = None
    sentences: list[str] = dataclasses.field(default_factory=list)
    sentence_count: int = 0
    characters: int = 0


def import_preview(
    *, kind: str, text: str = "", upload=None, keep_first_line: bool = False, **metadata
) -> ImportPreview:
    """Run the extraction an import of pasted text or one document would run
    (the same checks, ``_document``, the segmenter) and store nothing.

    A JSONL/CSV batch is only checked: its rows are read when it is imported.
    """
    if kind == "text":
        _text_check(text)
        payload, filename, job_kind = text.encode("utf-8"), "", ImportJob.Kind.TEXT
    elif kind == "file":
        data = _upload_read(upload)
        if _file_check(upload.name, data):
            return ImportPreview(batch=True)
        payload, filename, job_kind = data, upload.name, ImportJob.Kind.FILE
    else:
        raise ValidationError({"kind": "Only pasted text and files can be previewed."})
    options = _options(keep_first_line=keep_first_line, **metadata)
    extracted = _document(kind=job_kind, payload=payload, filename=filename, options=options)
    segments = segment(extracted.text)
    return ImportPreview(
        title=extracted.title,
        taken=extracted.taken,
        author=extracted.author,
        outlet=extracted.outlet,
        published_on=extracted.published_on,
        sentences=[extracted.text[s.start : s.end] for s in segments[:PREVIEW_SENTENCES]],
        sentence_count=len(segments),
        characters=len(extracted.text),
    )


# --- running jobs (in a worker) -------------------------------------------------


def _reason(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(
            f"{message}" if field in ("text", "__all__") else f"{field}: {message}"
            for field, errors in exc.error_dict.items()
            for message in ValidationError(errors).messages
        )
    return " ".join(exc.messages)


def _is_duplicate(exc: ValidationError) -> bool:
    errors = getattr(exc, "error_dict", {}).get("text", [])
    return any(getattr(error, "code", None) == "duplicate" for error in errors)


def import_job_fail(*, job_id: int, reason: str) -> None:
    """Give up on a job: after the task's last retry, or when a limit stopped its task.

    A job already finished keeps its outcome, except that a limit's reason
    replaces the generic one recorded when the task was interrupted.
    """
    ImportJob.objects.filter(pk=job_id).filter(
        Q(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
        | Q(status=ImportJob.Status.FAILED, error__startswith=UNEXPECTED)
    ).update(status=ImportJob.Status.FAILED, error=reason, finished_at=timezone.now())


def _finish(job_id: int, *, error: str = "") -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED if error else ImportJob.Status.DONE,
        error=error,
        finished_at=timezone.now(),
    )


def import_job_claim(*, job_id: int) -> bool:
    """Start (or continue) a queued or running job; False when there is nothing to do.

    Every start is counted. A job still "running" when a worker starts it again
    was left by a worker that died (killed, out of memory); after
    ``TASK_MAX_ATTEMPTS`` such starts since its last progress it is given up
    as failed instead of killing yet another worker.
    """
    limit = settings.TASK_MAX_ATTEMPTS
    now = timezone.now()
    claimed = (
        ImportJob.objects.filter(pk=job_id)
        .filter(
            Q(status=ImportJob.Status.QUEUED)
            | Q(status=ImportJob.Status.RUNNING, attempts__lt=limit)
        )
        .update(
            status=ImportJob.Status.RUNNING,
            started_at=Coalesce(F("started_at"), Value(now)),
            attempts=F("attempts") + 1,
        )
    )
    if claimed:
        return True
    ImportJob.objects.filter(
        pk=job_id, status=ImportJob.Status.RUNNING, attempts__gte=limit
    ).update(
        status=ImportJob.Status.FAILED,
        error=attempts_exhausted_reason("this import", limit),
        finished_at=now,
    )
    return False


def import_job_run(*, job_id: int) -> str:
    """Run (or continue) a job; returns its final status. Safe to call twice."""
    if not import_job_claim(job_id=job_id):
        return "skipped"
    try:
        job = ImportJob.objects.select_related("corpus").get(pk=job_id)
        if job.kind == ImportJob.Kind.BULK:
            _run_bulk(job)
        else:
            _run_single(job)
    except ValidationError as exc:
        _finish(job_id, error=_reason(exc))
        return ImportJob.Status.FAILED
    except (OperationalError, InterfaceError, FetchRetry):
        raise  # transient: the task retries and the job continues where it was
    except Exception as exc:
        log.exception("import job %s failed", job_id)
        if connection.connection is not None and not connection.is_usable():
            # The driver closed it (e.g. it could not allocate a buffer under the
            # worker's memory cap): reconnect, so the reason is recorded.
            connection.close()
        limit = limit_reason(exc)
        if limit:
            # Free what the stopped work held (the traceback's frames keep the
            # payload alive) before writing the reason; and do not re-raise: Celery
            # would re-raise a MemoryError in the worker's main process too.
            exc.__traceback__ = None
            with contextlib.suppress(NameError):  # unbound if loading the job failed
                del job
            _finish(job_id, error=limit)
            return ImportJob.Status.FAILED
        _finish(job_id, error=f"{UNEXPECTED} {exc}")
        raise
    job.refresh_from_db(fields=["status"])
    return job.status


def _parse_bulk(job: ImportJob) -> bulk_formats.Parsed:
    text = extraction.decode_text(bytes(job.payload), what=job.filename or "The file")
    if extraction.suffix_of(job.filename) == ".csv":
        return bulk_formats.parse_csv(text)
    return bulk_formats.parse_jsonl(text)


def _run_bulk(job: ImportJob) -> None:
    parsed = _parse_bulk(job)
    notices = []
    if parsed.unknown_columns:
        notices.append(
            f"Unknown columns ignored: {', '.join(parsed.unknown_columns)}. Known columns: "
            f"{', '.join(bulk_formats.COLUMNS)}."
        )
    ImportJob.objects.filter(pk=job.pk).update(total=len(parsed.rows), notices=notices)
    batch_size = settings.IMPORT_BATCH_SIZE
    # A big batch runs as a chain of tasks, each well inside the time limit:
    # past this budget the job is queued again and continues after its last batch.
    deadline = time.monotonic() + settings.TASK_SOFT_TIME_LIMIT_SECONDS / 2
    while True:
        if time.monotonic() > deadline:
            _continue_later(job)
            return
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().only(
                "done", "failed", "duplicates", "status"
            )
            current = locked.get(pk=job.pk)
            if current.status != ImportJob.Status.RUNNING:
                return
            start = current.done + current.failed + current.duplicates
            batch = parsed.rows[start : start + batch_size]
            if not batch:
                break
            _import_batch(current, job.corpus, batch)
    _finish(job.pk)


def _import_batch(job: ImportJob, corpus: Corpus, rows: list[bulk_formats.Row]) -> None:
    failures: list[ImportFailure] = []
    created: list[Article] = []
    done = duplicates = 0
    results = iter(
        articles_create_many(corpus=corpus, rows=[row.fields for row in rows if not row.error])
    )
    for row in rows:
        if row.error:
            failures.append(ImportFailure(job=job, line=row.line, reason=row.error))
            continue
        result = next(results)
        if isinstance(result, Article):
            created.append(result)
            done += 1
        else:
            exc = result
            duplicate = _is_duplicate(exc)
            duplicates += duplicate
            failures.append(
                ImportFailure(
                    job=job,
                    line=row.line,
                    reason=_reason(exc),
                    kind=ImportFailure.Kind.DUPLICATE if duplicate else ImportFailure.Kind.ERROR,
                )
            )
    ImportFailure.objects.bulk_create(failures)
    articles_queue_segmentation(article_ids=[article.pk for article in created])
    job.created_articles.add(*created)
    job.done += done
    job.duplicates += duplicates
    job.failed += len(failures) - duplicates
    job.attempts = 0  # progress: the starts before it were not lost
    job.save(update_fields=["done", "failed", "duplicates", "attempts"])


def _continue_later(job: ImportJob) -> None:
    """Hand a long job back to the queue; the next task continues after its last batch."""
    with transaction.atomic():
        if ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.QUEUED, attempts=0
        ):
            _queue(job)


def _document(*, kind: str, payload: bytes, filename: str, options: dict) -> extraction.Extracted:
    """Pasted text or an uploaded document as the article it makes: the
    document's text and metadata, the metadata given with the import on top,
    then the first line as title when it is a headline (``extraction.lead_apply``).

    The worker and the import form's preview both call this, so the preview
    shows exactly the text that is stored.
    """
    if kind == ImportJob.Kind.TEXT:
        extracted = extraction.Extracted(text=payload.decode("utf-8"))
    else:
        extracted = extraction.extract_document(payload, filename=filename)
    for name in METADATA_FIELDS:
        value = options.get(name)
        if value:
            setattr(
                extracted, name, extraction.parse_date(value) if name == "published_on" else value
            )
    return extraction.lead_apply(extracted, keep_first_line=bool(options.get("keep_first_line")))


def _single_document(job: ImportJob) -> tuple[extraction.Extracted, Callable[[Article], None]]:
    """The document's text and metadata, and what to store beside its article."""
    if job.kind in (ImportJob.Kind.TEXT, ImportJob.Kind.FILE):
        document = _document(
            kind=job.kind, payload=bytes(job.payload), filename=job.filename, options=job.options
        )
        return document, lambda _a: None
    try:
        page = fetch_page(job.source_url)
    except FetchError as exc:
        _fetch_attempt_record(job, error=str(exc))
        if exc.transient:
            _retry_or_give_up(job, exc)
        raise ValidationError({"url": str(exc)}) from None
    _fetch_attempt_record(job, error="")
    extracted = extraction.lead_apply(extraction.extract_html(page.body, url=page.final_url))
    extracted.source_url = page.final_url

    def keep_snapshot(article: Article) -> None:
        ArticleSnapshot.objects.create(
            article=article,
            requested_url=page.requested_url,
            final_url=page.final_url,
            status_code=page.status_code,
            content_type=page.content_type,
            body=page.body,
            fetched_at=timezone.now(),
        )

    return extracted, keep_snapshot


def _fetch_attempt_record(job: ImportJob, *, error: str) -> None:
    """Append this try at fetching the page to the job's record (kept on ``job`` too)."""
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().only("fetch_attempts").get(pk=job.pk)
        attempts = list(current.fetch_attempts)
        attempts.append(
            {"attempt": len(attempts) + 1, "at": timezone.now().isoformat(), "error": error}
        )
        # A try that ended (even in error) is progress: the start was not lost.
        ImportJob.objects.filter(pk=job.pk).update(fetch_attempts=attempts, attempts=0)
    job.fetch_attempts = attempts


def _retry_or_give_up(job: ImportJob, exc: FetchError) -> None:
    """Raise FetchRetry while tries are left, else a ValidationError saying we gave up."""
    made = len(job.fetch_attempts)
    allowed = settings.IMPORT_FETCH_ATTEMPTS
    if made >= allowed:
        tries = "once" if made == 1 else f"{made} times"
        raise ValidationError(
            {
                "url": f"Gave up after trying {tries}: {exc} Try again later, or save the page "
                "and upload the file."
            }
        )
    delay = settings.IMPORT_FETCH_RETRY_BACKOFF_SECONDS * 2 ** (made - 1)
    raise FetchRetry(str(exc), next_attempt=made + 1, attempts=allowed, delay=delay)


def import_job_run_inline(*, job_id: int, sleep: Callable[[float], None] = time.sleep) -> str:
    """Run a job in this process, waiting out fetch retries (the command's ``--inline``)."""
    while True:
        try:
            return import_job_run(job_id=job_id)
        except FetchRetry as retry:
            sleep(retry.delay)


def _run_single(job: ImportJob) -> None:
    # Extraction and fetching happen outside the transaction: they can be slow.
    try:
        extracted, after_create = _single_document(job)
        fields = {name: getattr(extracted, name) for name in ("text", *METADATA_FIELDS)}
        if len(fields["source_url"]) > 2000:
            fields["source_url"] = ""
    except ValidationError as exc:
        _record_single_failure(job, exc)
        return
    with transaction.atomic():
        current = (
            ImportJob.objects.select_for_update()
            .only("done", "failed", "duplicates")
            .get(pk=job.pk)
        )
        if current.done or current.failed or current.duplicates:
            return  # a previous delivery finished the work
        try:
            with transaction.atomic():
                article = article_create(corpus=job.corpus, **fields)
                job.created_articles.add(article)
                after_create(article)
        except ValidationError as exc:
            _record_single_failure(job, exc)
            return
        ImportJob.objects.filter(pk=job.pk).update(
            done=1, article=article, status=ImportJob.Status.DONE, finished_at=timezone.now()
        )


def _record_single_failure(job: ImportJob, exc: ValidationError) -> None:
    duplicate = _is_duplicate(exc)
    reason = _reason(exc)
    with transaction.atomic():
        ImportFailure.objects.create(
            job=job,
            reason=reason,
            kind=ImportFailure.Kind.DUPLICATE if duplicate else ImportFailure.Kind.ERROR,
        )
        ImportJob.objects.filter(pk=job.pk).update(
            failed=0 if duplicate else 1,
            duplicates=1 if duplicate else 0,
            status=ImportJob.Status.FAILED,
            error=reason,
            finished_at=timezone.now(),
        )


# --- healing and retrying -----------------------------------------------------------

RECONCILE_BATCH = 200


def import_jobs_reconcile(*, now: dt.datetime | None = None, queue_depth: int | None = None) -> int:
    """Send again the jobs whose message was lost; how many were sent.

    Never sent (the broker was down); queued and sent
    ``REQUEUE_QUEUED_AFTER_SECONDS`` ago while the queue is empty; running with
    no progress for ``WORK_STUCK_AFTER_SECONDS`` (past the task's hard
    time limit, so its worker is gone: the next start is counted). Each job is
    taken by a conditional UPDATE of ``sent_at``.
    """
    return unsent_work_resend(
        rows=ImportJob.objects.all(),
        task=IMPORT_TASK,
        now=now,
        queue_depth=queue_depth,
        batch=RECONCILE_BATCH,
    )


@transaction.atomic
def import_job_retry(*, job: ImportJob) -> bool:
    """Queue a failed job again; False if it has not failed.

    A batch continues after its last committed batch (rows already imported or
    refused stay as they are); a single document starts over.
    """
    locked = ImportJob.objects.select_for_update().filter(pk=job.pk).first()
    if locked is None or locked.status != ImportJob.Status.FAILED:
        return False
    locked.status = ImportJob.Status.QUEUED
    locked.error = ""
    locked.attempts = 0
    locked.finished_at = None
    fields = ["status", "error", "attempts", "finished_at"]
    if locked.kind != ImportJob.Kind.BULK:
        locked.failures.all().delete()
        locked.done = locked.failed = locked.duplicates = 0
        locked.fetch_attempts = []
        fields += ["done", "failed", "duplicates", "fetch_attempts"]
    locked.save(update_fields=fields)
    _queue(locked)
    job.refresh_from_db()
    return True
