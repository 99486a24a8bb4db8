"""Corpora: the caller's list, one corpus with labels and guidelines, its members."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.api.schema import errors
from articles.api.serializers import CorpusDetailSerializer, CorpusSerializer, MemberSerializer
from articles.api.views.base import CorpusSlugView
from articles.permissions import Right
from articles.selectors.articles import corpora_with_roles, corpus_detail, corpus_members


class CorpusListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="corpora_list",
        summary="The corpora you belong to, with your role in each",
        responses={200: CorpusSerializer(many=True), **errors()},
    )
    def get(self, request):
        return Response(CorpusSerializer(corpora_with_roles(user=request.user), many=True).data)


class CorpusDetailView(CorpusSlugView):
    rights = {"GET": Right.VIEW}

    @extend_schema(
        operation_id="corpora_retrieve",
        summary="One corpus: its labels, guidelines (Markdown and sanitised HTML), your role",
        responses={200: CorpusDetailSerializer, **errors(404)},
    )
    def get(self, request, slug: str):
        data = corpus_detail(corpus=self.corpus, role=self.role)
        return Response(CorpusDetailSerializer(data).data)


class CorpusMembersView(CorpusSlugView):
    rights = {"GET": Right.VIEW}

    @extend_schema(
        operation_id="corpora_members_list",
        summary="The corpus's members and their roles",
        responses={200: MemberSerializer(many=True), **errors(404)},
    )
    def get(self, request, slug: str):
        return Response(MemberSerializer(corpus_members(corpus=self.corpus), many=True).data)
