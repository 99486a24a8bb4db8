"""Access helpers for articles and sentences: the object and the caller's role, or 404/403.

They apply the rights of ``corpora.permissions`` to objects inside a corpus:
an outsider's lookup finds nothing (404), a member without the right gets 403.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import Http404

from articles.models import Article, Sentence
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

    The label write's hot path: one statement, written out because building it
    through the ORM (a FilteredRelation join) cost more Python time per write
    than the round trip it saves. It reads only what a write needs; the other
    fields of the sentence, article, corpus and label are deferred (loaded if
    ever read). Access is the same as ``sentence_for``'s: through a membership.
    """
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such sentence.")
    with connection.cursor() as cursor:
        cursor.execute(_LABELING_SQL, [user.pk, label_key, pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such sentence.")
    db = connection.alias
    sentence = Sentence.from_db(db, _SENTENCE_FIELDS, row[:7])
    article = Article.from_db(db, ["id", "corpus_id", "status"], [row[1], row[7], row[8]])
    article.corpus = Corpus.from_db(db, ["id", "guidelines_version"], [row[7], row[9]])
    sentence.article = article
    role = row[10]
    require_right(role, right)
    label = None
    if row[11] is not None:
        label = Label.from_db(
            db,
            ["id", "corpus_id", "key", "name", "takes_source"],
            [row[11], row[7], label_key, row[12], row[13]],
        )
    return sentence, role, label


_SENTENCE_FIELDS = ["id", "article_id", "index", "start", "end", "paragraph", "kind"]
_LABELING_SQL = f"""
SELECT s.id, s.article_id, s."index", s."start", s."end", s.paragraph, s.kind,
       a.corpus_id, a.status, c.guidelines_version, m.role,
       l.id, l.name, l.takes_source
FROM {Sentence._meta.db_table} s
JOIN {Article._meta.db_table} a ON a.id = s.article_id
JOIN {Corpus._meta.db_table} c ON c.id = a.corpus_id
JOIN {Membership._meta.db_table} m ON m.corpus_id = a.corpus_id AND m.user_id = %s
LEFT JOIN {Label._meta.db_table} l ON l.corpus_id = a.corpus_id AND l."key" = %s
WHERE s.id = %s
"""
