"""Corpora, guidelines and members."""

import pytest
from django.core.exceptions import ValidationError

from corpora.models import GuidelineVersion, Membership, Role
from corpora.services.corpora import (
    corpus_create,
    corpus_guidelines_update,
    membership_remove,
    membership_set,
)


def test_guidelines_version_goes_up_on_every_edit(corpus):
    assert corpus.guidelines_version == 1
    corpus_guidelines_update(corpus=corpus, guidelines="# v2")
    corpus_guidelines_update(corpus=corpus, guidelines="# v2")  # unchanged: no new version
    corpus_guidelines_update(corpus=corpus, guidelines="# v3")
    corpus.refresh_from_db()
    assert (corpus.guidelines, corpus.guidelines_version) == ("# v3", 3)


def test_every_version_of_the_guidelines_is_kept_with_who_wrote_it(corpus, owner):
    corpus_guidelines_update(corpus=corpus, guidelines="# v2", user=owner)
    versions = list(
        GuidelineVersion.objects.filter(corpus=corpus).values_list("version", "text", "created_by")
    )
    assert versions == [(1, "# Guidelines\n", owner.pk), (2, "# v2", owner.pk)]


def test_slugs_are_made_unique(owner):
    first = corpus_create(name="Op-eds", owner=owner)
    second = corpus_create(name="Op-eds", owner=owner)
    assert (first.slug, second.slug) == ("op-eds", "op-eds-2")


def test_a_corpus_needs_a_name(owner):
    with pytest.raises(ValidationError) as exc:
        corpus_create(name="  ", owner=owner)
    assert "name" in exc.value.message_dict


def test_the_last_owner_can_be_neither_removed_nor_demoted(corpus, owner):
    with pytest.raises(ValidationError, match="last owner"):
        membership_remove(corpus=corpus, user=owner)
    with pytest.raises(ValidationError, match="last owner"):
        membership_set(corpus=corpus, user=owner, role=Role.VIEWER)
    assert Membership.objects.get(corpus=corpus, user=owner).role == Role.OWNER


def test_an_owner_can_leave_once_another_owner_exists(corpus, owner, reviewer):
    membership_set(corpus=corpus, user=reviewer, role=Role.OWNER)
    membership_remove(corpus=corpus, user=owner)
    assert not Membership.objects.filter(corpus=corpus, user=owner).exists()


def test_an_unknown_role_is_refused(corpus, annotator):
    with pytest.raises(ValidationError, match="Unknown role"):
        membership_set(corpus=corpus, user=annotator, role="admin")
