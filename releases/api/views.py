"""Releases over the API: publish (owners), list, read, download, withdraw, compare.

Thin views: access through ``corpora.permissions`` (CorpusSlugView). Reading
releases needs SEE_ALL_LABELS (they hold every annotator's labels); publishing,
withdrawing and resetting splits need MANAGE (owners).
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from annotator.api.schema import errors
from annotator.api.serializers import ErrorSerializer, validated
from corpora.api.access import CorpusSlugView
from corpora.permissions import Right, has_right
from releases.api.serializers import (
    DiffSerializer,
    ReleaseCreateSerializer,
    ReleaseSerializer,
    SplitsResetSerializer,
    WithdrawSerializer,
)
from releases.downloads import Gone, release_file_response
from releases.models import Release
from releases.selectors import release_diff, release_get, releases_of
from releases.services.releases import release_create, release_withdraw, splits_reset


class ReleaseGone(APIException):
    status_code = 410
    default_code = "gone"


class ReleaseNotReady(APIException):
    status_code = 409
    default_code = "not_published"


class ReleaseView(CorpusSlugView):
    def release(self, version: str, *, published: bool = False) -> Release:
        release = release_get(corpus=self.corpus, version=version)
        manager = has_right(self.role, Right.MANAGE)
        if release is None or (release.withdrawn and not manager and not published):
            raise Http404("No such release.")
        if published:
            if release.withdrawn:
                raise ReleaseGone(f"Release {version} was withdrawn: {release.withdrawn_reason}")
            if release.status != Release.Status.DONE:
                raise ReleaseNotReady(f"Release {version} is not published yet ({release.status}).")
        return release


class ReleasesView(ReleaseView):
    rights = {"GET": Right.SEE_ALL_LABELS, "POST": Right.MANAGE}

    @extend_schema(
        operation_id="corpora_releases_list",
        summary="The corpus's releases, newest first (owners also see withdrawn ones)",
        responses={200: ReleaseSerializer(many=True), **errors(403, 404)},
    )
    def get(self, request, slug: str):
        releases = releases_of(
            corpus=self.corpus, with_withdrawn=has_right(self.role, Right.MANAGE)
        ).select_related("corpus")
        return Response(ReleaseSerializer(releases, many=True).data)

    @extend_schema(
        operation_id="corpora_releases_create",
        summary="Publish a release (owners): built in the background from one read",
        description="Answers 202 with the release, status `queued`; poll it until `done` "
        "or `failed`. A version is never reused, and a release never changes once built.",
        request=ReleaseCreateSerializer,
        responses={202: ReleaseSerializer, **errors(400, 403, 404, 413)},
    )
    def post(self, request, slug: str):
        data = validated(ReleaseCreateSerializer, request.data)
        release = release_create(corpus=self.corpus, user=request.user, **data)
        return Response(ReleaseSerializer(release).data, status=status.HTTP_202_ACCEPTED)


class ReleaseDetailView(ReleaseView):
    rights = {"GET": Right.SEE_ALL_LABELS}

    @extend_schema(
        operation_id="corpora_releases_read",
        summary="One release: options, build progress, counts and files with checksums",
        responses={200: ReleaseSerializer, **errors(403, 404)},
    )
    def get(self, request, slug: str, version: str):
        return Response(ReleaseSerializer(self.release(version)).data)


class ReleaseWithdrawView(ReleaseView):
    rights = {"POST": Right.MANAGE}

    @extend_schema(
        operation_id="corpora_releases_withdraw",
        summary="Withdraw a release (owners): hidden, with the reason; never changed",
        request=WithdrawSerializer,
        responses={200: ReleaseSerializer, **errors(400, 403, 404, 413)},
    )
    def post(self, request, slug: str, version: str):
        data = validated(WithdrawSerializer, request.data)
        release = release_withdraw(release=self.release(version), reason=data["reason"])
        return Response(ReleaseSerializer(release).data)


class ReleaseFileView(ReleaseView):
    rights = {"GET": Right.SEE_ALL_LABELS}

    @extend_schema(
        operation_id="corpora_releases_file",
        summary="Download one file of a release (streamed; ETag, Range, Repr-Digest)",
        description="The ETag is the file's SHA-256 from the manifest. `Range: bytes=a-b` "
        "answers 206; `If-None-Match` with the ETag answers 304. A withdrawn release "
        "answers 410 with the reason.",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            (206, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            **errors(403, 404, 409),
            410: OpenApiResponse(ErrorSerializer, description="The release was withdrawn."),
        },
    )
    def get(self, request, slug: str, version: str, name: str):
        release = self.release(version, published=True)
        try:
            return release_file_response(request, release, name)
        except Gone as gone:  # pragma: no cover - self.release refused it already
            raise ReleaseGone(str(gone)) from None


class ReleaseDiffView(ReleaseView):
    rights = {"GET": Right.SEE_ALL_LABELS}

    @extend_schema(
        operation_id="corpora_releases_diff",
        summary="What changed from this release to another: articles, labels, gold labels",
        responses={200: DiffSerializer, **errors(403, 404, 409)},
    )
    def get(self, request, slug: str, version: str, other: str):
        old = self.release(version, published=True)
        new = self.release(other, published=True)
        response = Response(release_diff(old=old, new=new))
        response["Content-Disposition"] = (
            f'attachment; filename="{self.corpus.slug}-{version}-to-{other}.diff.json"'
        )
        return response


class SplitsResetView(ReleaseView):
    rights = {"POST": Right.MANAGE}

    @extend_schema(
        operation_id="corpora_splits_reset",
        summary="Forget every article's split (owners): the next release draws them again",
        request=None,
        responses={200: SplitsResetSerializer, **errors(403, 404)},
    )
    def post(self, request, slug: str):
        return Response({"forgotten": splits_reset(corpus=self.corpus)})
