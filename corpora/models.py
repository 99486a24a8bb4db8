"""Corpora, their members with a role each, and their label sets.

Row-local rules only; writes that touch several rows live in ``corpora.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ANNOTATOR = "annotator", "Annotator"
    REVIEWER = "reviewer", "Reviewer"
    VIEWER = "viewer", "Viewer"


class Corpus(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    guidelines = models.TextField(blank=True, help_text="Markdown.")
    guidelines_version = models.PositiveIntegerField(default=1)
    overlap = models.PositiveSmallIntegerField(
        default=1, help_text="How many annotators label each article."
    )
    auto_gold_unanimous = models.BooleanField(
        default=False, help_text="Sentences on which every annotator agrees become gold."
    )
    annotators_edit_segmentation = models.BooleanField(
        default=False,
        help_text="Annotators may split and merge sentences and mark headings on the labeling "
        "screen (owners and reviewers always may).",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="corpora"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "corpora"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(overlap__gte=1), name="corpus_overlap_positive"),
            models.CheckConstraint(
                condition=Q(guidelines_version__gte=1), name="corpus_guidelines_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ANNOTATOR)
    # The guidelines version this member was last shown (the labeling screen's
    # notice of what changed appears once per member and version); None: never.
    guidelines_seen_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "corpus"], name="membership_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.corpus}"


class GuidelineVersion(models.Model):
    """Every text the corpus's guidelines have had, so labels can be read against theirs.

    Annotations record the ``guidelines_version`` they were made under; this keeps
    that version's text. Written by ``corpus_create`` and ``corpus_guidelines_update``.
    """

    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="guideline_versions")
    version = models.PositiveIntegerField()
    text = models.TextField(blank=True, help_text="Markdown.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["corpus_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["corpus", "version"], name="guideline_version_unique_in_corpus"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.corpus} guidelines v{self.version}"


class Label(models.Model):
    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="labels")
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    color = models.CharField(max_length=7, default="#4063d8", help_text="#rrggbb")
    shortcut = models.CharField(max_length=1, help_text="One digit or letter.")
    takes_source = models.BooleanField(
        default=False, help_text="Annotators attach the source (URL or citation) it rests on."
    )
    order = models.PositiveSmallIntegerField(default=0)
    # An archived label stays on the annotations and gold labels that carry it
    # and in exports, but is no longer offered for new labels (a label in use
    # is archived rather than deleted: docs/architecture.md, invariant 3).
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["corpus_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["corpus", "key"], name="label_key_unique"),
            # Only labels on offer take a key of the labeling screen.
            models.UniqueConstraint(
                fields=["corpus", "shortcut"],
                condition=Q(archived=False),
                name="label_shortcut_unique",
            ),
            models.CheckConstraint(
                condition=Q(color__regex=r"^#[0-9a-fA-F]{6}$"), name="label_color_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """An invitation to join a corpus with a role, by e-mail or by a link an owner passes on.

    Only a hash of the token is stored; the token itself is in the link, shown
    to the owner once (and e-mailed when an address is given). Used once:
    ``used_at``/``used_by`` record who accepted it.
    """

    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ANNOTATOR)
    email = models.EmailField(blank=True, help_text="Where the link was sent, if anywhere.")
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="invitation_role_valid"),
        ]

    def __str__(self) -> str:
        return f"invitation to {self.corpus} as {self.role}"
