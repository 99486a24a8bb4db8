"""Who labels which article: "next article", assignment by hand, finishing.

Each ready article is labeled by ``corpus.overlap`` annotators, and no more:
every way of giving an article to someone (next article, by hand, in bulk,
reassigning) counts its holders under the article's row lock and refuses a
seat beyond the overlap (``OverlapFull``, a 409 in the API). An annotator
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
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from articles.models import Article, Sentence
from articles.selectors.counts import count_subquery
from corpora.models import Corpus, Membership
from corpora.permissions import Right, has_right
from review.exceptions import OverlapFull
from review.models import Assignment
from review.selectors.assignments import articles_with_workload, labelers_of

# The highest overlap an owner may set.
OVERLAP_MAX = 20
# The most articles one bulk assignment may cover (bounded work: invariant 8).
BULK_MAX_ARTICLES = 5000

# How many candidates one claim tries before giving up on rows others hold.
CLAIM_ATTEMPTS = 20
# How often to look again when all candidates were held by concurrent claims,
# skipping held rows, before a last round that waits for them.
CLAIM_ROUNDS = 5


def article_is_finished_by(*, article: Article, user) -> bool:
    unlabeled = Sentence.objects.filter(article=article, kind=Sentence.Kind.SENTENCE).exclude(
        annotations__annotator=user
    )
    has_any = Sentence.objects.filter(article=article, kind=Sentence.Kind.SENTENCE).exists()
    return has_any and not unlabeled.exists()


def _holders_add(deltas: dict[int, int]) -> None:
    """Add ``deltas`` (article id -> assignments added, negative for removed) to the
    articles' ``assignment_count``, in the caller's transaction.

    Every write of assignments goes through here (docs/architecture.md, "Derived
    counts"): the list's "assigned to nobody" reads the articles at 0. An
    increment, not a value, so writes on one article side by side add up.
    """
    by_delta: dict[int, list[int]] = {}
    for article_id, delta in deltas.items():
        if delta:
            by_delta.setdefault(delta, []).append(article_id)
    for delta, article_ids in by_delta.items():
        Article.objects.filter(pk__in=sorted(article_ids)).update(
            assignment_count=F("assignment_count") + delta
        )


def assignment_counts_rebuild(*, corpus_id: int) -> None:
    """Count every article's holders in the corpus again from its assignments: for a
    corpus nothing else writes to meanwhile (restored from an archive, bulk loaded)."""
    Article.objects.filter(corpus_id=corpus_id).update(
        assignment_count=count_subquery(
            Assignment.objects.filter(article=OuterRef("pk")), "article"
        )
    )


def user_deleted_receiver(sender, *, instance, **_kwargs) -> None:
    """``pre_delete`` of a user: their assignments go with them (the foreign key
    cascades, the one way around these services), so their articles lose a holder
    each. Runs in the deletion's transaction, before the cascade."""
    held = Assignment.objects.filter(annotator=instance).values("article_id")
    Article.objects.filter(pk__in=held).update(assignment_count=F("assignment_count") - 1)


LOCKED = object()  # another claim holds the article right now


def _claim(*, article_id: int, user, overlap: int, wait: bool = False):
    """Take a seat on the article if one is free, under the article's row lock.

    Returns the article, None when it is full (or no longer open), or LOCKED when
    another claim holds its row: skipped rather than waited for, unless ``wait``.
    """
    with transaction.atomic():
        locked = (
            Article.objects.select_for_update(skip_locked=not wait)
            .filter(pk=article_id, status=Article.Status.READY, archived=False)
            .first()
        )
        if locked is None:
            return None if wait else LOCKED
        # Counted after the lock, in a fresh statement: a claim that committed
        # between our candidate list and the lock is seen here.
        taken = Assignment.objects.filter(article_id=article_id).count()
        if taken >= overlap:
            return None
        try:
            with transaction.atomic():
                Assignment.objects.create(article=locked, annotator=user)
                _holders_add({article_id: 1})
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
    for attempt in range(CLAIM_ROUNDS + 1):
        # The last round waits for each candidate's lock rather than skipping it: seats
        # that other claims hold for a moment are not "nothing left" (on a busy server
        # every round could find them held). One row lock at a time: no deadlock.
        wait = attempt == CLAIM_ROUNDS
        skipped = False
        for article_id in list(open_[:CLAIM_ATTEMPTS]):
            claimed = _claim(article_id=article_id, user=user, overlap=corpus.overlap, wait=wait)
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


def overlap_message(*, article: Article, holders: int, overlap: int) -> str:
    return (
        f"“{article}” already has {holders} annotator{'s' if holders != 1 else ''}, "
        f"the corpus's overlap ({overlap}): take one off it, reassign, or raise the overlap."
    )


def _check_assignable(article: Article) -> None:
    if article.archived:
        raise ValidationError({"article": "The article is archived; bring it back first."})
    if article.status != Article.Status.READY:
        raise ValidationError(
            {"article": f"The article is {article.status}; assign it once it is ready."}
        )


def assignment_create(
    *, article: Article, annotator: User, assigned_by: User | None
) -> tuple[Assignment, bool]:
    """An owner gives ``article`` to ``annotator`` by hand; idempotent.

    Refused with ``OverlapFull`` when the article already has the corpus's
    overlap of annotators (counted under the article's row lock, so two owners
    cannot both take the last seat).
    """
    _check_annotator(article.corpus, annotator)
    _check_assignable(article)
    overlap = article.corpus.overlap
    with transaction.atomic():
        Article.objects.select_for_update().filter(pk=article.pk).first()
        existing = Assignment.objects.filter(article=article, annotator=annotator).first()
        if existing is not None:
            return existing, False
        holders = Assignment.objects.filter(article=article).count()
        if holders >= overlap:
            raise OverlapFull(overlap_message(article=article, holders=holders, overlap=overlap))
        assignment = Assignment.objects.create(
            article=article, annotator=annotator, assigned_by=assigned_by
        )
        _holders_add({article.pk: 1})
    return assignment, True


def assignment_reassign(
    *, article: Article, annotator: User, to: User, assigned_by: User | None
) -> Assignment:
    """Move ``annotator``'s assignment of ``article`` to ``to``.

    The labels ``annotator`` already made stay theirs and stay in the data;
    ``to`` starts with their own (usually none). The number of holders does
    not change, so the overlap holds.
    """
    _check_annotator(article.corpus, to)
    with transaction.atomic():
        Article.objects.select_for_update().filter(pk=article.pk).first()
        assignment = Assignment.objects.filter(article=article, annotator=annotator).first()
        if assignment is None:
            raise ValidationError({"annotator": f"{annotator} was not assigned “{article}”."})
        if annotator.pk == to.pk:
            return assignment
        if Assignment.objects.filter(article=article, annotator=to).exists():
            raise ValidationError({"to": f"{to} already holds “{article}”."})
        assignment.annotator = to
        assignment.assigned_by = assigned_by
        assignment.assigned_at = timezone.now()
        assignment.finished_at = None
        assignment.save(update_fields=["annotator", "assigned_by", "assigned_at", "finished_at"])
    return assignment


def _assignments_delete(assignments) -> bool:
    """Delete ``assignments`` and take each off its article's holder count.

    The rows are locked first: of two requests deleting one assignment, the
    second finds it gone and counts nothing.
    """
    with transaction.atomic():
        held = list(assignments.select_for_update().values_list("pk", "article_id"))
        if not held:
            return False
        Assignment.objects.filter(pk__in=[pk for pk, _ in held]).delete()
        _holders_add({article_id: -n for article_id, n in Counter(a for _, a in held).items()})
    return True


def assignment_delete(*, article: Article, annotator: User) -> bool:
    """Take the article back from ``annotator``; their labels stay."""
    return _assignments_delete(Assignment.objects.filter(article=article, annotator=annotator))


def _member_user(corpus: Corpus, user_id: int, field_name: str) -> User:
    member = (
        Membership.objects.select_related("user").filter(corpus=corpus, user_id=user_id).first()
    )
    if member is None:
        raise ValidationError({field_name: "No member of this corpus has that id; add them first."})
    return member.user


def assignment_create_in_corpus(
    *, corpus: Corpus, article_id: int, annotator_id: int, assigned_by: User | None
) -> tuple[Assignment, bool]:
    """``assignment_create`` for ids a client sent: each must name one of ``corpus``'s own."""
    article = Article.objects.filter(pk=article_id, corpus=corpus).first()
    if article is None:
        raise ValidationError({"article": "No such article in this corpus."})
    annotator = _member_user(corpus, annotator_id, "annotator")
    return assignment_create(article=article, annotator=annotator, assigned_by=assigned_by)


def assignment_reassign_in_corpus(
    *, corpus: Corpus, article_id: int, annotator_id: int, to_id: int, assigned_by: User | None
) -> Assignment | None:
    """``assignment_reassign`` by ids; None when ``corpus`` has no such assignment."""
    assignment = (
        Assignment.objects.select_related("article__corpus", "annotator")
        .filter(article_id=article_id, article__corpus=corpus, annotator_id=annotator_id)
        .first()
    )
    if assignment is None:
        return None
    to = _member_user(corpus, to_id, "annotator")
    return assignment_reassign(
        article=assignment.article, annotator=assignment.annotator, to=to, assigned_by=assigned_by
    )


def assignment_delete_in_corpus(*, corpus: Corpus, article_id: int, annotator_id: int) -> bool:
    """``assignment_delete`` by ids; False when ``corpus`` has no such assignment."""
    return _assignments_delete(
        Assignment.objects.filter(
            article_id=article_id, article__corpus=corpus, annotator_id=annotator_id
        )
    )


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


@dataclass
class BulkPlan:
    """What a bulk assignment does (or did): new seats, and the articles it could not fill."""

    per_article: int
    articles: int = 0
    created: list[tuple[int, int]] = field(default_factory=list)  # (article id, user id)
    per_member: dict[int, int] = field(default_factory=dict)  # user id -> new assignments
    already_full: list[int] = field(default_factory=list)  # had per_article holders already
    short: list[int] = field(default_factory=list)  # too few chosen members left to fill
    not_assignable: list[int] = field(default_factory=list)  # not ready, or archived
    load_before: dict[int, int] = field(default_factory=dict)  # user id -> unfinished before


def _bulk_check(
    *, corpus: Corpus, article_ids: list[int], per_article: int, annotator_ids: list[int]
) -> list[User]:
    if not article_ids:
        raise ValidationError({"articles": "Choose at least one article."})
    if len(article_ids) > BULK_MAX_ARTICLES:
        raise ValidationError(
            {
                "articles": f"{len(article_ids)} articles is more than one bulk assignment "
                f"takes ({BULK_MAX_ARTICLES}); narrow the filters or assign in parts."
            }
        )
    if per_article < 1:
        raise ValidationError({"per_article": "Give each article at least one annotator."})
    if per_article > corpus.overlap:
        raise ValidationError(
            {
                "per_article": f"{per_article} annotators per article is more than the "
                f"corpus's overlap ({corpus.overlap}); raise the overlap first."
            }
        )
    if not annotator_ids:
        raise ValidationError({"annotators": "Choose the members to share the articles among."})
    people = list(labelers_of(corpus=corpus).filter(pk__in=annotator_ids))
    missing = set(annotator_ids) - {p.pk for p in people}
    if missing:
        raise ValidationError(
            {
                "annotators": "These ids are not members of this corpus whose role labels: "
                + ", ".join(str(i) for i in sorted(missing))
            }
        )
    if per_article > len(people):
        raise ValidationError(
            {
                "per_article": f"{per_article} annotators per article needs at least "
                f"{per_article} members; {len(people)} chosen."
            }
        )
    return people


def _bulk_plan(
    *, corpus: Corpus, article_ids: list[int], per_article: int, people: list[User]
) -> BulkPlan:
    """Fill each article up to ``per_article`` holders from ``people``, least loaded first.

    Load is each member's unfinished assignments in the corpus, counted before
    and raised as the plan gives them articles, so the new work evens out the
    members' queues (ties go to the earlier name).
    """
    plan = BulkPlan(per_article=per_article)
    order = {p.pk: i for i, p in enumerate(sorted(people, key=lambda p: p.get_username()))}
    load = Counter(
        dict(
            Assignment.objects.filter(
                article__corpus=corpus, annotator__in=people, finished_at__isnull=True
            )
            .values_list("annotator_id")
            .annotate(n=Count("pk"))
            .values_list("annotator_id", "n")
        )
    )
    plan.load_before = {p.pk: load[p.pk] for p in people}
    wanted = list(dict.fromkeys(article_ids))  # keep the caller's order, once each
    assignable = set(
        Article.objects.filter(
            pk__in=wanted, corpus=corpus, status=Article.Status.READY, archived=False
        ).values_list("pk", flat=True)
    )
    holders: dict[int, set[int]] = {pk: set() for pk in assignable}
    for article_id, user_id in Assignment.objects.filter(article_id__in=assignable).values_list(
        "article_id", "annotator_id"
    ):
        holders[article_id].add(user_id)
    for article_id in wanted:
        if article_id not in assignable:
            plan.not_assignable.append(article_id)
            continue
        plan.articles += 1
        held = holders[article_id]
        need = per_article - len(held)
        if need <= 0:
            plan.already_full.append(article_id)
            continue
        free = sorted((pk for pk in order if pk not in held), key=lambda pk: (load[pk], order[pk]))
        chosen = free[:need]
        if len(chosen) < need:
            plan.short.append(article_id)
        for user_id in chosen:
            plan.created.append((article_id, user_id))
            load[user_id] += 1
            plan.per_member[user_id] = plan.per_member.get(user_id, 0) + 1
    return plan


def assignments_bulk_preview(
    *, corpus: Corpus, article_ids: list[int], per_article: int, annotator_ids: list[int]
) -> BulkPlan:
    """What ``assignments_bulk_create`` would do now, without doing it."""
    people = _bulk_check(
        corpus=corpus, article_ids=article_ids, per_article=per_article, annotator_ids=annotator_ids
    )
    return _bulk_plan(
        corpus=corpus, article_ids=article_ids, per_article=per_article, people=people
    )


def assignments_bulk_create(
    *,
    corpus: Corpus,
    article_ids: list[int],
    per_article: int,
    annotator_ids: list[int],
    assigned_by: User | None,
) -> BulkPlan:
    """Give each article up to ``per_article`` annotators from ``annotator_ids``, balanced.

    One transaction: the articles' rows are locked (in id order, so two bulk
    assignments cannot deadlock) before holders are counted, the plan is made
    under the locks and written at once, so the overlap holds against next
    article and other owners, and a failure writes nothing.
    """
    people = _bulk_check(
        corpus=corpus, article_ids=article_ids, per_article=per_article, annotator_ids=annotator_ids
    )
    with transaction.atomic():
        list(
            Article.objects.select_for_update()
            .filter(pk__in=article_ids, corpus=corpus)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        plan = _bulk_plan(
            corpus=corpus, article_ids=article_ids, per_article=per_article, people=people
        )
        Assignment.objects.bulk_create(
            [
                Assignment(article_id=a, annotator_id=u, assigned_by=assigned_by)
                for a, u in plan.created
            ],
            batch_size=1000,
        )
        _holders_add(Counter(a for a, _ in plan.created))
    return plan


def assignments_of_member_reassign(
    *, corpus: Corpus, annotator: User, to: User, assigned_by: User | None
) -> int:
    """Move every unfinished assignment of ``annotator`` to ``to`` (someone leaving).

    Articles ``to`` already holds stay with ``annotator``. Labels stay with
    whoever made them. Returns how many moved.
    """
    _check_annotator(corpus, to)
    with transaction.atomic():
        mine = Assignment.objects.filter(
            article__corpus=corpus, annotator=annotator, finished_at__isnull=True
        )
        article_ids = list(mine.values_list("article_id", flat=True))
        list(
            Article.objects.select_for_update()
            .filter(pk__in=article_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        held = Assignment.objects.filter(article_id__in=article_ids, annotator=to).values(
            "article_id"
        )
        return mine.filter(~Q(article_id__in=held)).update(
            annotator=to, assigned_by=assigned_by, assigned_at=timezone.now()
        )


def corpus_overlap_set(*, corpus: Corpus, overlap: int) -> Corpus:
    """Set how many annotators label each article.

    Lowering it takes no one off an article: articles holding more keep their
    annotators, and get no new one until they are under it again.
    """
    if not 1 <= overlap <= OVERLAP_MAX:
        raise ValidationError({"overlap": f"Choose an overlap from 1 to {OVERLAP_MAX}."})
    if corpus.overlap != overlap:
        corpus.overlap = overlap
        corpus.save(update_fields=["overlap", "updated_at"])
    return corpus
