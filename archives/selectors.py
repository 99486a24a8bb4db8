"""Writing a corpus to an archive file (a read of the database; see archives.format)."""

from __future__ import annotations

import datetime as dt
import json
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from archives.format import (
    FORMAT,
    MANIFEST,
    MEMBERS,
    USERS,
    VERSION,
    HashingWriter,
    Member,
    Progress,
    dump_line,
    field_encoder,
    reference_kind,
    row_fields,
    user_model,
)
from corpora.models import Corpus
from datasets.sql import snapshot_begin


@dataclass(frozen=True)
class ArchiveWritten:
    path: str
    counts: dict[str, int]
    users: int
    size: int


@contextmanager
def _snapshot() -> Iterator[None]:
    """On PostgreSQL, every member is read from one snapshot, so the archive is consistent.

    SQLite gets none (its IMMEDIATE transactions would lock writers out for the
    whole export); export there while nobody is labeling.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        snapshot_begin()
        yield


def _entry(filename: str) -> zipfile.ZipInfo:
    """A member streamed into the zip, dated now (a streamed member is dated 1980 otherwise)."""
    entry = zipfile.ZipInfo(filename, date_time=dt.datetime.now().timetuple()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry


def _usernames(corpus_id: int) -> dict[int, str]:
    """Every user the corpus's rows refer to, by id."""
    ids: set[int] = set()
    for member in MEMBERS:
        for field in row_fields(member.model):
            if reference_kind(field) == "user":
                ids.update(
                    member.rows_of(corpus_id)
                    .exclude(**{field.attname: None})
                    .order_by()
                    .values_list(field.attname, flat=True)
                    .distinct()
                )
    User = user_model()
    return dict(User._default_manager.filter(pk__in=ids).values_list("pk", User.USERNAME_FIELD))


def member_chunks(
    *, member: Member, corpus_id: int, usernames: dict[int, str]
) -> Iterator[list[dict[str, Any]]]:
    """The member's rows as archive rows, a keyset chunk (by id) at a time."""
    fields = row_fields(member.model)
    # (name, conversion or None) per column: a username for a user, JSON for the rest.
    columns = [
        (f.name, usernames.__getitem__ if reference_kind(f) == "user" else field_encoder(f))
        for f in fields
    ]
    attnames = [field.attname for field in fields]
    key = attnames.index(member.model._meta.pk.attname)
    last = None
    while True:
        rows = member.rows_of(corpus_id).order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        chunk = list(rows.values_list(*attnames)[: member.chunk_rows])
        if not chunk:
            return
        yield [
            {
                name: value if value is None or convert is None else convert(value)
                for (name, convert), value in zip(columns, values, strict=True)
            }
            for values in chunk
        ]
        if len(chunk) < member.chunk_rows:
            return
        last = chunk[-1][key]


def corpus_archive_export(
    *, corpus: Corpus, path: str, progress: Progress | None = None
) -> ArchiveWritten:
    """Write everything of ``corpus`` to one zip archive at ``path``, streamed chunk by chunk.

    Written to ``path + ".partial"`` and renamed when complete, so a failed
    export leaves no file that looks whole.
    """
    partial = f"{path}.partial"
    counts: dict[str, int] = {}
    sha256: dict[str, str] = {}
    try:
        with _snapshot(), zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            totals = {member.name: member.rows_of(corpus.pk).count() for member in MEMBERS}
            usernames = _usernames(corpus.pk)
            with archive.open(_entry(USERS), "w", force_zip64=True) as stream:
                writer = HashingWriter(stream)
                for username in sorted(usernames.values()):
                    writer.write(dump_line({"username": username}))
            sha256[USERS] = writer.sha256.hexdigest()
            for member in MEMBERS:
                done = 0
                if progress:
                    progress(member.name, 0, totals[member.name])
                with archive.open(_entry(member.filename), "w", force_zip64=True) as stream:
                    writer = HashingWriter(stream)
                    for rows in member_chunks(
                        member=member, corpus_id=corpus.pk, usernames=usernames
                    ):
                        writer.write(b"".join(dump_line(row) for row in rows))
                        done += len(rows)
                        if progress:
                            progress(member.name, done, max(done, totals[member.name]))
                counts[member.name] = done
                sha256[member.filename] = writer.sha256.hexdigest()
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": dt.datetime.now(dt.UTC).isoformat(),
                "corpus": corpus.slug,
                "counts": counts,
                "users": len(usernames),
                "sha256": sha256,
                "fields": {
                    member.name: [field.name for field in row_fields(member.model)]
                    for member in MEMBERS
                },
            }
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2) + "\n")
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise
    return ArchiveWritten(
        path=path, counts=counts, users=len(usernames), size=os.path.getsize(path)
    )
