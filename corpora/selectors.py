"""Reads behind the corpus endpoints and pages: the caller's corpora, one corpus, its members."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from corpora.guidelines import guidelines_html
from corpora.models import Corpus, Invitation, Label, Membership
from corpora.permissions import can_edit_segmentation


def corpora_with_roles(*, user) -> QuerySet[Corpus]:
    """The user's corpora, each with ``my_role``."""
    return (
        Corpus.objects.filter(memberships__user=user)
        .annotate(my_role=F("memberships__role"))
        .order_by("name", "pk")
    )


def corpus_detail(*, corpus: Corpus, role: str) -> dict:
    return {
        "slug": corpus.slug,
        "name": corpus.name,
        "description": corpus.description,
        "my_role": role,
        "guidelines_version": corpus.guidelines_version,
        "overlap": corpus.overlap,
        "created_at": corpus.created_at,
        "updated_at": corpus.updated_at,
        "auto_gold_unanimous": corpus.auto_gold_unanimous,
        "annotators_edit_segmentation": corpus.annotators_edit_segmentation,
        "can_edit_segmentation": can_edit_segmentation(role, corpus),
        "labels": list(corpus.labels.order_by("order", "pk")),
        "guidelines": corpus.guidelines,
        "guidelines_html": guidelines_html(corpus.guidelines),
    }


def corpus_members(*, corpus: Corpus) -> QuerySet[Membership]:
    """The corpus's memberships by user name, each with its user's name loaded."""
    return (
        Membership.objects.filter(corpus=corpus)
        .select_related("user")
        .only("user_id", "role", "created_at", "user__username")
        .order_by("user__username")
    )


def label_by_key(*, corpus_id: int, key: str) -> Label | None:
    """The corpus's label with this key, or None."""
    return Label.objects.filter(corpus_id=corpus_id, key=key).first()


def label_keys(*, corpus_id: int) -> list[str]:
    """The corpus's label keys on offer (not archived) in its order, for messages that list
    the choices."""
    return list(
        Label.objects.filter(corpus_id=corpus_id, archived=False).values_list("key", flat=True)
    )


def corpus_invitations(*, corpus: Corpus, used_within_days: int = 30) -> QuerySet[Invitation]:
    """The corpus's invitations still open, and those used, revoked or expired lately."""
    since = timezone.now() - dt.timedelta(days=used_within_days)
    return (
        Invitation.objects.filter(corpus=corpus)
        .filter(
            Q(used_at__gte=since)
            | Q(revoked_at__gte=since)
            | Q(used_at__isnull=True, revoked_at__isnull=True, expires_at__gte=since)
        )
        .select_related("used_by", "created_by")
        .order_by("-created_at", "-pk")[:200]
    )


def invitation_by_token(*, token: str) -> Invitation | None:
    """The invitation whose link carries ``token`` (looked up by its hash), or None."""
    if not token or len(token) > 200:
        return None
    return (
        Invitation.objects.filter(token_hash=invitation_token_hash(token))
        .select_related("corpus")
        .first()
    )


def invitation_token_hash(token: str) -> str:
    """What is stored of an invitation's token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()
