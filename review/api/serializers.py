"""Shapes of the corpus workflow in the API: next article, assignments, agreement,
progress, the adjudication queue and gold labels.

Each response body is written by the class its ``extend_schema`` declares.
Class names give the schema's component names (drf-spectacular drops the
"Serializer" suffix), so renaming one renames a public component.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from annotator.api.serializers import MAX_ID, QuerySerializer, StrictSerializer
from articles.models import Article
from review.selectors.adjudication import BadCursor, cursor_decode
from review.services.assignment import BULK_MAX_ARTICLES, OVERLAP_MAX

# --- next article ---------------------------------------------------------------


class NextArticleRequest(StrictSerializer):
    after = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="The article being left; offered last.",
    )


class ArticleBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()


class NextArticleSerializer(serializers.Serializer):
    article = ArticleBriefSerializer(allow_null=True)


# --- assignments ----------------------------------------------------------------


class AssignmentSerializer(StrictSerializer):
    article = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    annotator = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The member's user id."
    )


class AssignmentsQuerySerializer(QuerySerializer):
    annotator = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="A member's user id: their queue (owners). Without it: your own queue.",
    )


class ReassignSerializer(StrictSerializer):
    annotator = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The member who takes the article over."
    )


class AssignmentMovedSerializer(serializers.Serializer):
    article = serializers.IntegerField(source="article_id")
    annotator = serializers.IntegerField(source="annotator_id")
    assigned_at = serializers.DateTimeField()


class BulkFiltersSerializer(StrictSerializer):
    """The article list's filters (GET /api/corpora/{slug}/articles/) chosen for a bulk
    assignment; every article they match is covered."""

    search = serializers.CharField(required=False, allow_blank=True, max_length=200)
    status = serializers.ChoiceField(choices=Article.Status.choices, required=False)
    assigned_to = serializers.RegexField(r"^(none|[1-9][0-9]{0,17})$", required=False)
    agreement_below = serializers.FloatField(required=False, min_value=0, max_value=1)


class BulkAssignmentRequest(StrictSerializer):
    articles = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=BULK_MAX_ARTICLES,
        help_text="The articles to share out; or give filters.",
    )
    filters = BulkFiltersSerializer(
        required=False, help_text="Every article the list's filters match; or give articles."
    )
    per_article = serializers.IntegerField(
        min_value=1, max_value=100, help_text="Annotators each article should have (<= overlap)."
    )
    annotators = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=1000,
        help_text="Members (user ids) to share the articles among, least loaded first.",
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="true: say what would happen, change nothing."
    )

    def validate(self, attrs):
        if ("articles" in attrs) == ("filters" in attrs):
            raise serializers.ValidationError(
                {"articles": "Give either articles (a list of ids) or filters, not both."}
            )
        return attrs


class BulkMemberSerializer(serializers.Serializer):
    annotator = serializers.IntegerField()
    before = serializers.IntegerField(help_text="Unfinished assignments before.")
    new = serializers.IntegerField()


class BulkAssignmentResultSerializer(serializers.Serializer):
    # Written from review.services.assignment.BulkPlan.
    dry_run = serializers.BooleanField()
    per_article = serializers.IntegerField()
    articles = serializers.IntegerField(help_text="Articles considered (ready, not archived).")
    created = serializers.IntegerField(help_text="New assignments (made, or to be made).")
    already_full = serializers.ListField(child=serializers.IntegerField())
    short = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Articles that could not reach per_article from the chosen members.",
    )
    not_assignable = serializers.ListField(child=serializers.IntegerField())
    members = BulkMemberSerializer(many=True)


class MemberLoadSerializer(serializers.Serializer):
    # Written from review.selectors.assignments.MemberLoad.
    id = serializers.IntegerField()
    username = serializers.CharField()
    unfinished = serializers.IntegerField()
    finished = serializers.IntegerField()


class AssignmentRowSerializer(serializers.Serializer):
    # Written from the rows of review.selectors.assignments.assignments_of.
    article = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    labeled = serializers.IntegerField(source="mine")
    total = serializers.IntegerField()
    finished = serializers.BooleanField()
    assigned_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


# --- agreement, progress, settings ----------------------------------------------


class AgreementReportSerializer(serializers.Serializer):
    # Written from review.selectors.agreement.AgreementSummary.
    computed_at = serializers.DateTimeField(allow_null=True)
    duration_ms = serializers.IntegerField()
    labels_seen = serializers.IntegerField()
    queued = serializers.BooleanField()
    error = serializers.CharField()
    figures = serializers.DictField(
        help_text="alpha, percent_agreement, per_label, pairs (Cohen's kappa), confusion, "
        "labels, annotators, articles (per-article alpha, agreement and pairs: Cohen's kappa "
        "of each pair of annotators who co-labeled the article, a and b being user ids "
        "from annotators)."
    )


class LabelProgressSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    gold = serializers.IntegerField()


class AnnotatorProgressSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField(source="name")
    role = serializers.CharField()
    sentences_done = serializers.IntegerField()
    articles_done = serializers.IntegerField()
    assigned = serializers.IntegerField()
    assigned_finished = serializers.IntegerField()
    labels_per_hour = serializers.FloatField(allow_null=True)
    last_active = serializers.DateTimeField(allow_null=True)


class DayCountsField(serializers.ListField):
    """``[(date, count), ...]`` as ``[["2025-01-31", count], ...]``."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.ListField(), **kwargs)

    def to_representation(self, data):
        return [[day.isoformat(), count] for day, count in data]


class ProgressSerializer(serializers.Serializer):
    # Written from review.selectors.dashboard.Dashboard.
    articles_by_status = serializers.DictField(child=serializers.IntegerField())
    labelable_sentences = serializers.IntegerField()
    total_labels = serializers.IntegerField()
    gold_by_origin = serializers.DictField(child=serializers.IntegerField())
    progress_computed_at = serializers.DateTimeField(allow_null=True)
    labels = LabelProgressSerializer(many=True)
    annotators = AnnotatorProgressSerializer(many=True)
    progress_by_day = DayCountsField(help_text="[[date, cumulative labels], ...]")


class WorkflowSettingsSerializer(StrictSerializer):
    auto_gold_unanimous = serializers.BooleanField(
        required=False, help_text="Omitted: the setting stays as it is."
    )
    overlap = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=OVERLAP_MAX,
        help_text="How many annotators label each article (the most any article is given). "
        "Omitted: stays as it is.",
    )


# --- adjudication -----------------------------------------------------------------


class AdjudicationQuerySerializer(QuerySerializer):
    offset = serializers.IntegerField(
        required=False, default=0, min_value=0, max_value=MAX_ID, help_text="Skip this many."
    )
    limit = serializers.IntegerField(
        required=False, default=20, min_value=1, max_value=100, help_text="At most this many."
    )
    cursor = serializers.CharField(
        required=False,
        max_length=1000,
        help_text="Continue after the page that returned this cursor as next (keyset: "
        "decisions made meanwhile never shift the pages).",
    )

    def validate_cursor(self, value: str) -> str:
        try:
            cursor_decode(value)
        except BadCursor as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value

    def validate(self, data):
        return {"offset": data["offset"], "limit": data["limit"], "after": data.get("cursor")}


class RoundedFloatField(serializers.FloatField):
    def to_representation(self, value):
        return round(super().to_representation(value), 4)


class DisagreementLabelSerializer(serializers.Serializer):
    # Written from an Annotation.
    annotator = serializers.CharField(source="annotator.get_username")
    label = serializers.CharField(source="label.key")
    note = serializers.CharField()
    source = serializers.CharField()


class DisagreementSerializer(serializers.Serializer):
    # Written from review.selectors.adjudication.QueueItem.
    sentence = serializers.IntegerField(source="sentence.pk")
    article = serializers.IntegerField(source="sentence.article_id")
    article_title = serializers.CharField(source="sentence.article.title")
    index = serializers.IntegerField(source="sentence.index")
    text = serializers.CharField(source="sentence.text")
    previous = serializers.CharField()
    next = serializers.CharField()
    entropy = RoundedFloatField()
    labels = DisagreementLabelSerializer(source="annotations", many=True)


class AdjudicationQueueSerializer(serializers.Serializer):
    # Written from review.selectors.adjudication.QueuePage.
    count = serializers.IntegerField(source="total", help_text="Undecided disagreements in all.")
    next = serializers.CharField(
        source="next_cursor",
        allow_null=True,
        help_text="Cursor of the next page (pass as cursor=); null on the last page.",
    )
    ranked_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the background refresh stored the ranking; null: ranked live.",
    )
    results = DisagreementSerializer(source="items", many=True)


# --- gold labels ----------------------------------------------------------------


@extend_schema_serializer(component_name="Gold")  # the request body: GoldRequest
class GoldDecisionSerializer(StrictSerializer):
    label = serializers.CharField(max_length=40, help_text="The label key.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    source = serializers.CharField(required=False, allow_blank=True, max_length=2_000)


class GoldSerializer(serializers.Serializer):
    # Written from a GoldLabel.
    sentence = serializers.IntegerField(source="sentence_id")
    label = serializers.CharField(source="label.key")
    origin = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.get_username", allow_null=True)
    note = serializers.CharField()
    source = serializers.CharField()
