"""Changing an article's sentence boundaries: split, merge, heading marks, undo, its text.

Labels follow the text (``articles.services.boundaries``); a change meeting a
state it cannot apply to (a sentence changed meanwhile, the article being
segmented) is a 409 with a message, and nothing is written.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from annotator.api.conflicts import StateConflict, state_conflict_response
from annotator.api.schema import errors
from annotator.api.serializers import MAX_ID, StrictSerializer, validated
from articles.access import article_for
from articles.api.serializers import SentenceSerializer
from articles.exceptions import BoundaryConflict
from articles.models import SegmentationEdit, Sentence
from articles.selectors.articles import article_sentences_by_id
from articles.selectors.segmentation import article_counts, segmentation_edits
from articles.services.boundaries import (
    EditOutcome,
    article_text_correct,
    segmentation_edit_undo,
    sentence_kind_set,
    sentence_split,
    sentences_merge,
)
from corpora.api.access import CorpusScopedView
from corpora.permissions import Right, require_segmentation_right

CONFLICT = state_conflict_response(
    "The sentences changed since you loaded them, or the article is being segmented; "
    "nothing was changed."
)


class SegmentationEditSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    undone_at = serializers.DateTimeField(
        allow_null=True, help_text="When an undo took it back; null while it stands."
    )
    before = serializers.ListField(
        child=serializers.DictField(), help_text="The sentences it replaced, as they were."
    )
    after = serializers.ListField(
        child=serializers.DictField(), help_text="The sentences that replaced them."
    )
    hand_edits = serializers.DictField(
        help_text="For a new segmentation: the hand-made splits, merges and marks it applied "
        'again ("kept") and those it could not ("not_kept", each with its "reason"); '
        "empty for other edits."
    )

    class Meta:
        model = SegmentationEdit
        fields = [
            "id", "kind", "by", "at", "before", "after", "undone_at",
            "labels_carried", "labels_for_review", "labels_retired", "hand_edits",
        ]  # fmt: skip


class CountsSerializer(serializers.Serializer):
    sentence_count = serializers.IntegerField(help_text="Segments, headings included.")
    total = serializers.IntegerField(help_text="Labelable sentences.")
    labeled = serializers.IntegerField(help_text="Of those, labeled by you.")


class EditResultSerializer(serializers.Serializer):
    edit = SegmentationEditSerializer(allow_null=True, help_text="Null: nothing changed.")
    removed = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of sentences that no longer exist."
    )
    sentences = SentenceSerializer(
        many=True, help_text="The new or changed sentences, with your label on each."
    )
    counts = CountsSerializer()


class SegmentationWriteSerializer(StrictSerializer):
    action = serializers.ChoiceField(
        choices=["split", "merge", "heading", "sentence"],
        help_text="split a sentence at `at`; merge it with the segment after it (`next`); mark "
        "it a heading (no label) or a sentence to label.",
    )
    sentence = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    at = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2_147_483_647,
        help_text="split: where, in code points from the sentence's start (Python's str index; "
        "white space at the cut goes between the parts).",
    )
    next = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="merge: the id of the segment after it, as you saw it.",
    )

    def validate(self, attrs):
        if attrs["action"] == "split" and "at" not in attrs:
            raise serializers.ValidationError({"at": "A split needs `at`: where to cut."})
        if attrs["action"] == "merge" and "next" not in attrs:
            raise serializers.ValidationError(
                {"next": "A merge needs `next`: the id of the segment after it."}
            )
        return attrs


class TextWriteSerializer(StrictSerializer):
    text = serializers.CharField(
        trim_whitespace=False,
        max_length=settings.MAX_ARTICLE_CHARS,
        help_text="The whole corrected text (line endings are normalised to \\n).",
    )
    based_on = serializers.RegexField(
        r"^[0-9a-f]{64}$",
        help_text="The `content_hash` of the text you corrected (GET /api/articles/{id}/).",
    )


class TextResultSerializer(serializers.Serializer):
    edit = SegmentationEditSerializer(allow_null=True, help_text="Null: the text was the same.")
    content_hash = serializers.CharField()
    counts = CountsSerializer()


class _ArticleEditView(CorpusScopedView):
    def resolve(self, request, right) -> None:
        self.article, self.role = article_for(request.user, self.kwargs["pk"], right=right)
        if request.method != "GET":
            require_segmentation_right(self.role, self.article.corpus)

    def answer(self, request, outcome: EditOutcome) -> Response:
        self.article.refresh_from_db(fields=["text", "content_hash"])
        ids = outcome.changed
        body = {
            "edit": outcome.edit,
            "removed": outcome.removed,
            "sentences": article_sentences_by_id(article=self.article, user=request.user, ids=ids),
            "counts": article_counts(article=self.article, user=request.user),
        }
        return Response(EditResultSerializer(body).data)


class ArticleSegmentationView(_ArticleEditView):
    rights = {"GET": Right.VIEW, "POST": Right.LABEL}

    @extend_schema(
        operation_id="articles_segmentation_list",
        summary="The article's changes of boundaries, newest first (the latest 200)",
        responses={200: SegmentationEditSerializer(many=True), **errors(404)},
    )
    def get(self, request, pk: int):
        edits = segmentation_edits(article=self.article)
        return Response(SegmentationEditSerializer(edits, many=True).data)

    @extend_schema(
        operation_id="articles_segmentation_create",
        summary="Split a sentence, merge it with the next, or mark it a heading or a sentence",
        description="Owners and reviewers may, and annotators where the corpus allows it "
        "(`annotators_edit_segmentation`). Labels follow: each part of a split keeps the label "
        "marked for review; a merge keeps a label the parts agree on, else marks it for review "
        "with every part's label in `review_from`; a heading's labels come off (kept in the "
        "history; undo puts them back).",
        request=SegmentationWriteSerializer,
        responses={200: EditResultSerializer, 409: CONFLICT, **errors(400, 403, 404, 413)},
    )
    def post(self, request, pk: int):
        data = validated(SegmentationWriteSerializer, request.data)
        action = data["action"]
        try:
            if action == "split":
                outcome = sentence_split(
                    article_id=pk, sentence_id=data["sentence"], at=data["at"], by=request.user
                )
            elif action == "merge":
                outcome = sentences_merge(
                    article_id=pk,
                    sentence_id=data["sentence"],
                    next_id=data["next"],
                    by=request.user,
                )
            else:
                kind = Sentence.Kind.HEADING if action == "heading" else Sentence.Kind.SENTENCE
                outcome = sentence_kind_set(
                    article_id=pk, sentence_id=data["sentence"], kind=kind, by=request.user
                )
        except BoundaryConflict as exc:
            raise StateConflict(str(exc)) from None
        return self.answer(request, outcome)


class SegmentationUndoView(_ArticleEditView):
    rights = {"POST": Right.LABEL}

    @extend_schema(
        operation_id="articles_segmentation_undo",
        summary="Undo a split, a merge or a heading mark",
        description="The sentences come back, and each person's labels as they were, unless "
        "that person changed them since (then they are carried and marked for review). 409 "
        "when the edit's sentences changed since or it was undone already.",
        request=None,
        responses={200: EditResultSerializer, 409: CONFLICT, **errors(400, 403, 404)},
    )
    def post(self, request, pk: int, edit_id: int):
        try:
            outcome = segmentation_edit_undo(article_id=pk, edit_id=edit_id, by=request.user)
        except BoundaryConflict as exc:
            raise StateConflict(str(exc)) from None
        return self.answer(request, outcome)


class ArticleTextView(CorpusScopedView):
    rights = {"PUT": Right.MANAGE}

    def resolve(self, request, right) -> None:
        self.article, self.role = article_for(request.user, self.kwargs["pk"], right=right)

    @extend_schema(
        operation_id="articles_text_update",
        summary="Correct the article's text (typos, a missing paragraph), keeping every label",
        description="Sentences whose text survived keep their boundaries and labels; the "
        "changed stretches are segmented afresh and their labels carried through a diff of "
        "the two texts, marked for review (with the old text) when their sentence changed "
        "much. 409 when the text changed since `based_on`.",
        request=TextWriteSerializer,
        responses={200: TextResultSerializer, 409: CONFLICT, **errors(400, 403, 404, 413)},
    )
    def put(self, request, pk: int):
        data = validated(TextWriteSerializer, request.data)
        try:
            outcome = article_text_correct(
                article_id=pk, text=data["text"], based_on=data["based_on"], by=request.user
            )
        except BoundaryConflict as exc:
            raise StateConflict(str(exc)) from None
        self.article.refresh_from_db(fields=["text", "content_hash"])
        body = {
            "edit": outcome.edit,
            "content_hash": self.article.content_hash,
            "counts": article_counts(article=self.article, user=request.user),
        }
        return Response(TextResultSerializer(body).data)
