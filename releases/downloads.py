"""Serving a release's files: streamed, with ETag and Range, checked against the manifest.

Shared by the page's download links and the API. The ETag is the file's
SHA-256 from the manifest (a release's files never change, so it never goes
stale); ``Repr-Digest`` carries it too (RFC 9530) so a client can check what
it got. A whole-file download is hashed while it streams: if the stored bytes
no longer match the manifest the stream is cut short (the client sees fewer
bytes than Content-Length) and the mismatch is logged.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Iterator

from django.http import Http404, HttpResponse, StreamingHttpResponse

from releases import format as release_format
from releases.models import Release
from releases.storage import release_storage

log = logging.getLogger(__name__)

BLOCK = 256 * 1024
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
CONTENT_TYPES = {
    "parquet": "application/vnd.apache.parquet",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "cff": "application/x-yaml; charset=utf-8",
    "json": "application/json",
}


class Gone(Exception):
    """The release was withdrawn: its reason is the message."""


def release_file_entry(release: Release, name: str) -> dict:
    """The manifest's entry for ``name`` (the manifest itself has none: hashed on the fly)."""
    if release.status != Release.Status.DONE:
        raise Http404("This release is not published yet.")
    if release.withdrawn_at is not None:
        raise Gone(f"This release was withdrawn: {release.withdrawn_reason}")
    if name == release_format.MANIFEST:
        return {}
    entry = release.manifest.get("files", {}).get(name)
    if entry is None:
        raise Http404(f"This release has no file {name!r}.")
    return entry


def _blocks(fh, start: int, length: int, expected: str | None, name: str) -> Iterator[bytes]:
    digest = hashlib.sha256() if expected else None
    try:
        fh.seek(start)
        left = length
        while left > 0:
            block = fh.read(min(BLOCK, left))
            if not block:
                break
            left -= len(block)
            if digest is not None:
                digest.update(block)
            if digest is not None and left == 0 and digest.hexdigest() != expected:
                log.error("release file %s does not match its manifest checksum", name)
                return  # the last block is withheld: the download is visibly short
            yield block
    finally:
        fh.close()


def release_file_response(request, release: Release, name: str) -> HttpResponse:
    entry = release_file_entry(release, name)
    storage = release_storage()
    path = f"{release.storage_prefix}/{name}"
    if not storage.exists(path):
        raise Http404(f"The file {name!r} is missing from storage.")
    size = entry.get("bytes") if entry else storage.size(path)
    sha = entry.get("sha256") if entry else None
    etag = f'"{sha}"' if sha else f'"{release.pk}-{release.storage_prefix.rsplit("/", 1)[-1]}"'
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, max-age=31536000, immutable",
        "Content-Disposition": f'attachment; filename="{name.rsplit("/", 1)[-1]}"',
    }
    if sha:
        headers["Repr-Digest"] = "sha-256=:" + base64.b64encode(bytes.fromhex(sha)).decode() + ":"
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
        for key in ("ETag", "Cache-Control"):
            response[key] = headers[key]
        return response
    content_type = CONTENT_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")
    start, end, status = 0, size - 1, 200
    wanted = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if wanted and (not if_range or if_range == etag):
        match = _RANGE.fullmatch(wanted.strip())
        if match is None or not (match.group(1) or match.group(2)):
            return _unsatisfiable(size, headers)
        first, last = match.group(1), match.group(2)
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # the last N bytes
            start, end = max(size - int(last), 0), size - 1
        if start >= size or start > end:
            return _unsatisfiable(size, headers)
        status = 206
    length = end - start + 1 if size else 0
    fh = storage.open(path, "rb")
    whole = status == 200
    response = StreamingHttpResponse(
        _blocks(fh, start, length, sha if whole else None, path),
        status=status,
        content_type=content_type,
    )
    for key, value in headers.items():
        response[key] = value
    response["Content-Length"] = str(length)
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response


def _unsatisfiable(size: int, headers: dict) -> HttpResponse:
    response = HttpResponse(status=416)
    response["Content-Range"] = f"bytes */{size}"
    response["ETag"] = headers["ETag"]
    return response
