"""Access helpers for articles and sentences: the object and the caller's role, or 404/403.

They apply the rights of ``corpora.permissions`` to objects inside a corpus:
an outsider's lookup finds nothing (404), a member without the right gets 403.
"""

from __future__ import annotations

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import Http404

from annotator.rows import instance
from articles.models import Article, Sentence
from articles.sql import labeling_row
from corpora.models import Corpus, Label, Membership
from corpora.permissions import Right, require_right


def article_for(user, pk: int, *, right: Right = Right.VIEW) -> tuple[Article, str]:
    """The article and the user's role in its corpus, or 404/403: one query."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such article.")
    role = Membership.objects.filter(corpus_id=OuterRef("corpus_id"), user=user)
    article = (
        Article.objects.filter(pk=pk)
        .select_related("corpus")
        .annotate(caller_role=Subquery(role.values("role")[:1]))
        .filter(caller_role__isnull=False)
        .first()
    )
    if article is None:
        raise Http404("No such article.")
    require_right(article.caller_role, right)
    return article, article.caller_role


def sentence_for(user, pk: int, *, right: Right = Right.VIEW) -> tuple[Sentence, str]:
    """The sentence (with its article and corpus) and the user's role, or 404/403.

    One query, joined through the user's membership: an outsider's lookup
    finds nothing at all. (It runs on every label write, so it is kept plain.)
    """
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such sentence.")
    sentence = next(iter(_sentences_of(user, pk).order_by()[:1]), None)
    if sentence is None:
        raise Http404("No such sentence.")
    require_right(sentence.caller_role, right)
    return sentence, sentence.caller_role


def _sentences_of(user, pk: int) -> QuerySet[Sentence]:
    # The article's text and the corpus's guidelines can run to megabytes and
    # no caller of a sentence lookup reads them: they stay in the database.
    return (
        Sentence.objects.filter(pk=pk, article__corpus__memberships__user=user)
        .select_related("article__corpus")
        .defer("article__text", "article__corpus__guidelines", "article__corpus__description")
        .annotate(caller_role=F("article__corpus__memberships__role"))
    )


def sentence_for_labeling(
    user, pk: int, *, label_key: str, right: Right = Right.LABEL
) -> tuple[Sentence, str, Label | None]:
    """``sentence_for`` plus the corpus's label with ``label_key`` (None if it has none).

    The label write's hot path: one statement (``articles.sql.labeling_row``),
    written out because building it through the ORM (a FilteredRelation join)
    cost more Python time per write than the round trip it saves. It reads only
    what a write needs; the other fields of the sentence, article, corpus and
    label are deferred (loaded if ever read). Access is the same as
    ``sentence_for``'s: through a membership.
    """
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such sentence.")
    row = labeling_row(user_id=user.pk, sentence_id=pk, label_key=label_key)
    if row is None:
        raise Http404("No such sentence.")
    sentence = instance(
        Sentence,
        id=row.sentence_id,
        article_id=row.article_id,
        index=row.index,
        start=row.start,
        end=row.end,
        paragraph=row.paragraph,
        kind=row.kind,
        text=row.text,
    )
    sentence.article = instance(
        Article, id=row.article_id, corpus_id=row.corpus_id, status=row.article_status
    )
    sentence.article.corpus = instance(
        Corpus, id=row.corpus_id, guidelines_version=row.guidelines_version
    )
    require_right(row.role, right)
    label = None
    if row.label_id is not None:
        label = instance(
            Label,
            id=row.label_id,
            corpus_id=row.corpus_id,
            key=label_key,
            name=row.label_name,
            takes_source=row.label_takes_source,
            archived=row.label_archived,
        )
    return sentence, row.role, label
