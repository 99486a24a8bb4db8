"""Workflow over the API: next article, assignments, progress, agreement, gold labels.

Thin views: access through ``corpora.permissions`` (via CorpusScopedView),
input and output shapes in ``review.api.serializers``, logic in
``review.services`` and ``review.selectors``. Agreement is read from the stored
report; asking for a recomputation queues one and answers 202.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from annotator.api.conflicts import StateConflict, state_conflict_response
from annotator.api.schema import WholeBodySchema, errors
from annotator.api.serializers import validated
from articles.access import sentence_for
from articles.selectors.listing import ArticleQuery, articles_listing
from corpora.api.access import CorpusScopedView, CorpusSlugView
from corpora.permissions import Right, require_right
from review.api.serializers import (
    AdjudicationQuerySerializer,
    AdjudicationQueueSerializer,
    AgreementReportSerializer,
    AssignmentMovedSerializer,
    AssignmentRowSerializer,
    AssignmentSerializer,
    AssignmentsQuerySerializer,
    BulkAssignmentRequest,
    BulkAssignmentResultSerializer,
    GoldDecisionSerializer,
    GoldSerializer,
    MemberLoadSerializer,
    NextArticleRequest,
    NextArticleSerializer,
    ProgressSerializer,
    ReassignSerializer,
    WorkflowSettingsSerializer,
)
from review.exceptions import OverlapFull
from review.selectors.adjudication import disagreement_queue_page
from review.selectors.agreement import agreement_summary_get
from review.selectors.assignments import assignments_of, member_in_corpus, member_loads
from review.selectors.dashboard import corpus_dashboard
from review.services.adjudication import gold_label_decide_by_key, gold_label_withdraw
from review.services.assignment import (
    BULK_MAX_ARTICLES,
    article_next_for,
    assignment_create_in_corpus,
    assignment_delete_in_corpus,
    assignment_reassign_in_corpus,
    assignments_bulk_create,
    assignments_bulk_preview,
    corpus_overlap_set,
)
from review.services.workflow import corpus_auto_gold_set, corpus_workflow_refresh_request


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
        return Response(NextArticleSerializer({"article": article}).data)


OVERLAP_409 = state_conflict_response(
    "The article already has the corpus's overlap of annotators; the message says how many."
)


class AssignmentsView(CorpusSlugView):
    rights = {"GET": Right.LABEL, "POST": Right.MANAGE}

    @extend_schema(
        operation_id="corpora_assignments_mine",
        summary="A queue: my assigned articles (or a member's, for owners), unfinished "
        "first in the order next article takes them, with progress",
        parameters=[AssignmentsQuerySerializer],
        responses={200: AssignmentRowSerializer(many=True), **errors(400, 403, 404)},
    )
    def get(self, request, slug: str):
        query = validated(AssignmentsQuerySerializer, request.query_params)
        user = request.user
        if query.get("annotator") not in (None, request.user.pk):
            require_right(self.role, Right.MANAGE)  # someone else's queue: owners only
            member = member_in_corpus(corpus=self.corpus, user_id=query["annotator"])
            if member is None:
                raise Http404("No such member in this corpus.")
            user = member.user
        rows = assignments_of(corpus=self.corpus, user=user)
        return Response(AssignmentRowSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="corpora_assignments_create",
        summary="Assign an article to a member by hand (owners); idempotent",
        description="Refused with 409 when the article already has the corpus's overlap of "
        "annotators.",
        request=AssignmentSerializer,
        responses={
            201: AssignmentSerializer,
            200: AssignmentSerializer,
            409: OVERLAP_409,
            **errors(400, 403, 404, 413),
        },
    )
    def post(self, request, slug: str):
        data = validated(AssignmentSerializer, request.data)
        try:
            _, created = assignment_create_in_corpus(
                corpus=self.corpus,
                article_id=data["article"],
                annotator_id=data["annotator"],
                assigned_by=request.user,
            )
        except OverlapFull as exc:
            raise StateConflict(str(exc)) from None
        return Response(
            AssignmentSerializer(data).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AssignmentDetailView(CorpusSlugView):
    rights = {"DELETE": Right.MANAGE, "PATCH": Right.MANAGE}
    schema = WholeBodySchema()  # the reassignment names its annotator

    @extend_schema(
        operation_id="corpora_assignments_destroy",
        summary="Take an article back from an annotator (owners); their labels stay",
        responses={204: None, **errors(403, 404)},
    )
    def delete(self, request, slug: str, article_id: int, user_id: int):
        if not assignment_delete_in_corpus(
            corpus=self.corpus, article_id=article_id, annotator_id=user_id
        ):
            raise Http404("No such assignment.")
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="corpora_assignments_reassign",
        summary="Give an annotator's seat on an article to another member (owners); "
        "labels already made stay",
        request=ReassignSerializer,
        responses={200: AssignmentMovedSerializer, **errors(400, 403, 404, 413)},
    )
    def patch(self, request, slug: str, article_id: int, user_id: int):
        data = validated(ReassignSerializer, request.data)
        moved = assignment_reassign_in_corpus(
            corpus=self.corpus,
            article_id=article_id,
            annotator_id=user_id,
            to_id=data["annotator"],
            assigned_by=request.user,
        )
        if moved is None:
            raise Http404("No such assignment.")
        return Response(AssignmentMovedSerializer(moved).data)


class BulkAssignmentView(CorpusSlugView):
    rights = {"POST": Right.MANAGE}

    @extend_schema(
        operation_id="corpora_assignments_bulk",
        summary="Share articles among members, balanced by their load (owners)",
        description="Brings each article (a list of ids, or every article the list's filters "
        f"match, at most {BULK_MAX_ARTICLES}) up to per_article annotators, never beyond the "
        "corpus's overlap, choosing among the given members those with the fewest "
        "unfinished assignments. "
        "One transaction: all of it or nothing. dry_run=true answers what would happen "
        "(200) without a change; otherwise 201.",
        request=BulkAssignmentRequest,
        responses={
            201: BulkAssignmentResultSerializer,
            200: BulkAssignmentResultSerializer,
            **errors(400, 403, 404, 413),
        },
    )
    def post(self, request, slug: str):
        data = validated(BulkAssignmentRequest, request.data)
        if "filters" in data:
            listing = articles_listing(
                corpus=self.corpus, user=request.user, query=ArticleQuery(**data["filters"])
            )
            article_ids = list(listing.values_list("pk", flat=True)[: BULK_MAX_ARTICLES + 1])
        else:
            article_ids = data["articles"]
        args = {
            "corpus": self.corpus,
            "article_ids": article_ids,
            "per_article": data["per_article"],
            "annotator_ids": data["annotators"],
        }
        if data["dry_run"]:
            plan = assignments_bulk_preview(**args)
        else:
            plan = assignments_bulk_create(**args, assigned_by=request.user)
        body = {
            "dry_run": data["dry_run"],
            "per_article": plan.per_article,
            "articles": plan.articles,
            "created": len(plan.created),
            "already_full": plan.already_full,
            "short": plan.short,
            "not_assignable": plan.not_assignable,
            "members": [
                {"annotator": pk, "before": before, "new": plan.per_member.get(pk, 0)}
                for pk, before in plan.load_before.items()
            ],
        }
        return Response(
            BulkAssignmentResultSerializer(body).data,
            status=status.HTTP_200_OK if data["dry_run"] else status.HTTP_201_CREATED,
        )


class MemberQueuesView(CorpusSlugView):
    rights = {"GET": Right.MANAGE}

    @extend_schema(
        operation_id="corpora_queues",
        summary="Every labeling member's queue in numbers: unfinished and finished (owners)",
        responses={200: MemberLoadSerializer(many=True), **errors(403, 404)},
    )
    def get(self, request, slug: str):
        return Response(MemberLoadSerializer(member_loads(corpus=self.corpus), many=True).data)


class AgreementView(CorpusSlugView):
    rights = {"GET": Right.SEE_ALL_LABELS, "POST": Right.SEE_ALL_LABELS}

    @extend_schema(
        operation_id="corpora_agreement",
        summary="The stored agreement report (computed in the background)",
        responses={200: AgreementReportSerializer, **errors(403, 404)},
    )
    def get(self, request, slug: str):
        summary = agreement_summary_get(corpus=self.corpus)
        return Response(AgreementReportSerializer(summary).data)

    @extend_schema(
        operation_id="corpora_agreement_recompute",
        summary="Queue a recomputation; answers at once",
        request=None,
        responses={202: None, **errors(403, 404)},
    )
    def post(self, request, slug: str):
        corpus_workflow_refresh_request(corpus_id=self.corpus.pk, countdown=0)
        return Response(status=status.HTTP_202_ACCEPTED)


class ProgressView(CorpusSlugView):
    rights = {"GET": Right.SEE_ALL_LABELS}

    @extend_schema(
        operation_id="corpora_progress",
        summary="Articles by status, per-annotator progress, label distribution, gold",
        responses={200: ProgressSerializer, **errors(403, 404)},
    )
    def get(self, request, slug: str):
        board = corpus_dashboard(corpus=self.corpus)
        return Response(ProgressSerializer(board).data)


class WorkflowSettingsView(CorpusSlugView):
    rights = {"PATCH": Right.MANAGE}

    @extend_schema(
        operation_id="corpora_workflow_settings",
        summary="Turn unanimous gold on or off, set the overlap (owners)",
        request=WorkflowSettingsSerializer,
        responses={200: WorkflowSettingsSerializer, **errors(400, 403, 404, 413)},
    )
    def patch(self, request, slug: str):
        data = validated(WorkflowSettingsSerializer, request.data)
        corpus = self.corpus
        if "auto_gold_unanimous" in data:  # an empty PATCH changes nothing
            corpus = corpus_auto_gold_set(corpus=corpus, enabled=data["auto_gold_unanimous"])
        if "overlap" in data:
            corpus = corpus_overlap_set(corpus=corpus, overlap=data["overlap"])
        return Response(WorkflowSettingsSerializer(corpus).data)


class AdjudicationQueueView(CorpusSlugView):
    rights = {"GET": Right.REVIEW}

    @extend_schema(
        operation_id="corpora_adjudication_queue",
        summary="Sentences on which annotators disagree, most contested first (reviewers)",
        parameters=[AdjudicationQuerySerializer],
        responses={200: AdjudicationQueueSerializer, **errors(400, 403, 404)},
    )
    def get(self, request, slug: str):
        query = validated(AdjudicationQuerySerializer, request.query_params)
        page = disagreement_queue_page(corpus=self.corpus, **query)
        return Response(AdjudicationQueueSerializer(page).data)


class SentenceGoldView(CorpusScopedView):
    rights = {"PUT": Right.REVIEW, "DELETE": Right.REVIEW}

    def resolve(self, request, right) -> None:
        # Through the caller's membership, as every id route: an outsider gets the
        # same 404 for a sentence elsewhere as for one that does not exist.
        self.sentence, self.role = sentence_for(request.user, self.kwargs["pk"], right=right)

    @extend_schema(
        operation_id="sentences_gold_set",
        summary="Decide the gold label of a sentence (reviewers)",
        request=GoldDecisionSerializer,
        responses={200: GoldSerializer, **errors(400, 403, 404, 413)},
    )
    def put(self, request, pk: int):
        data = validated(GoldDecisionSerializer, request.data)
        gold = gold_label_decide_by_key(
            sentence=self.sentence,
            label_key=data["label"],
            reviewer=request.user,
            note=data.get("note", ""),
            source=data.get("source", ""),
        )
        return Response(GoldSerializer(gold).data)

    @extend_schema(
        operation_id="sentences_gold_withdraw",
        summary="Withdraw a reviewer's gold decision (reviewers)",
        responses={204: None, **errors(403, 404)},
    )
    def delete(self, request, pk: int):
        if not gold_label_withdraw(sentence=self.sentence, reviewer=request.user):
            raise Http404("This sentence has no adjudicated gold label.")
        return Response(status=status.HTTP_204_NO_CONTENT)
