"""Creating and changing corpora, their labels and members."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from corpora.models import Corpus, GuidelineVersion, Label, Membership, Role

DEFAULT_LABELS: list[dict[str, str | bool]] = [
    {
        "key": "claim",
        "name": "Claim",
        "description": "An assertion the author puts forward as true without support in "
        "the text: an opinion, judgement or interpretation.",
        "color": "#b45309",
        "shortcut": "1",
    },
    {
        "key": "speculation",
        "name": "Speculation",
        "description": "A guess about what may happen or may be the case: hedged, "
        "conditional or predictive.",
        "color": "#6d28d9",
        "shortcut": "2",
    },
    {
        "key": "sourced_fact",
        "name": "Sourced fact",
        "description": "A statement of fact that rests on a named source, a document or a "
        "record, which the annotator can cite.",
        "color": "#047857",
        "shortcut": "3",
        "takes_source": True,
    },
]


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "corpus"
    slug, n = base, 2
    while Corpus.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def corpus_create(
    *,
    name: str,
    owner: User,
    description: str = "",
    guidelines: str = "",
    overlap: int = 1,
    slug: str | None = None,
) -> Corpus:
    """A corpus with the default label set, owned by ``owner``."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the corpus a name."})
    if overlap < 1:
        raise ValidationError({"overlap": "At least one annotator must label each article."})
    if slug is not None:
        slug = slugify(slug)
        if not slug:
            raise ValidationError({"slug": "Use letters, digits and hyphens in the slug."})
        if Corpus.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": f"The slug {slug!r} is taken; choose another."})
    corpus = Corpus.objects.create(
        name=name,
        slug=slug or _unique_slug(name),
        description=description,
        guidelines=guidelines,
        overlap=overlap,
    )
    GuidelineVersion.objects.create(
        corpus=corpus, version=corpus.guidelines_version, text=guidelines, created_by=owner
    )
    Label.objects.bulk_create(
        Label(corpus=corpus, order=i, **spec) for i, spec in enumerate(DEFAULT_LABELS)
    )
    Membership.objects.create(corpus=corpus, user=owner, role=Role.OWNER)
    return corpus


@transaction.atomic
def corpus_guidelines_update(
    *, corpus: Corpus, guidelines: str, user: User | None = None
) -> Corpus:
    """Replace the guidelines; the version goes up when the text changes, and each is kept."""
    if guidelines == corpus.guidelines:
        return corpus
    corpus.guidelines = guidelines
    corpus.guidelines_version += 1
    corpus.save(update_fields=["guidelines", "guidelines_version", "updated_at"])
    GuidelineVersion.objects.create(
        corpus=corpus, version=corpus.guidelines_version, text=guidelines, created_by=user
    )
    return corpus


def membership_set(*, corpus: Corpus, user: User, role: str) -> Membership:
    """Add ``user`` to the corpus or change their role; the last owner stays."""
    if role not in Role.values:
        raise ValidationError(
            {"role": f"Unknown role {role!r}; use one of {', '.join(Role.values)}."}
        )
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(corpus=corpus, user=user).first()
        if membership is None:
            return Membership.objects.create(corpus=corpus, user=user, role=role)
        if membership.role == Role.OWNER and role != Role.OWNER:
            _ensure_another_owner(corpus=corpus, leaving=membership)
        membership.role = role
        membership.save(update_fields=["role"])
        return membership


def membership_remove(*, corpus: Corpus, user: User) -> None:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(corpus=corpus, user=user).first()
        if membership is None:
            return
        if membership.role == Role.OWNER:
            _ensure_another_owner(corpus=corpus, leaving=membership)
        membership.delete()


def _ensure_another_owner(*, corpus: Corpus, leaving: Membership) -> None:
    # Lock every owner row so two owners cannot demote each other at once.
    owners = list(
        Membership.objects.select_for_update()
        .filter(corpus=corpus, role=Role.OWNER)
        .exclude(pk=leaving.pk)
        .values_list("pk", flat=True)
    )
    if not owners:
        raise ValidationError(
            {"role": "This is the corpus's last owner; make someone else owner first."}
        )


def corpus_segmentation_editing_set(*, corpus: Corpus, allowed: bool) -> Corpus:
    """Let annotators change sentence boundaries in ``corpus`` (owners and reviewers always may)."""
    if corpus.annotators_edit_segmentation != allowed:
        corpus.annotators_edit_segmentation = allowed
        corpus.save(update_fields=["annotators_edit_segmentation", "updated_at"])
    return corpus
