"""Who labels which article: "next article", assignment by hand, finishing.

Each ready article is labeled by ``corpus.overlap`` annotators. An annotator
asking for their next article gets, in order: an article assigned to them that
they have not finished; else a new article that still needs annotators, the
ones with the fewest assignees first, so the whole corpus gets its first pass
before anything gets its last. The claim locks the article row (skipping rows
another claim holds) and re-counts its assignees under the lock, so two
annotators racing for the last seat cannot over-assign it; the unique
constraint on (article, annotator) stops a double claim by one person.

Finished means every labelable (non-heading) sentence carries the annotator's
label; it is always decided from the labels, ``Assignment.finished_at`` only
dates it.
"""

from __future__ import annotations

import time

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone

from articles.models import Article, Sentence
from corpora.models import Corpus, Membership
from corpora.permissions import Right, has_right
from review.models import Assignment
from review.selectors.assignments import articles_with_workload

# How many candidates one claim tries before giving up on rows others hold.
CLAIM_ATTEMPTS = 20
# How often to look again when all candidates were held by concurrent claims.
CLAIM_ROUNDS = 5


def article_is_finished_by(*, article: Article, user) -> bool:
    unlabeled = Sentence.objects.filter(article=article, kind=Sentence.Kind.SENTENCE).exclude(
        annotations__annotator=user
    )
    has_any = Sentence.objects.filter(article=article, kind=Sentence.Kind.SENTENCE).exists()
    return has_any and not unlabeled.exists()


LOCKED = object()  # another claim holds the article right now


def _claim(*, article_id: int, user, overlap: int):
    """Take a seat on the article if one is free, under the article's row lock.

    Returns the article, None when it is full, or LOCKED when another claim
    holds its row (skipped rather than waited for).
    """
    with transaction.atomic():
        locked = (
            Article.objects.select_for_update(skip_locked=True)
            .filter(pk=article_id, status=Article.Status.READY)
            .first()
        )
        if locked is None:
            return LOCKED
        # Counted after the lock, in a fresh statement: a claim that committed
        # between our candidate list and the lock is seen here.
        taken = Assignment.objects.filter(article_id=article_id).count()
        if taken >= overlap:
            return None
        try:
            with transaction.atomic():
                Assignment.objects.create(article=locked, annotator=user)
        except IntegrityError:
            pass  # already theirs (a double click): that is the article they get
        return locked


def article_next_for(*, corpus: Corpus, user, after: int | None = None) -> Article | None:
    """The annotator's next article in ``corpus``, claiming a seat on it if needed.

    ``after`` is the article the annotator is leaving: it is offered again only
    when nothing else is left. Returns None when nothing remains for them.
    """
    assignments_mark_finished(corpus=corpus, annotator=user)
    workload = articles_with_workload(corpus, user).filter(mine__lt=F("total"))
    elsewhere = workload.exclude(pk=after) if after is not None else workload

    # Their own unfinished assignments first, oldest first.
    assigned_at = Assignment.objects.filter(article=OuterRef("pk"), annotator=user).values(
        "assigned_at"
    )[:1]
    own = elsewhere.filter(assigned_to_me=True).order_by(Subquery(assigned_at), "pk").first()
    if own is not None:
        return own

    # Then a new seat: fewest assignees first, then the most left to label.
    open_ = (
        elsewhere.filter(assigned_to_me=False, assignees__lt=corpus.overlap)
        .order_by("assignees", "-total", "pk")
        .values_list("pk", flat=True)
    )
    for attempt in range(CLAIM_ROUNDS):
        skipped = False
        for article_id in list(open_[:CLAIM_ATTEMPTS]):
            claimed = _claim(article_id=article_id, user=user, overlap=corpus.overlap)
            if claimed is LOCKED:
                skipped = True
            elif claimed is not None:
                return claimed
        if not skipped:
            break
        # Every free seat was being claimed by someone else: look again.
        time.sleep(0.01 * (attempt + 1))

    # Nothing else: the article they are leaving, if it is theirs and unfinished.
    if after is not None:
        return workload.filter(pk=after, assigned_to_me=True).first()
    return None


def _check_annotator(corpus: Corpus, annotator) -> None:
    role = (
        Membership.objects.filter(corpus=corpus, user=annotator)
        .values_list("role", flat=True)
        .first()
    )
    if not has_right(role, Right.LABEL):
        raise ValidationError(
            {
                "annotator": f"{annotator} is not an annotator of this corpus; "
                "add them as a member with a role that labels first."
            }
        )


def assignment_create(
    *, article: Article, annotator: User, assigned_by: User | None
) -> tuple[Assignment, bool]:
    """An owner gives ``article`` to ``annotator`` by hand; idempotent.

    The overlap is a target for "next article", not a limit on owners: an
    owner may add a further annotator on purpose (a calibration article, say).
    """
    _check_annotator(article.corpus, annotator)
    if article.status != Article.Status.READY:
        raise ValidationError(
            {"article": f"The article is {article.status}; assign it once it is ready."}
        )
    with transaction.atomic():
        Article.objects.select_for_update().filter(pk=article.pk).first()
        assignment, created = Assignment.objects.get_or_create(
            article=article, annotator=annotator, defaults={"assigned_by": assigned_by}
        )
    return assignment, created


def assignment_delete(*, article: Article, annotator: User) -> bool:
    """Take the article back from ``annotator``; their labels stay."""
    deleted, _ = Assignment.objects.filter(article=article, annotator=annotator).delete()
    return bool(deleted)


def assignment_create_in_corpus(
    *, corpus: Corpus, article_id: int, annotator_id: int, assigned_by: User | None
) -> tuple[Assignment, bool]:
    """``assignment_create`` for ids a client sent: each must name one of ``corpus``'s own."""
    article = Article.objects.filter(pk=article_id, corpus=corpus).first()
    if article is None:
        raise ValidationError({"article": "No such article in this corpus."})
    member = (
        Membership.objects.select_related("user")
        .filter(corpus=corpus, user_id=annotator_id)
        .first()
    )
    if member is None:
        raise ValidationError(
            {"annotator": "No member of this corpus has that id; add them first."}
        )
    return assignment_create(article=article, annotator=member.user, assigned_by=assigned_by)


def assignment_delete_in_corpus(*, corpus: Corpus, article_id: int, annotator_id: int) -> bool:
    """``assignment_delete`` by ids; False when ``corpus`` has no such assignment."""
    deleted, _ = Assignment.objects.filter(
        article_id=article_id, article__corpus=corpus, annotator_id=annotator_id
    ).delete()
    return bool(deleted)


def assignments_mark_finished(*, corpus: Corpus, annotator=None) -> int:
    """Date newly finished assignments and undate ones a cleared label reopened."""
    unlabeled = Sentence.objects.filter(
        article=OuterRef("article"), kind=Sentence.Kind.SENTENCE
    ).exclude(annotations__annotator=OuterRef("annotator"))
    base = Assignment.objects.filter(article__corpus=corpus)
    if annotator is not None:
        base = base.filter(annotator=annotator)
    finished = base.filter(finished_at__isnull=True).filter(~Exists(unlabeled))
    reopened = base.filter(finished_at__isnull=False).filter(Exists(unlabeled))
    changed = finished.update(finished_at=timezone.now())
    changed += reopened.update(finished_at=None)
    return changed
