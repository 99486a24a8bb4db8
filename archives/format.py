"""The corpus archive format: what it holds, how a row is written, how a file is checked.

An archive is one zip file:

- ``manifest.json``: ``{"format": FORMAT, "version": VERSION, "created_at",
  "corpus": the source slug, "counts": rows per member, "sha256": per file,
  "fields": the field names of each member's rows}``;
- ``users.jsonl``: every username the corpus refers to (members, annotators,
  who changed a label, who decided gold, who assigned an article);
- one JSONL file per member in ``MEMBERS`` (``corpus.jsonl``, ``labels.jsonl``,
  ``articles.jsonl``...), one row per line, ordered by the source's ids.

A row holds every concrete field of its model, read from the model's own
metadata, so a field added to a model is carried without a change here. Its
primary key keeps the source's id (imports map it to a new one); a foreign key
to a user is the username, one to another member is the source's id of that
row, and the one to the corpus is left out (it is the archive's corpus). Dates
and times are ISO 8601 with microseconds, binary data base64.

This module reads no rows and writes none: ``archives.selectors`` writes an
archive, ``archives.services`` restores one.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import models

from articles.models import (
    Annotation,
    AnnotationEvent,
    Article,
    GoldEvent,
    GoldLabel,
    SegmentationEdit,
    Sentence,
)
from corpora.models import Corpus, GuidelineVersion, Label, Membership
from imports.models import ArticleSnapshot
from review.models import Assignment
from suggestions.models import SuggestionSettings

FORMAT = "annotator-corpus-archive"
# 2: carries the corpus's suggestion settings (suggestion_settings.jsonl). An
# archive of an older version lacks the members added since; it restores
# without them (their rows take their defaults).
VERSION = 2
MANIFEST = "manifest.json"
USERS = "users.jsonl"

# Rows read or written per query. A member whose rows can be large (article
# texts up to MAX_ARTICLE_CHARS, archived pages up to IMPORT_FETCH_MAX_BYTES)
# takes fewer rows per chunk, so memory stays bounded by the chunk.
CHUNK_ROWS = 2000
# A line longer than this is refused on import: no row the app stores is near it.
MAX_LINE_BYTES = 64 * 1024 * 1024
# The manifest holds counts, checksums and field names: small whatever the corpus.
MAX_MANIFEST_BYTES = 16 * 1024 * 1024

# Called after each chunk with (member name, rows done, rows in all).
Progress = Callable[[str, int, int], None]


class ArchiveError(Exception):
    """The archive cannot be written or restored; the message names the problem."""


@dataclass(frozen=True)
class Member:
    """One kind of row in the archive."""

    name: str
    model: type[models.Model]
    # The lookup from the model to its corpus's id.
    corpus_lookup: str
    # How much heavier a row is than a sentence: chunks hold CHUNK_ROWS // row_cost rows.
    row_cost: int = 1
    # The archive format version that first carried the member.
    since: int = 1

    @property
    def filename(self) -> str:
        return f"{self.name}.jsonl"

    @property
    def chunk_rows(self) -> int:
        return max(1, CHUNK_ROWS // self.row_cost)

    def rows_of(self, corpus_id: int) -> models.QuerySet:
        return self.model._default_manager.filter(**{self.corpus_lookup: corpus_id})


# In restore order: a row's foreign keys point at members before it.
MEMBERS: tuple[Member, ...] = (
    Member("corpus", Corpus, "pk"),
    Member("guideline_versions", GuidelineVersion, "corpus", row_cost=10),
    Member("labels", Label, "corpus"),
    Member("memberships", Membership, "corpus"),
    Member("articles", Article, "corpus", row_cost=100),
    Member("sentences", Sentence, "article__corpus"),
    Member("annotations", Annotation, "sentence__article__corpus"),
    # Before the events, which name the edit that carried a label; by article, since
    # an event outlives the sentence a change of boundaries removed.
    Member("segmentation_edits", SegmentationEdit, "article__corpus", row_cost=20),
    Member("annotation_events", AnnotationEvent, "article__corpus"),
    Member("gold_labels", GoldLabel, "sentence__article__corpus"),
    Member("gold_events", GoldEvent, "article__corpus"),
    Member("assignments", Assignment, "article__corpus"),
    Member("article_snapshots", ArticleSnapshot, "article__corpus", row_cost=400),
    # Blind labeling and the next-sentence policy (a corpus without the row has the defaults).
    Member("suggestion_settings", SuggestionSettings, "corpus", since=2),
)


def members_in(version: int) -> tuple[Member, ...]:
    """The members an archive of format ``version`` holds, in restore order."""
    return tuple(member for member in MEMBERS if member.since <= version)


# What belongs to a corpus but is not archived, and why (a test checks that
# every model with a path to Corpus is in MEMBERS or here).
LEFT_OUT: dict[str, str] = {
    "articles.ArticleLabelCount": "derived from the sentences and labels; a restore counts "
    "them again",
    "review.AgreementReport": "derived from the labels; the dashboard's recompute builds it again",
    "review.Disagreement": "derived from the labels; the background refresh ranks them again",
    "review.ArticleAgreement": "derived from the labels; the background refresh stores it again",
    "imports.ImportJob": "a record of past background work (with the uploaded payload)",
    "releases.Release": "published files live in the releases storage, not in the archive; "
    "a restored corpus publishes its own",
    "releases.ArticleSplit": "kept with the releases they came from; a restored corpus draws "
    "new splits at its first release",
    "releases.PseudonymKey": "a secret; a restored corpus gets a new key (new pseudonyms)",
    "imports.ImportFailure": "belongs to an import job",
    "corpora.Invitation": "links to join this instance's copy (only token hashes, useless "
    "elsewhere); owners of a restored corpus invite again",
    "suggestions.SuggestionModel": "trained models are rebuilt from the labels (train again "
    "after a restore); outside models' predictions must be posted again",
    "suggestions.Suggestion": "belongs to a suggestion model",
}


def member_by_model() -> dict[type[models.Model], Member]:
    return {member.model: member for member in MEMBERS}


def user_model() -> type[User]:
    """The user model (typed as Django's own; rows refer to users by their username field)."""
    return cast(type[User], get_user_model())


def related_model(field: models.Field) -> type[models.Model]:
    """The model a foreign key points to (the stubs allow None, which a relation never is)."""
    return cast(type[models.Model], field.related_model)


def row_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a row of ``model`` carries: every concrete field but the corpus key."""
    return [
        field
        for field in model._meta.concrete_fields
        if not (field.is_relation and field.related_model is Corpus)
    ]


def auto_time_fields(model: type[models.Model]) -> list[models.Field]:
    """Fields the ORM sets to "now" on insert, which a restore puts back as they were."""
    return [
        field
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]


def reference_kind(field: models.Field) -> str:
    """How a row stores ``field``: "value", "user" (a username) or "member" (a source id).

    Raises ArchiveError for a foreign key to a model archives do not carry, so a
    new relation cannot be dropped silently.
    """
    if not field.is_relation:
        return "value"
    if field.related_model is user_model():
        return "user"
    if field.related_model in member_by_model():
        return "member"
    raise ArchiveError(
        f"{field.model.__name__}.{field.name} refers to {field.related_model.__name__}, "
        "which corpus archives do not carry; add it to archives.format.MEMBERS."
    )


def encode_value(value: Any) -> Any:
    """A field's Python value as JSON: ISO 8601 times, base64 bytes, text for exact numbers."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


# Fields whose database values are JSON as they are: written without a conversion.
_JSON_AS_IS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.FloatField,
    models.JSONField,
)


def field_encoder(field: models.Field) -> Callable[[Any], Any] | None:
    """The conversion a field's values need to become JSON, None when they need none.

    Decided once per field: checking each value's type was a quarter of the export's
    time in a profile.
    """
    target = field.target_field if field.is_relation else field
    return None if isinstance(target, _JSON_AS_IS) else encode_value


def decode_value(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dump_line(row: dict[str, Any]) -> bytes:
    return (_JSON.encode(row) + "\n").encode("utf-8")


class HashingWriter:
    """Wraps a member being written: counts its bytes and hashes them."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.sha256.update(data)
        self.stream.write(data)


# -- reading ------------------------------------------------------------------------------


def archive_open(path: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ArchiveError(f"{path}: no such file.") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(
            f"{path} is not a corpus archive (not a readable zip file: {exc})."
        ) from None


def manifest_read(archive: zipfile.ZipFile, *, name: str) -> dict[str, Any]:
    """The manifest, refused when it is missing, foreign, newer than this code or incomplete."""
    for info in archive.infolist():
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ArchiveError(
                f"{name} is not a corpus archive: {info.filename} is compressed with method "
                f"{info.compress_type}; archives use deflate."
            )
    try:
        # Read with a cap (every other member is streamed): a manifest that would
        # inflate without end is refused before it fills memory.
        with archive.open(MANIFEST) as stream:
            raw = stream.read(MAX_MANIFEST_BYTES + 1)
        if len(raw) > MAX_MANIFEST_BYTES:
            raise ArchiveError(
                f"{name} is not a corpus archive: its {MANIFEST} is over "
                f"{MAX_MANIFEST_BYTES // (1024 * 1024)} MB."
            )
    except KeyError:
        raise ArchiveError(f"{name} is not a corpus archive: it holds no {MANIFEST}.") from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ArchiveError(f"{name} is damaged: its {MANIFEST} cannot be read ({exc}).") from None
    try:
        manifest = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise ArchiveError(f"{name} is damaged: its {MANIFEST} is not JSON.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise ArchiveError(
            f"{name} is not an annotator corpus archive (its format is {found!r}, "
            f"expected {FORMAT!r})."
        )
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ArchiveError(f"{name} is damaged: its format version {version!r} is not valid.")
    if version > VERSION:
        raise ArchiveError(
            f"{name} was written by a newer annotator (archive format version {version}); "
            f"this one reads up to version {VERSION}. Upgrade annotator to restore it."
        )
    for key in ("counts", "sha256", "fields"):
        if not isinstance(manifest.get(key), dict):
            raise ArchiveError(f"{name} is damaged: its {MANIFEST} lacks {key!r}.")
    for member in members_in(version):
        count = manifest["counts"].get(member.name)
        if member.filename not in manifest["sha256"] or count is None:
            raise ArchiveError(f"{name} is damaged: {member.filename} is not in its manifest.")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ArchiveError(f"{name} is damaged: its count of {member.name} is not valid.")
    if USERS not in manifest["sha256"]:
        raise ArchiveError(f"{name} is damaged: {USERS} is not in its manifest.")
    return manifest


def checksums_verify(archive: zipfile.ZipFile, manifest: dict[str, Any], *, name: str) -> None:
    """Read every member once and compare its SHA-256 with the manifest's."""
    for filename, expected in manifest["sha256"].items():
        digest = hashlib.sha256()
        try:
            with archive.open(filename) as stream:
                while block := stream.read(64 * 1024):
                    digest.update(block)
        except KeyError:
            raise ArchiveError(f"{name} is damaged: {filename} is missing.") from None
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ArchiveError(f"{name} is damaged: {filename} cannot be read ({exc}).") from None
        if digest.hexdigest() != expected:
            raise ArchiveError(
                f"{name} is damaged: the checksum of {filename} does not match its manifest "
                "(the file was changed or truncated). Export the corpus again."
            )


def lines_read(archive: zipfile.ZipFile, filename: str, *, name: str) -> Iterator[dict[str, Any]]:
    """The rows of one member, one line at a time."""
    with archive.open(filename) as stream:
        number = 0
        while line := stream.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(line) > MAX_LINE_BYTES:
                raise ArchiveError(f"{name}: line {number} of {filename} is too long.")
            try:
                row = json.loads(line)
            except (UnicodeDecodeError, ValueError):
                raise ArchiveError(
                    f"{name} is damaged: line {number} of {filename} is not JSON."
                ) from None
            if not isinstance(row, dict):
                raise ArchiveError(f"{name} is damaged: line {number} of {filename} is not a row.")
            yield row
