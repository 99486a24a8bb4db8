"""Corpora: the caller's list, one corpus with labels and guidelines, its members."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.api.schema import errors
from annotator.api.serializers import validated
from corpora.api.access import CorpusSlugView
from corpora.api.serializers import (
    CorpusDetailSerializer,
    CorpusSerializer,
    MemberAddSerializer,
    MemberSerializer,
    RoleSerializer,
    SegmentationSettingsSerializer,
)
from corpora.permissions import Right
from corpora.selectors import corpora_with_roles, corpus_detail, corpus_members
from corpora.services.corpora import corpus_segmentation_editing_set
from corpora.services.members import member_add, member_remove, member_role_change


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


class SegmentationSettingsView(CorpusSlugView):
    rights = {"PATCH": Right.MANAGE}

    @extend_schema(
        operation_id="corpora_segmentation_settings",
        summary="Let annotators change sentence boundaries, or not (owners)",
        request=SegmentationSettingsSerializer,
        responses={200: SegmentationSettingsSerializer, **errors(400, 403, 404, 413)},
    )
    def patch(self, request, slug: str):
        data = validated(SegmentationSettingsSerializer, request.data)
        corpus = self.corpus
        if "annotators_edit_segmentation" in data:  # an empty PATCH changes nothing
            corpus = corpus_segmentation_editing_set(
                corpus=corpus, allowed=data["annotators_edit_segmentation"]
            )
        return Response(SegmentationSettingsSerializer(corpus).data)


class CorpusMembersView(CorpusSlugView):
    rights = {"GET": Right.VIEW}

    @extend_schema(
        operation_id="corpora_members_list",
        summary="The corpus's members and their roles",
        responses={200: MemberSerializer(many=True), **errors(404)},
    )
    def get(self, request, slug: str):
        return Response(MemberSerializer(corpus_members(corpus=self.corpus), many=True).data)


class CorpusMembersManageView(CorpusMembersView):
    """The members list (any member) plus adding members (owners)."""

    rights = {"GET": Right.VIEW, "POST": Right.MANAGE}

    @extend_schema(
        operation_id="corpora_members_create",
        summary="Add a member by user name or email (owners)",
        request=MemberAddSerializer,
        responses={201: MemberSerializer, **errors(400, 403, 404)},
    )
    def post(self, request, slug: str):
        data = validated(MemberAddSerializer, request.data)
        membership = member_add(corpus=self.corpus, who=data["user"], role=data["role"])
        return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)


class CorpusMemberView(CorpusSlugView):
    rights = {"PATCH": Right.MANAGE, "DELETE": Right.MANAGE}

    @extend_schema(
        operation_id="corpora_members_partial_update",
        summary="Change a member's role; the last owner cannot be demoted",
        request=RoleSerializer,
        responses={200: MemberSerializer, **errors(400, 403, 404)},
    )
    def patch(self, request, slug: str, user_id: int):
        data = validated(RoleSerializer, request.data)
        membership = member_role_change(corpus=self.corpus, user_id=user_id, role=data.get("role"))
        return Response(MemberSerializer(membership).data)

    @extend_schema(
        operation_id="corpora_members_destroy",
        summary="Remove a member; the last owner cannot be removed",
        responses={204: None, **errors(400, 403, 404)},
    )
    def delete(self, request, slug: str, user_id: int):
        member_remove(corpus=self.corpus, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
