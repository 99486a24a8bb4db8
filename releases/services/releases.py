"""Publishing a release, withdrawing it, resetting splits, and healing lost builds.

A release is requested in one transaction (its row, status ``queued``) and
built by ``releases.tasks.build_release``, queued by name after commit. The row
is the outbox (docs/architecture.md, invariant 7): a send that failed leaves
``sent_at`` empty and ``releases_reconcile`` sends it again.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from annotator.queue import attempts_exhausted_reason, task_send_on_commit
from corpora.models import Corpus
from ops.services import unsent_work_resend
from releases import format as release_format
from releases.models import ArticleSplit, Release
from releases.selectors import releasable_articles

BUILD_TASK = "releases.tasks.build_release"
RECONCILE_BATCH = 50
# Path segments the releases pages use beside versions.
RESERVED_VERSIONS = frozenset({"diff", "splits"})


def _queue(release: Release) -> None:
    release.sent_at = timezone.now()
    release.save(update_fields=["sent_at"])
    release_id = release.pk

    def unsent() -> None:
        Release.objects.filter(pk=release_id).update(sent_at=None)

    task_send_on_commit(BUILD_TASK, release_id, on_unsent=unsent)


def release_options_check(
    *,
    corpus: Corpus,
    version: str,
    licence: str,
    language: str,
    article_ids: list[int] | None,
    train_percent: int,
    validation_percent: int,
    test_percent: int,
) -> None:
    """Every rule on a release request, each failure naming its field."""
    errors: dict[str, str] = {}
    if not release_format.VERSION_PATTERN.fullmatch(version):
        errors["version"] = (
            "Use letters, digits and . + _ - (up to 40, starting with a letter or digit), "
            "for example 1.0 or 2024-06."
        )
    elif version in RESERVED_VERSIONS:
        errors["version"] = f"{version!r} names a page of its own; choose another version."
    elif Release.objects.filter(corpus=corpus, version=version).exists():
        errors["version"] = f"Version {version} exists already; a release is never changed."
    problem = release_format.licence_check(licence)
    if problem:
        errors["licence"] = problem
    if not release_format.LANGUAGE_PATTERN.fullmatch(language):
        errors["language"] = "Give a language code such as en, fr or pt-BR."
    if train_percent + validation_percent + test_percent != 100:
        errors["train_percent"] = (
            "The train, validation and test percentages must add up to 100 "
            f"(they add up to {train_percent + validation_percent + test_percent})."
        )
    if article_ids is not None:
        if not article_ids:
            errors["article_ids"] = "Choose at least one article, or leave it out for all."
        else:
            found = set(
                releasable_articles(corpus=corpus, article_ids=article_ids).values_list(
                    "pk", flat=True
                )
            )
            missing = sorted(set(article_ids) - found)
            if missing:
                shown = ", ".join(str(i) for i in missing[:10])
                errors["article_ids"] = (
                    f"These articles are not ready articles of this corpus (or are archived): "
                    f"{shown}{'…' if len(missing) > 10 else ''}."
                )
    if errors:
        raise ValidationError(errors)


def release_create(
    *,
    corpus: Corpus,
    user: User | None,
    name: str,
    version: str,
    licence: str,
    description: str = "",
    citation: str = "",
    language: str = "en",
    contents: str = Release.Contents.GOLD,
    article_ids: list[int] | None = None,
    show_usernames: bool = False,
    seed: int = 0,
    train_percent: int = 80,
    validation_percent: int = 10,
    test_percent: int = 10,
) -> Release:
    """Request a release; the worker builds it from one read of the database."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the release a name."})
    if contents not in Release.Contents.values:
        raise ValidationError({"contents": "Choose gold or all."})
    release_options_check(
        corpus=corpus,
        version=version,
        licence=licence,
        language=language,
        article_ids=article_ids,
        train_percent=train_percent,
        validation_percent=validation_percent,
        test_percent=test_percent,
    )
    try:
        with transaction.atomic():
            release = Release.objects.create(
                corpus=corpus,
                created_by=user,
                name=name,
                version=version,
                description=description,
                licence=licence,
                citation=citation,
                language=language,
                contents=contents,
                article_ids=sorted(set(article_ids)) if article_ids is not None else None,
                show_usernames=show_usernames,
                seed=seed,
                train_percent=train_percent,
                validation_percent=validation_percent,
                test_percent=test_percent,
            )
            _queue(release)
    except IntegrityError:
        # Two requests for the same version at once: the other one won.
        raise ValidationError(
            {"version": f"Version {version} exists already; a release is never changed."}
        ) from None
    return release


def release_withdraw(*, release: Release, reason: str) -> Release:
    """Hide a release from researchers, with the reason; its files and row stay as they are."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the release is withdrawn; researchers see it."})
    if release.withdrawn_at is not None:
        raise ValidationError({"reason": "This release was withdrawn already."})
    now = timezone.now()
    Release.objects.filter(pk=release.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_reason=reason
    )
    release.refresh_from_db()
    return release


def splits_reset(*, corpus: Corpus) -> int:
    """Forget every article's split: the next release draws them again. How many were kept."""
    deleted, _ = ArticleSplit.objects.filter(corpus=corpus).delete()
    return deleted


# --- the build's claim, failure and healing ------------------------------------------


def release_claim(*, release_id: int) -> bool:
    """Start (or start again) a queued or running build; False when there is nothing to do.

    Every start is counted: a build still running when a worker starts it again
    was left by a worker that died; after ``TASK_MAX_ATTEMPTS`` such starts it
    ends failed with the reason instead of killing another worker.
    """
    limit = settings.TASK_MAX_ATTEMPTS
    now = timezone.now()
    claimed = (
        Release.objects.filter(pk=release_id)
        .filter(
            Q(status=Release.Status.QUEUED) | Q(status=Release.Status.RUNNING, attempts__lt=limit)
        )
        .update(
            status=Release.Status.RUNNING,
            started_at=Coalesce(F("started_at"), Value(now)),
            attempts=F("attempts") + 1,
            processed=0,
        )
    )
    if claimed:
        return True
    Release.objects.filter(
        pk=release_id, status=Release.Status.RUNNING, attempts__gte=limit
    ).update(
        status=Release.Status.FAILED,
        error=attempts_exhausted_reason("building this release", limit),
        finished_at=now,
    )
    return False


def release_fail(*, release_id: int, reason: str) -> None:
    """End a build as failed with its reason (a published release is never touched)."""
    Release.objects.filter(
        pk=release_id, status__in=[Release.Status.QUEUED, Release.Status.RUNNING]
    ).update(status=Release.Status.FAILED, error=reason, finished_at=timezone.now())


def release_retry(*, release: Release) -> bool:
    """Queue a failed build again; False if it has not failed."""
    with transaction.atomic():
        updated = Release.objects.filter(pk=release.pk, status=Release.Status.FAILED).update(
            status=Release.Status.QUEUED, error="", attempts=0, finished_at=None, processed=0
        )
        if not updated:
            return False
        release.refresh_from_db()
        _queue(release)
    return True


def releases_reconcile(*, now: dt.datetime | None = None, queue_depth: int | None = None) -> int:
    """Send again the builds whose message was lost; how many were sent.

    The same rules as the other sweeps (ops/reconciler.py): never sent; queued
    and sent ``REQUEUE_QUEUED_AFTER_SECONDS`` ago while the queue is empty;
    running for ``WORK_STUCK_AFTER_SECONDS`` (its worker is gone). Each is
    taken by a conditional UPDATE of ``sent_at``.
    """
    return unsent_work_resend(
        rows=Release.objects.all(),
        task=BUILD_TASK,
        now=now,
        queue_depth=queue_depth,
        batch=RECONCILE_BATCH,
    )
