"""Shapes of corpora, their label sets and members in the API."""

from __future__ import annotations

from rest_framework import serializers

from annotator.api.serializers import StrictSerializer
from corpora.models import Label, Role


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = [
            "key", "name", "description", "color", "shortcut", "order", "takes_source", "archived"
        ]  # fmt: skip


class CorpusSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField()
    my_role = serializers.ChoiceField(choices=Role.choices)
    guidelines_version = serializers.IntegerField()
    overlap = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class CorpusDetailSerializer(CorpusSerializer):
    labels = LabelSerializer(many=True)
    guidelines = serializers.CharField(help_text="Markdown.")
    guidelines_html = serializers.CharField(help_text="The guidelines rendered and sanitised.")
    auto_gold_unanimous = serializers.BooleanField()
    annotators_edit_segmentation = serializers.BooleanField(
        help_text="Annotators may split and merge sentences and mark headings (owners and "
        "reviewers always may)."
    )
    can_edit_segmentation = serializers.BooleanField(
        help_text="Whether you may change sentence boundaries here."
    )
    updated_at = serializers.DateTimeField()


class SegmentationSettingsSerializer(StrictSerializer):
    annotators_edit_segmentation = serializers.BooleanField(
        required=False,
        help_text="Let annotators split and merge sentences and mark headings on the labeling "
        "screen. Omitted: unchanged.",
    )


class MemberSerializer(serializers.Serializer):
    # Written from a Membership with its user.
    user_id = serializers.IntegerField(
        help_text="For PATCH/DELETE /api/corpora/{slug}/members/{user_id}/."
    )
    username = serializers.CharField(source="user.get_username")
    role = serializers.ChoiceField(choices=Role.choices)
    since = serializers.DateTimeField(source="created_at")


class MemberAddSerializer(StrictSerializer):
    user = serializers.CharField(max_length=254, help_text="User name or email address.")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.ANNOTATOR)


class RoleSerializer(StrictSerializer):
    role = serializers.ChoiceField(
        choices=Role.choices, required=False, help_text="Omitted: the role stays as it is."
    )
