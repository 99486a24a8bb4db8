"""Who may do what: the one place where corpus roles become rights.

A user acts in a corpus only through their Membership there. Someone who is
not a member gets 404 for the corpus and everything in it, never its data; a
member whose role lacks a right gets 403 with a message naming the role
needed. The HTML views use the access helpers below (and ``articles.access``
for articles and sentences); the API uses them too, through its permission
classes.
"""

from __future__ import annotations

import enum

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from corpora.models import Corpus, Membership, Role


class Right(enum.StrEnum):
    VIEW = "view"  # read the corpus, its articles and sentences, its guidelines
    LABEL = "label"  # set, change and clear one's own labels
    SEE_ALL_LABELS = "see_all_labels"  # read every annotator's labels, datasets, agreement
    REVIEW = "review"  # adjudicate disagreements into gold labels
    MANAGE = "manage"  # members, labels, guidelines, settings, imports, assignment
    # split and merge sentences, mark headings; annotators too where the corpus allows
    # (``can_edit_segmentation``)
    EDIT_SEGMENTATION = "edit_segmentation"


ROLE_RIGHTS: dict[str, frozenset[Right]] = {
    Role.OWNER: frozenset(Right),
    Role.REVIEWER: frozenset(
        {Right.VIEW, Right.LABEL, Right.SEE_ALL_LABELS, Right.REVIEW, Right.EDIT_SEGMENTATION}
    ),
    # Annotators see their own labels only, so colleagues' choices cannot sway them.
    Role.ANNOTATOR: frozenset({Right.VIEW, Right.LABEL}),
    Role.VIEWER: frozenset({Right.VIEW, Right.SEE_ALL_LABELS}),
}

_NEEDED_ROLES = {
    right: sorted(role for role, rights in ROLE_RIGHTS.items() if right in rights)
    for right in Right
}


def role_of(user, corpus: Corpus | int) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    corpus_id = corpus.pk if isinstance(corpus, Corpus) else corpus
    return (
        Membership.objects.filter(user=user, corpus_id=corpus_id)
        .values_list("role", flat=True)
        .first()
    )


def has_right(role: str | None, right: Right) -> bool:
    return role is not None and right in ROLE_RIGHTS.get(role, frozenset())


def require_right(role: str | None, right: Right) -> None:
    """404 for a non-member, 403 naming the roles that may, for a member."""
    if role is None:
        raise Http404("No such corpus.")
    if not has_right(role, right):
        roles = ", ".join(_NEEDED_ROLES[right])
        raise PermissionDenied(
            f"Your role here is {role}; this needs one of: {roles}. Ask a corpus owner."
        )


def can_edit_segmentation(role: str | None, corpus: Corpus) -> bool:
    """Whether ``role`` may change sentence boundaries in ``corpus``.

    Owners and reviewers always may; annotators when the corpus's owner allows it
    (``Corpus.annotators_edit_segmentation``); viewers never.
    """
    if has_right(role, Right.EDIT_SEGMENTATION):
        return True
    return role == Role.ANNOTATOR and corpus.annotators_edit_segmentation


def require_segmentation_right(role: str | None, corpus: Corpus) -> None:
    """404 for a non-member, 403 saying who may, for a member who may not edit boundaries."""
    if role is None:
        raise Http404("No such corpus.")
    if not can_edit_segmentation(role, corpus):
        extra = "" if role == Role.VIEWER else "; annotators too when an owner allows it"
        raise PermissionDenied(
            f"Your role here is {role}; changing sentence boundaries needs the owner or "
            f"reviewer role{extra}. Ask a corpus owner."
        )


def corpora_visible_to(user) -> QuerySet[Corpus]:
    if not getattr(user, "is_authenticated", False):
        return Corpus.objects.none()
    return Corpus.objects.filter(memberships__user=user)


def corpus_for(
    user, *, right: Right = Right.VIEW, slug: str | None = None, pk: int | None = None
) -> tuple[Corpus, str]:
    """The corpus (by slug or pk) and the user's role in it, or 404/403."""
    lookup = {"slug": slug} if slug is not None else {"pk": pk}
    corpus = corpora_visible_to(user).filter(**lookup).first()
    if corpus is None:
        raise Http404("No such corpus.")
    role = role_of(user, corpus)
    require_right(role, right)
    return corpus, role  # type: ignore[return-value]


def corpus_roles(user) -> dict[int, str]:
    """Every corpus id the user belongs to, with their role there."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return dict(Membership.objects.filter(user=user).values_list("corpus_id", "role"))
