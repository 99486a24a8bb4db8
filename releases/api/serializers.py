"""Shapes of the releases API: a publish request, a release, a withdrawal, a diff."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotator.api.serializers import StrictSerializer
from releases.models import Release


class ReleaseCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    version = serializers.CharField(max_length=40, help_text="For example 1.0; never reused.")
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    licence = serializers.CharField(max_length=64, help_text="An SPDX identifier: CC-BY-4.0…")
    citation = serializers.CharField(required=False, allow_blank=True, max_length=5_000)
    language = serializers.CharField(required=False, max_length=16, default="en")
    contents = serializers.ChoiceField(
        choices=Release.Contents.choices,
        default=Release.Contents.GOLD,
        help_text="gold: gold labels only; all: also every annotator's labels.",
    )
    article_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62),
        required=False,
        allow_null=True,
        max_length=100_000,
        help_text="The articles it may hold; leave out for every ready article.",
    )
    show_usernames = serializers.BooleanField(
        default=False, help_text="Name annotators by username instead of a pseudonym."
    )
    seed = serializers.IntegerField(default=0, min_value=0, max_value=2**31 - 1)
    train_percent = serializers.IntegerField(default=80, min_value=1, max_value=100)
    validation_percent = serializers.IntegerField(default=10, min_value=0, max_value=99)
    test_percent = serializers.IntegerField(default=10, min_value=0, max_value=99)


class WithdrawSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2_000)


class ReleaseFileSerializer(serializers.Serializer):
    name = serializers.CharField()
    sha256 = serializers.CharField()
    bytes = serializers.IntegerField()
    url = serializers.CharField()


class ReleaseSerializer(serializers.ModelSerializer):
    status = serializers.CharField()
    percent = serializers.SerializerMethodField()
    withdrawn = serializers.BooleanField()
    files = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = [
            "version",
            "name",
            "description",
            "licence",
            "citation",
            "language",
            "contents",
            "article_ids",
            "show_usernames",
            "seed",
            "train_percent",
            "validation_percent",
            "test_percent",
            "status",
            "error",
            "processed",
            "total",
            "percent",
            "counts",
            "files",
            "withdrawn",
            "withdrawn_at",
            "withdrawn_reason",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_percent(self, release: Release) -> int:
        if release.status == Release.Status.DONE:
            return 100
        return int(release.processed * 100 / release.total) if release.total else 0

    @extend_schema_field(ReleaseFileSerializer(many=True))
    def get_files(self, release: Release) -> list[dict]:
        from django.urls import reverse

        if release.status != Release.Status.DONE or release.withdrawn:
            return []
        out = []
        for name, entry in sorted(release.manifest.get("files", {}).items()):
            url = reverse(
                "api-release-file",
                kwargs={"slug": release.corpus.slug, "version": release.version, "name": name},
            )
            out.append({"name": name, **entry, "url": url})
        return out


class SplitsResetSerializer(serializers.Serializer):
    forgotten = serializers.IntegerField(help_text="How many articles' splits were forgotten.")


class DiffSummarySerializer(serializers.Serializer):
    articles_added = serializers.IntegerField()
    articles_removed = serializers.IntegerField()
    labels_added = serializers.IntegerField()
    labels_removed = serializers.IntegerField()
    labels_changed = serializers.IntegerField()
    gold_added = serializers.IntegerField()
    gold_removed = serializers.IntegerField()
    gold_changed = serializers.IntegerField()


class DiffArticlesSerializer(serializers.Serializer):
    added = serializers.ListField(child=serializers.IntegerField())
    removed = serializers.ListField(child=serializers.IntegerField())


class DiffLabelSerializer(serializers.Serializer):
    sentence_id = serializers.IntegerField()
    annotator = serializers.CharField()
    change = serializers.ChoiceField(choices=["added", "removed", "changed"])
    old = serializers.CharField(allow_null=True)
    new = serializers.CharField(allow_null=True)


class DiffGoldSerializer(serializers.Serializer):
    sentence_id = serializers.IntegerField()
    change = serializers.ChoiceField(choices=["added", "removed", "changed"])
    old = serializers.CharField(allow_null=True)
    new = serializers.CharField(allow_null=True)


class DiffSerializer(serializers.Serializer):
    from_ = serializers.CharField()
    to = serializers.CharField()
    labels_compared = serializers.BooleanField(
        help_text="False when either release holds gold labels only: then only gold and "
        "articles are compared."
    )
    summary = DiffSummarySerializer()
    articles = DiffArticlesSerializer()
    labels = DiffLabelSerializer(many=True)
    gold = DiffGoldSerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields
