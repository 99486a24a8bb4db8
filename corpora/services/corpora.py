"""Creating and changing corpora, their labels and members."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify

from annotator.queue import task_send_on_commit
from corpora.models import Corpus, GuidelineVersion, Membership, Role
from corpora.services.labels import LabelSetChange, LabelSpec, label_set_save

MAX_OVERLAP = 50
MAX_GUIDELINES_CHARS = 200_000

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


# Slugs a page address already uses (/corpora/new/ is the new-corpus form).
RESERVED_SLUGS = frozenset({"new"})


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "corpus"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Corpus.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def default_label_specs() -> list[LabelSpec]:
    """The label set a new corpus starts with (claim, speculation, sourced fact)."""
    return [
        LabelSpec(
            name=str(spec["name"]),
            color=str(spec["color"]),
            shortcut=str(spec["shortcut"]),
            description=str(spec["description"]),
            takes_source=bool(spec.get("takes_source", False)),
            key=str(spec["key"]),
        )
        for spec in DEFAULT_LABELS
    ]


def corpus_create_allowed(user: User) -> bool:
    """Whether ``user`` may create corpora (every signed-in user, or staff only by setting)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or not settings.CORPUS_CREATE_STAFF_ONLY


def _check_slug(slug: str, *, corpus: Corpus | None = None) -> str:
    cleaned = slugify(slug)
    if not cleaned:
        raise ValidationError({"slug": "Use letters, digits and hyphens in the slug."})
    if len(cleaned) > 80:  # Corpus.slug max_length
        raise ValidationError({"slug": "Keep the slug under 80 characters."})
    if cleaned in RESERVED_SLUGS:
        raise ValidationError({"slug": f"The slug {cleaned!r} is reserved; choose another."})
    taken = Corpus.objects.filter(slug=cleaned)
    if corpus is not None:
        taken = taken.exclude(pk=corpus.pk)
    if taken.exists():
        raise ValidationError({"slug": f"The slug {cleaned!r} is taken; choose another."})
    return cleaned


def _check_fields(*, name: str, overlap: int, guidelines: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the corpus a name."})
    if len(name) > 200:  # Corpus.name max_length
        raise ValidationError({"name": "Keep the name under 200 characters."})
    if not 1 <= overlap <= MAX_OVERLAP:
        raise ValidationError(
            {"overlap": f"Between 1 and {MAX_OVERLAP} annotators label each article."}
        )
    if len(guidelines) > MAX_GUIDELINES_CHARS:
        raise ValidationError(
            {"guidelines": f"Keep the guidelines under {MAX_GUIDELINES_CHARS:,} characters."}
        )
    return name


@transaction.atomic
def corpus_create(
    *,
    name: str,
    owner: User,
    description: str = "",
    guidelines: str = "",
    overlap: int = 1,
    slug: str | None = None,
    auto_gold_unanimous: bool = False,
    annotators_edit_segmentation: bool = False,
    labels: list[LabelSpec] | None = None,
    check_allowed: bool = False,
) -> Corpus:
    """A corpus owned by ``owner``, with ``labels`` (the default label set if None).

    ``check_allowed`` refuses (PermissionDenied) a creator that
    ``CORPUS_CREATE_STAFF_ONLY`` leaves out: the pages and API set it, commands do not.
    """
    if check_allowed and not corpus_create_allowed(owner):
        raise PermissionDenied("Only staff may create corpora here; ask an administrator.")
    name = _check_fields(name=name, overlap=overlap, guidelines=guidelines)
    corpus = Corpus.objects.create(
        name=name,
        slug=_check_slug(slug) if slug else _unique_slug(name),
        description=description.strip(),
        guidelines=guidelines,
        overlap=overlap,
        auto_gold_unanimous=auto_gold_unanimous,
        annotators_edit_segmentation=annotators_edit_segmentation,
    )
    GuidelineVersion.objects.create(
        corpus=corpus, version=corpus.guidelines_version, text=guidelines, created_by=owner
    )
    label_set_save(corpus=corpus, labels=default_label_specs() if labels is None else labels)
    Membership.objects.create(
        corpus=corpus,
        user=owner,
        role=Role.OWNER,
        guidelines_seen_version=corpus.guidelines_version,
    )
    return corpus


@transaction.atomic
def corpus_update(
    *,
    corpus: Corpus,
    user: User,
    name: str,
    slug: str,
    description: str,
    guidelines: str,
    overlap: int,
    auto_gold_unanimous: bool,
    labels: list[LabelSpec],
    annotators_edit_segmentation: bool | None = None,
) -> LabelSetChange:
    """An owner's edit of the whole corpus form: settings, guidelines and label set, together.

    ``annotators_edit_segmentation`` (None: left as it is) goes through
    ``corpus_segmentation_editing_set``, as the API's change of it does.
    Changed guidelines become a new version (``corpus_guidelines_update``);
    turning unanimous gold on or off asks review's background refresh to
    apply it (queued by name, after commit).
    """
    corpus = Corpus.objects.select_for_update().get(pk=corpus.pk)
    name = _check_fields(name=name, overlap=overlap, guidelines=guidelines)
    new_slug = _check_slug(slug, corpus=corpus)
    change = label_set_save(corpus=corpus, labels=labels)
    gold_changed = corpus.auto_gold_unanimous != auto_gold_unanimous
    corpus.name, corpus.slug, corpus.description = name, new_slug, description.strip()
    corpus.overlap, corpus.auto_gold_unanimous = overlap, auto_gold_unanimous
    corpus.save(
        update_fields=[
            "name", "slug", "description", "overlap", "auto_gold_unanimous", "updated_at"
        ]
    )  # fmt: skip
    corpus_guidelines_update(corpus=corpus, guidelines=guidelines, user=user)
    if annotators_edit_segmentation is not None:
        corpus_segmentation_editing_set(corpus=corpus, allowed=annotators_edit_segmentation)
    if gold_changed:
        task_send_on_commit("review.tasks.refresh_corpus_workflow", corpus.pk)
    return change


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
            # A new member reads the guidelines as they are now: a notice of
            # changes (corpora.services.guidelines) is for later versions.
            return Membership.objects.create(
                corpus=corpus,
                user=user,
                role=role,
                guidelines_seen_version=corpus.guidelines_version,
            )
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
