"""Workflow over the API: next article, assignments, progress, agreement, gold labels.

Thin views: access through ``articles.permissions`` (via CorpusScopedView),
logic in ``articles.services`` and ``articles.selectors``. Agreement is read
from the stored report; asking for a recomputation queues one and answers 202.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from annotator.api.schema import errors
from annotator.api.serializers import validated
from articles.access import article_for
from articles.models import Article, Sentence
from corpora.api.access import CorpusScopedView, CorpusSlugView
from corpora.models import Label, Membership
from corpora.permissions import Right
from review.selectors.adjudication import BadCursor, disagreement_queue_page
from review.selectors.assignments import assignments_of
from review.selectors.dashboard import corpus_dashboard
from review.services.adjudication import (
    gold_label_decide,
    gold_label_withdraw,
)
from review.services.agreement import report_articles
from review.services.assignment import (
    article_next_for,
    assignment_create,
    assignment_delete,
)
from review.services.workflow import corpus_auto_gold_set, corpus_workflow_refresh_request


def _article_brief(article: Article) -> dict:
    return {"id": article.pk, "title": article.title, "status": article.status}


NextArticleSerializer = inline_serializer(
    "NextArticle",
    {
        "article": inline_serializer(
            "ArticleBrief",
            {
                "id": serializers.IntegerField(),
                "title": serializers.CharField(),
                "status": serializers.CharField(),
            },
            allow_null=True,
        )
    },
)


class NextArticleRequest(serializers.Serializer):
    after = serializers.IntegerField(
        required=False, min_value=1, help_text="The article being left; offered last."
    )


class NextArticleView(CorpusSlugView):
    rights = {"POST": Right.LABEL}

    @extend_schema(
        operation_id="corpora_next_article",
        summary="Claim my next article (an assigned unfinished one, else a free seat)",
        request=NextArticleRequest,
        responses={200: NextArticleSerializer, **errors(400, 403, 404, 413)},
    )
    def post(self, request, slug: str):
        data = validated(NextArticleRequest, request.data)
        article = article_next_for(corpus=self.corpus, user=request.user, after=data.get("after"))
        return Response({"article": _article_brief(article) if article else None})


class AssignmentSerializer(serializers.Serializer):
    article = serializers.IntegerField(min_value=1)
    annotator = serializers.IntegerField(min_value=1, help_text="The member's user id.")


AssignmentRows = inline_serializer(
    "AssignmentRow",
    many=True,
    fields={
        "article": serializers.IntegerField(),
        "title": serializers.CharField(),
        "labeled": serializers.IntegerField(),
        "total": serializers.IntegerField(),
        "finished": serializers.BooleanField(),
        "assigned_at": serializers.DateTimeField(),
        "finished_at": serializers.DateTimeField(allow_null=True),
    },
)


class AssignmentsView(CorpusSlugView):
    rights = {"GET": Right.LABEL, "POST": Right.MANAGE}

    @extend_schema(
        operation_id="corpora_assignments_mine",
        summary="My assigned articles, unfinished first, with my progress",
        responses={200: AssignmentRows, **errors(403, 404)},
    )
    def get(self, request, slug: str):
        rows = assignments_of(corpus=self.corpus, user=request.user)
        return Response(
            [
                {
                    "article": a.pk,
                    "title": a.title,
                    "labeled": a.mine,
                    "total": a.total,
                    "finished": a.finished,
                    "assigned_at": a.assigned_at,
                    "finished_at": a.finished_at,
                }
                for a in rows
            ]
        )

    @extend_schema(
        operation_id="corpora_assignments_create",
        summary="Assign an article to a member by hand (owners); idempotent",
        request=AssignmentSerializer,
        responses={
            201: AssignmentSerializer,
            200: AssignmentSerializer,
            **errors(400, 403, 404, 413),
        },
    )
    def post(self, request, slug: str):
        data = validated(AssignmentSerializer, request.data)
        article = Article.objects.filter(pk=data["article"], corpus=self.corpus).first()
        if article is None:
            raise serializers.ValidationError({"article": "No such article in this corpus."})
        member = (
            Membership.objects.select_related("user")
            .filter(corpus=self.corpus, user_id=data["annotator"])
            .first()
        )
        if member is None:
            raise serializers.ValidationError(
                {"annotator": "No member of this corpus has that id; add them first."}
            )
        _, created = assignment_create(
            article=article, annotator=member.user, assigned_by=request.user
        )
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class AssignmentDetailView(CorpusSlugView):
    rights = {"DELETE": Right.MANAGE}

    @extend_schema(
        operation_id="corpora_assignments_destroy",
        summary="Take an article back from an annotator (owners); their labels stay",
        responses={204: None, **errors(403, 404)},
    )
    def delete(self, request, slug: str, article_id: int, user_id: int):
        article = Article.objects.filter(pk=article_id, corpus=self.corpus).first()
        user = get_user_model().objects.filter(pk=user_id).first()
        if (
            article is None
            or user is None
            or not assignment_delete(article=article, annotator=user)
        ):
            raise Http404("No such assignment.")
        return Response(status=status.HTTP_204_NO_CONTENT)


ReportSerializer = inline_serializer(
    "AgreementReport",
    {
        "computed_at": serializers.DateTimeField(allow_null=True),
        "duration_ms": serializers.IntegerField(),
        "labels_seen": serializers.IntegerField(),
        "queued": serializers.BooleanField(),
        "error": serializers.CharField(),
        "figures": serializers.DictField(
            help_text="alpha, percent_agreement, per_label, pairs (Cohen's kappa), confusion, "
            "labels, annotators, articles (per-article alpha, agreement and pairs: Cohen's kappa "
            "of each pair of annotators who co-labeled the article, a and b being user ids "
            "from annotators)."
        ),
    },
)


class AgreementView(CorpusSlugView):
    rights = {"GET": Right.SEE_ALL_LABELS, "POST": Right.SEE_ALL_LABELS}

    @extend_schema(
        operation_id="corpora_agreement",
        summary="The stored agreement report (computed in the background)",
        responses={200: ReportSerializer, **errors(403, 404)},
    )
    def get(self, request, slug: str):
        report = getattr(self.corpus, "agreement", None)
        figures = dict(report.data) if report else {}
        figures.pop("progress", None)
        figures.pop("worst_articles", None)
        if report:
            figures["articles"] = report_articles(report)
        return Response(
            {
                "computed_at": report.computed_at if report else None,
                "duration_ms": report.duration_ms if report else 0,
                "labels_seen": report.labels_seen if report else 0,
                "queued": bool(report and report.refresh_queued_at),
                "error": report.error if report else "",
                "figures": figures,
            }
        )

    @extend_schema(
        operation_id="corpora_agreement_recompute",
        summary="Queue a recomputation; answers at once",
        request=None,
        responses={202: None, **errors(403, 404)},
    )
    def post(self, request, slug: str):
        corpus_workflow_refresh_request(corpus_id=self.corpus.pk, countdown=0)
        return Response(status=status.HTTP_202_ACCEPTED)


ProgressResponse = inline_serializer(
    "Progress",
    {
        "articles_by_status": serializers.DictField(child=serializers.IntegerField()),
        "labelable_sentences": serializers.IntegerField(),
        "total_labels": serializers.IntegerField(),
        "gold_by_origin": serializers.DictField(child=serializers.IntegerField()),
        "progress_computed_at": serializers.DateTimeField(allow_null=True),
        "labels": inline_serializer(
            "LabelProgress",
            {
                "key": serializers.CharField(),
                "name": serializers.CharField(),
                "count": serializers.IntegerField(),
                "gold": serializers.IntegerField(),
            },
            many=True,
        ),
        "annotators": inline_serializer(
            "AnnotatorProgress",
            {
                "user_id": serializers.IntegerField(),
                "username": serializers.CharField(),
                "role": serializers.CharField(),
                "sentences_done": serializers.IntegerField(),
                "articles_done": serializers.IntegerField(),
                "assigned": serializers.IntegerField(),
                "assigned_finished": serializers.IntegerField(),
                "labels_per_hour": serializers.FloatField(allow_null=True),
                "last_active": serializers.DateTimeField(allow_null=True),
            },
            many=True,
        ),
        "progress_by_day": serializers.ListField(
            child=serializers.ListField(),
            help_text="[[date, cumulative labels], ...]",
        ),
    },
)


class ProgressView(CorpusSlugView):
    rights = {"GET": Right.SEE_ALL_LABELS}

    @extend_schema(
        operation_id="corpora_progress",
        summary="Articles by status, per-annotator progress, label distribution, gold",
        responses={200: ProgressResponse, **errors(403, 404)},
    )
    def get(self, request, slug: str):
        board = corpus_dashboard(corpus=self.corpus)
        return Response(
            {
                "articles_by_status": board.articles_by_status,
                "labelable_sentences": board.labelable_sentences,
                "total_labels": board.total_labels,
                "gold_by_origin": board.gold_by_origin,
                "progress_computed_at": board.progress_computed_at,
                "labels": [
                    {"key": lab.key, "name": lab.name, "count": lab.count, "gold": lab.gold}
                    for lab in board.labels
                ],
                "annotators": [
                    {
                        "user_id": p.user_id,
                        "username": p.name,
                        "role": p.role,
                        "sentences_done": p.sentences_done,
                        "articles_done": p.articles_done,
                        "assigned": p.assigned,
                        "assigned_finished": p.assigned_finished,
                        "labels_per_hour": p.labels_per_hour,
                        "last_active": p.last_active,
                    }
                    for p in board.annotators
                ],
                "progress_by_day": [[d.isoformat(), n] for d, n in board.progress_by_day],
            }
        )


class WorkflowSettingsSerializer(serializers.Serializer):
    auto_gold_unanimous = serializers.BooleanField()


class WorkflowSettingsView(CorpusSlugView):
    rights = {"PATCH": Right.MANAGE}

    @extend_schema(
        operation_id="corpora_workflow_settings",
        summary="Turn unanimous gold on or off (owners)",
        request=WorkflowSettingsSerializer,
        responses={200: WorkflowSettingsSerializer, **errors(400, 403, 404, 413)},
    )
    def patch(self, request, slug: str):
        data = validated(WorkflowSettingsSerializer, request.data)
        corpus = corpus_auto_gold_set(corpus=self.corpus, enabled=data["auto_gold_unanimous"])
        return Response({"auto_gold_unanimous": corpus.auto_gold_unanimous})


QueueResponse = inline_serializer(
    "AdjudicationQueue",
    {
        "count": serializers.IntegerField(help_text="Undecided disagreements in all."),
        "next": serializers.CharField(
            allow_null=True,
            help_text="Cursor of the next page (pass as cursor=); null on the last page.",
        ),
        "ranked_at": serializers.DateTimeField(
            allow_null=True,
            help_text="When the background refresh stored the ranking; null: ranked live.",
        ),
        "results": inline_serializer(
            "Disagreement",
            {
                "sentence": serializers.IntegerField(),
                "article": serializers.IntegerField(),
                "article_title": serializers.CharField(),
                "index": serializers.IntegerField(),
                "text": serializers.CharField(),
                "previous": serializers.CharField(),
                "next": serializers.CharField(),
                "entropy": serializers.FloatField(),
                "labels": inline_serializer(
                    "DisagreementLabel",
                    {
                        "annotator": serializers.CharField(),
                        "label": serializers.CharField(),
                        "note": serializers.CharField(),
                        "source": serializers.CharField(),
                    },
                    many=True,
                ),
            },
            many=True,
        ),
    },
)


class AdjudicationQueueView(CorpusSlugView):
    rights = {"GET": Right.REVIEW}

    @extend_schema(
        operation_id="corpora_adjudication_queue",
        summary="Sentences on which annotators disagree, most contested first (reviewers)",
        parameters=[
            OpenApiParameter(
                "cursor",
                str,
                description="Continue after the page that returned this cursor as next "
                "(keyset: decisions made meanwhile never shift the pages).",
            ),
            OpenApiParameter("offset", int, description="Skip this many (default 0)."),
            OpenApiParameter("limit", int, description="At most this many, 1-100 (default 20)."),
        ],
        responses={200: QueueResponse, **errors(400, 403, 404)},
    )
    def get(self, request, slug: str):
        try:
            offset = int(request.query_params.get("offset", 0))
            limit = int(request.query_params.get("limit", 20))
        except ValueError:
            raise serializers.ValidationError(
                {"offset": "Give offset and limit as whole numbers."}
            ) from None
        if offset < 0 or not 1 <= limit <= 100:
            raise serializers.ValidationError(
                {"limit": "Use offset >= 0 and a limit from 1 to 100."}
            )
        try:
            page = disagreement_queue_page(
                corpus=self.corpus,
                limit=limit,
                offset=offset,
                after=request.query_params.get("cursor") or None,
            )
        except BadCursor as exc:
            raise serializers.ValidationError({"cursor": str(exc)}) from None
        items = page.items
        return Response(
            {
                "count": page.total,
                "next": page.next_cursor,
                "ranked_at": page.ranked_at,
                "results": [
                    {
                        "sentence": item.sentence.pk,
                        "article": item.sentence.article_id,
                        "article_title": item.sentence.article.title,
                        "index": item.sentence.index,
                        "text": item.sentence.text,
                        "previous": item.previous,
                        "next": item.next,
                        "entropy": round(item.entropy, 4),
                        "labels": [
                            {
                                "annotator": a.annotator.get_username(),
                                "label": a.label.key,
                                "note": a.note,
                                "source": a.source,
                            }
                            for a in item.annotations
                        ],
                    }
                    for item in items
                ],
            }
        )


class GoldSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=40, help_text="The label key.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    source = serializers.CharField(required=False, allow_blank=True, max_length=2_000)


GoldResponse = inline_serializer(
    "Gold",
    {
        "sentence": serializers.IntegerField(),
        "label": serializers.CharField(),
        "origin": serializers.CharField(),
        "decided_by": serializers.CharField(allow_null=True),
        "note": serializers.CharField(),
        "source": serializers.CharField(),
    },
)


class SentenceGoldView(CorpusScopedView):
    rights = {"PUT": Right.REVIEW, "DELETE": Right.REVIEW}

    def resolve(self, request, right) -> None:
        sentence = Sentence.objects.select_related("article").filter(pk=self.kwargs["pk"]).first()
        if sentence is None:
            raise Http404("No such sentence.")
        article_for(request.user, sentence.article_id, right=right)
        self.sentence = sentence

    @extend_schema(
        operation_id="sentences_gold_set",
        summary="Decide the gold label of a sentence (reviewers)",
        request=GoldSerializer,
        responses={200: GoldResponse, **errors(400, 403, 404, 413)},
    )
    def put(self, request, pk: int):
        data = validated(GoldSerializer, request.data)
        label = Label.objects.filter(
            corpus_id=self.sentence.article.corpus_id, key=data["label"]
        ).first()
        if label is None:
            raise serializers.ValidationError(
                {"label": f"No label {data['label']!r} in this corpus; use one of its label keys."}
            )
        gold = gold_label_decide(
            sentence=self.sentence,
            label=label,
            reviewer=request.user,
            note=data.get("note", ""),
            source=data.get("source", ""),
        )
        return Response(
            {
                "sentence": self.sentence.pk,
                "label": label.key,
                "origin": gold.origin,
                "decided_by": request.user.get_username(),
                "note": gold.note,
                "source": gold.source,
            }
        )

    @extend_schema(
        operation_id="sentences_gold_withdraw",
        summary="Withdraw a reviewer's gold decision (reviewers)",
        responses={204: None, **errors(403, 404)},
    )
    def delete(self, request, pk: int):
        if not gold_label_withdraw(sentence=self.sentence):
            raise Http404("This sentence has no adjudicated gold label.")
        return Response(status=status.HTTP_204_NO_CONTENT)
