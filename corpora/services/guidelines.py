"""Telling members what changed in the guidelines, once per member and version."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from corpora.guidelines import DiffLine, guidelines_diff
from corpora.models import Corpus, GuidelineVersion, Membership


@dataclass(frozen=True)
class GuidelinesNotice:
    """The guidelines moved from ``old_version`` (the last one this member was shown)."""

    old_version: int
    new_version: int
    diff: list[DiffLine]


def guidelines_notice_take(*, corpus: Corpus, user: User) -> GuidelinesNotice | None:
    """The notice this member has not seen yet, recorded as seen; None when there is none.

    A member with no recorded version (added outside the services, e.g. in
    the admin) reads the current guidelines as they are: no notice, and the
    current version is recorded.
    The conditional UPDATE makes it once per member and version even when
    two pages open at the same moment: only the request that moved the
    recorded version shows it.
    """
    membership = (
        Membership.objects.filter(corpus=corpus, user=user)
        .values_list("pk", "guidelines_seen_version")
        .first()
    )
    if membership is None:
        return None
    pk, seen = membership
    current = corpus.guidelines_version
    if seen is not None and seen >= current:
        return None
    moved = Membership.objects.filter(pk=pk, guidelines_seen_version=seen).update(
        guidelines_seen_version=current
    )
    if not moved or seen is None:
        return None
    texts = dict(
        GuidelineVersion.objects.filter(corpus=corpus, version__in=[seen, current]).values_list(
            "version", "text"
        )
    )
    # A version with no stored text (a corpus restored from an older archive)
    # diffs as empty rather than failing the page.
    return GuidelinesNotice(
        old_version=seen,
        new_version=current,
        diff=guidelines_diff(texts.get(seen, ""), texts.get(current, corpus.guidelines)),
    )
