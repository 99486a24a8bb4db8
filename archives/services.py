"""Restoring a corpus from an archive file (see archives.format), in one transaction."""

from __future__ import annotations

import zipfile
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from archives.format import (
    MEMBERS,
    USERS,
    ArchiveError,
    Member,
    Progress,
    archive_open,
    auto_time_fields,
    checksums_verify,
    decode_value,
    lines_read,
    manifest_read,
    members_in,
    reference_kind,
    related_model,
    row_fields,
    user_model,
)
from articles.services.label_counts import label_counts_rebuild
from corpora.models import Corpus
from review.services.assignment import assignment_counts_rebuild

SLUG_MAX_LENGTH = 80  # Corpus.slug's max_length
# How many missing usernames a refusal lists before "and N more".
NAMES_SHOWN = 20


class IdMap:
    """Source ids to new ids of one member, in two arrays (16 bytes a row).

    Rows arrive ordered by their source id, so a lookup is a binary search;
    a corpus of millions of sentences maps in tens of megabytes.
    """

    def __init__(self) -> None:
        self.old: array[int] = array("q")
        self.new: array[int] = array("q")

    def add(self, old: int, new: int) -> None:
        if self.old and old <= self.old[-1]:
            raise ArchiveError(f"rows are not ordered by id (id {old} after {self.old[-1]})")
        self.old.append(old)
        self.new.append(new)

    def get(self, old: int) -> int | None:
        at = bisect_left(self.old, old)
        if at < len(self.old) and self.old[at] == old:
            return self.new[at]
        return None


@dataclass
class _Plan:
    """How one member's rows become model instances on this instance."""

    member: Member
    fields: list[tuple[models.Field, str]]
    # Times the ORM sets itself (auto_now, auto_now_add) that the archive lacks: "now".
    missing_times: list[models.Field]
    corpus_attname: str | None


@dataclass(frozen=True)
class ArchiveRestored:
    corpus: Corpus
    counts: dict[str, int]
    users_created: list[str] = field(default_factory=list)


def _plan(member: Member, archived: Any, *, name: str) -> _Plan:
    """Match the archive's fields of a member with the model's; refuse what cannot fit."""
    if not isinstance(archived, list) or not all(isinstance(n, str) for n in archived):
        raise ArchiveError(f"{name} is damaged: its manifest lists no fields for {member.name}.")
    model_fields = {f.name: f for f in row_fields(member.model)}
    unknown = [n for n in archived if n not in model_fields]
    if unknown:
        raise ArchiveError(
            f"{name} holds {member.name} fields this annotator does not know "
            f"({', '.join(unknown)}): it was written by a newer or different version. "
            "Upgrade annotator to restore it."
        )
    pk = member.model._meta.pk
    if pk.name not in archived:
        raise ArchiveError(f"{name} is damaged: {member.name} rows carry no {pk.name}.")
    times = auto_time_fields(member.model)
    for f in model_fields.values():
        fills_itself = f.has_default() or f.null or f.empty_strings_allowed or f in times
        if f.name not in archived and not fills_itself:
            raise ArchiveError(
                f"{name} lacks the {member.name} field {f.name!r}, which this annotator needs."
            )
    corpus_fk = [
        f for f in member.model._meta.concrete_fields if f.is_relation and f.related_model is Corpus
    ]
    return _Plan(
        member=member,
        fields=[(model_fields[n], reference_kind(model_fields[n])) for n in archived],
        missing_times=[f for f in times if f.name not in archived],
        corpus_attname=corpus_fk[0].attname if corpus_fk else None,
    )


def _slug_check(slug: str) -> str:
    if not slug or slugify(slug) != slug or len(slug) > SLUG_MAX_LENGTH:
        raise ArchiveError(
            f"{slug!r} is not a valid slug: use up to 80 lower-case letters, digits and hyphens."
        )
    if Corpus.objects.filter(slug=slug).exists():
        raise ArchiveError(
            f"A corpus with the slug {slug!r} exists already; restore the archive under "
            "another slug (--slug NEW)."
        )
    return slug


def _users_resolve(usernames: list[str], *, create: bool) -> tuple[dict[str, int], list[str]]:
    """username -> id for every user the archive names, creating missing ones when asked.

    Created users are inactive with unusable passwords: they own labels, not logins.
    """
    User = user_model()
    key = User.USERNAME_FIELD
    found: dict[str, int] = {}
    for start in range(0, len(usernames), 500):
        batch = usernames[start : start + 500]
        found.update(User._default_manager.filter(**{f"{key}__in": batch}).values_list(key, "pk"))
    missing = [name for name in usernames if name not in found]
    if missing and not create:
        shown = ", ".join(missing[:NAMES_SHOWN])
        more = f" and {len(missing) - NAMES_SHOWN} more" if len(missing) > NAMES_SHOWN else ""
        raise ArchiveError(
            f"{len(missing)} user(s) named in the archive do not exist here: {shown}{more}. "
            "Create them first, or let the restore create them as inactive accounts "
            "(--create-missing-users)."
        )
    for name in missing:
        user = User(**{key: name}, is_active=False)
        user.set_unusable_password()
        user.save()
        found[name] = user.pk
    return found, missing


def _instance(
    plan: _Plan,
    row: dict[str, Any],
    *,
    corpus_id: int | None,
    users: dict[str, int],
    maps: dict[type[models.Model], IdMap],
    where: str,
) -> tuple[int, models.Model]:
    values: dict[str, Any] = {}
    old_id = None
    for f, kind in plan.fields:
        if f.name not in row:
            raise ArchiveError(f"{where}: the row lacks {f.name!r}.")
        raw = row[f.name]
        if f.primary_key:
            old_id = raw
        elif raw is None:
            values[f.attname] = None
        elif kind == "user":
            if raw not in users:
                raise ArchiveError(f"{where}: the user {raw!r} is not in {USERS}.")
            values[f.attname] = users[raw]
        elif kind == "member":
            model = related_model(f)
            target = maps[model].get(raw) if isinstance(raw, int) else None
            if target is None:
                plural = model._meta.verbose_name_plural
                raise ArchiveError(
                    f"{where}: {f.name} {raw!r} is not among the archive's {plural}."
                )
            values[f.attname] = target
        else:
            try:
                values[f.attname] = decode_value(f, raw)
            except ValidationError as exc:
                raise ArchiveError(f"{where}: {f.name}: {' '.join(exc.messages)}") from None
            except (TypeError, ValueError):
                raise ArchiveError(f"{where}: {f.name}: {raw!r} is not a valid value.") from None
    if not isinstance(old_id, int):
        raise ArchiveError(f"{where}: the row's id {old_id!r} is not a number.")
    if plan.corpus_attname is not None:
        values[plan.corpus_attname] = corpus_id
    for f in plan.missing_times:
        values[f.attname] = timezone.now()
    return old_id, plan.member.model(**values)


def _insert_as_is(model: type[models.Model], objs: list[models.Model]) -> list[int]:
    """INSERT the rows with every value as given; their new ids, in order.

    ``bulk_create`` would set auto_now and auto_now_add fields to "now". This
    is the insert ``Model.save_base(raw=True)`` does for fixtures
    (``QuerySet._insert`` with ``raw=True``), batched as ``bulk_create``
    batches it. Putting the times back afterwards with ``bulk_update`` (a CASE
    of up to 2,000 branches per row) made a whole restore of 220,000 rows on
    PostgreSQL take 127 s instead of 27 s (bench/archive.py, one run each on a
    busy machine).
    """
    if not connection.features.can_return_rows_from_bulk_insert:
        raise ArchiveError("This database cannot return the ids of inserted rows.")
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    returning = model._meta.db_returning_fields
    at = returning.index(model._meta.pk)
    size = max(connection.ops.bulk_batch_size(fields, objs), 1)
    ids: list[int] = []
    for start in range(0, len(objs), size):
        # Private in the stubs; the round-trip tests pin its behaviour on both databases.
        rows = model._default_manager.all()._insert(  # type: ignore[attr-defined]
            objs[start : start + size], fields=fields, returning_fields=returning, raw=True
        )
        ids.extend(row[at] for row in rows)
    return ids


def _save(plan: _Plan, batch: list[tuple[int, models.Model]], id_map: IdMap | None) -> None:
    ids = _insert_as_is(plan.member.model, [obj for _, obj in batch])
    if id_map is not None:
        for (old_id, _), new_id in zip(batch, ids, strict=True):
            id_map.add(old_id, new_id)


def _member_restore(
    archive: zipfile.ZipFile,
    plan: _Plan,
    *,
    name: str,
    slug: str,
    corpus_id: int | None,
    users: dict[str, int],
    maps: dict[type[models.Model], IdMap],
    total: int,
    progress: Progress | None,
) -> int:
    member = plan.member
    id_map = maps.get(member.model)
    batch: list[tuple[int, models.Model]] = []
    done = 0
    if progress:
        progress(member.name, 0, total)
    for number, row in enumerate(lines_read(archive, member.filename, name=name), start=1):
        if member.model is Corpus:
            row = {**row, "slug": slug}
        where = f"{name}, {member.filename} line {number}"
        batch.append(_instance(plan, row, corpus_id=corpus_id, users=users, maps=maps, where=where))
        if len(batch) >= member.chunk_rows:
            _save(plan, batch, id_map)
            done += len(batch)
            batch = []
            if progress:
                progress(member.name, done, max(done, total))
    if batch:
        _save(plan, batch, id_map)
        done += len(batch)
    if progress:
        progress(member.name, done, max(done, total))
    if done != total:
        raise ArchiveError(
            f"{name} is damaged: {member.filename} holds {done} rows, its manifest says {total}."
        )
    return done


def corpus_archive_import(
    *,
    path: str,
    slug: str | None = None,
    create_missing_users: bool = False,
    progress: Progress | None = None,
) -> ArchiveRestored:
    """Restore the corpus in the archive at ``path`` as a new corpus, all or nothing.

    The archive is checked whole first (format, version, every member's
    checksum, fields this instance knows); then every row is written in one
    transaction with new ids, keeping versions, times and history as they
    were. Sentences come from the archive, so nothing is segmented again and
    no background task is queued. Raises ArchiveError naming the problem.
    """
    with archive_open(path) as archive:
        manifest = manifest_read(archive, name=path)
        checksums_verify(archive, manifest, name=path)
        # An older archive lacks the members added since its version: they are not restored.
        plans = [
            _plan(m, manifest["fields"].get(m.name), name=path)
            for m in members_in(manifest["version"])
        ]
        if manifest["counts"]["corpus"] != 1:
            raise ArchiveError(f"{path} is damaged: it must hold exactly one corpus.")
        source = next(lines_read(archive, MEMBERS[0].filename, name=path))
        target_slug = slug if slug is not None else str(source.get("slug", ""))
        usernames = [str(row.get("username", "")) for row in lines_read(archive, USERS, name=path)]
        targets = {
            related_model(f) for plan in plans for f, kind in plan.fields if kind == "member"
        }
        try:
            with transaction.atomic():
                _slug_check(target_slug)
                users, created = _users_resolve(usernames, create=create_missing_users)
                maps = {model: IdMap() for model in targets}
                maps.setdefault(Corpus, IdMap())
                counts: dict[str, int] = {}
                corpus_id: int | None = None
                for plan in plans:
                    name = plan.member.name
                    counts[name] = _member_restore(
                        archive,
                        plan,
                        name=path,
                        slug=target_slug,
                        corpus_id=corpus_id,
                        users=users,
                        maps=maps,
                        total=manifest["counts"][name],
                        progress=progress,
                    )
                    if plan.member.model is Corpus:
                        corpus_id = maps[Corpus].new[0]
                if corpus_id is not None:
                    # Derived: the labeled counts are not archived (format.LEFT_OUT),
                    # and an archive's articles may carry no counts or other ones
                    # (docs/architecture.md, "Derived counts").
                    label_counts_rebuild(corpus_id=corpus_id)
                    assignment_counts_rebuild(corpus_id=corpus_id)
        except DatabaseError as exc:
            # A row the database refuses (a broken constraint, a value too long).
            raise ArchiveError(f"{path} cannot be restored here: {exc}") from None
    if corpus_id is None:
        raise ArchiveError(f"{path} is damaged: it holds no corpus.")
    return ArchiveRestored(
        corpus=Corpus.objects.get(pk=corpus_id), counts=counts, users_created=created
    )
