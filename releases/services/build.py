"""Building a release: one read of the database, files written once through the storage API.

The steps (``release_build``, run by ``releases.tasks.build_release``):

1. Claim the release (``release_claim``: queued or running -> running, counted).
2. Give every article that will be in it and has no split one
   (``releases.services.splits.splits_assign``, its own short transaction).
3. Read everything the files hold in **one transaction**: on PostgreSQL
   ``REPEATABLE READ, READ ONLY`` (``datasets.sql.snapshot_begin``), on SQLite
   one deferred read transaction (WAL keeps writers going). Sentences come in
   keyset chunks from ``datasets.selectors.dataset_chunks`` and are shaped by
   ``dataset_row``, as the dataset API and the export shape them; each chunk is
   written to the Parquet, JSONL and CSV file of its configuration and split in
   a temporary folder, so memory holds one chunk whatever the corpus size
   (docs/architecture.md, invariants 6 and 8). The read runs on a thread of its
   own (its own connection) while this one records progress for the page.
4. Compute the agreement of the labels read (``review.services.agreement``),
   write the dataset card, datasheet and citation, hash every file, and save
   each through ``STORAGES["releases"]`` under a prefix new to this attempt.
5. Mark the release done with its manifest in one conditional UPDATE.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import json
import logging
import queue
import secrets
import tempfile
import threading
import time
import uuid
from array import array
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from articles.models import Annotation, GoldLabel, Sentence
from articles.offsets import utf16_offsets
from articles.selectors.articles import astral_articles
from corpora.models import GuidelineVersion, Label
from datasets import sql as dataset_sql
from datasets.export import csv_cells
from datasets.selectors import (
    GOLD_COLUMNS,
    SENTENCE_FIELDS,
    DatasetScope,
    dataset_chunks,
    dataset_row,
)
from releases import format as release_format
from releases import sql as release_sql
from releases.models import PseudonymKey, Release
from releases.selectors import article_splits, releasable_articles
from releases.services.releases import release_claim
from releases.services.splits import splits_assign
from releases.storage import release_storage
from review.services.agreement import Ratings, agreement_summary

log = logging.getLogger(__name__)

# Sentences a chunk walks: 10,000 keeps a chunk's rows and files' buffers to some tens of
# MB and makes Parquet row groups of a useful size (bench/release.py).
CHUNK_SENTENCES = 10_000
PROGRESS_EVERY_SECONDS = 0.5
FIELDS = SENTENCE_FIELDS


class BuildStopped(Exception):
    """The build's own thread was asked to stop (the task hit a limit)."""


def release_build(
    *,
    release_id: int,
    chunk_size: int | None = None,
    after_chunk: Callable[[int], None] | None = None,
    rows_in_sql: bool = True,
) -> str:
    """Build (or build again) a release; its final status. Safe to call twice.

    ``after_chunk(sentences read so far)`` is called on the reading thread after
    each chunk (the tests write labels there, to see that they stay out).
    ``rows_in_sql``: on PostgreSQL, the rows' text is built by the database
    (``releases.sql``); False takes the Python path that SQLite takes, the
    reference the tests compare the files of the other with.
    """
    if not release_claim(release_id=release_id):
        return "skipped"
    release = Release.objects.select_related("corpus").get(pk=release_id)
    _build(
        release,
        chunk_size=chunk_size or CHUNK_SENTENCES,
        after_chunk=after_chunk,
        in_sql=rows_in_sql,
    )
    release.refresh_from_db(fields=["status"])
    return release.status


# --- names ------------------------------------------------------------------------------


class _Names:
    """Usernames as they appear in the release: pseudonyms unless the owner opted in."""

    def __init__(self, release: Release) -> None:
        self.show = release.show_usernames
        self.key = ""
        if not self.show:
            self.key = PseudonymKey.objects.get_or_create(
                corpus=release.corpus, defaults={"key": secrets.token_hex(32)}
            )[0].key
        self.names: dict[str, str] = {}
        self.ids: dict[str, int] = {}

    def __call__(self, username: str) -> str:
        name = self.names.get(username)
        if name is None:
            user_id = (
                get_user_model().objects.filter(username=username).values_list("pk", flat=True)
            ).first()
            self.ids[username] = user_id or 0
            name = username if self.show else release_format.pseudonym(self.key, user_id or 0)
            self.names[username] = name
        return name

    def of_users(self, user_ids: list[int]) -> dict[int, str]:
        """The name of each of these users (user id -> name), in one query."""
        usernames = dict(
            get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "username")
        )
        return {
            pk: username if self.show else release_format.pseudonym(self.key, pk)
            for pk, username in usernames.items()
        }


# --- the files --------------------------------------------------------------------------


class _HashedText:
    """A text file written as UTF-8 and hashed as it is written (no second read to hash it)."""

    def __init__(self, path: Path) -> None:
        self.file = path.open("wb")
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, text: str) -> int:
        data = text.encode()
        self.digest.update(data)
        self.size += len(data)
        return self.file.write(data)

    def close(self) -> None:
        self.file.close()


class _SplitFiles:
    """The Parquet, JSONL and CSV file of one configuration and split, opened on first use."""

    def __init__(self, folder: Path, config: str) -> None:
        import pyarrow.parquet as pq

        self.config = config
        self.schema = release_format.parquet_schema(config)
        self.folder = folder
        self.paths = {}
        for ext in release_format.EXTENSIONS:
            self.paths[ext] = folder / f"{config}-{ext}"
        self.parquet = pq.ParquetWriter(
            self.paths["parquet"], self.schema, compression="zstd", write_statistics=True
        )
        self.jsonl = _HashedText(self.paths["jsonl"])
        self.csv_file = _HashedText(self.paths["csv"])
        self.csv = csv.writer(self.csv_file, lineterminator="\n")
        self.csv.writerow(release_format.csv_columns(config))
        # This chunk's Parquet rows, as tuples in schema order (columns at flush).
        self.pending: list[tuple] = []
        self.rows = 0

    def write_columns(self, columns: list) -> None:
        """One row group from one array (or list of values) per column, in schema order."""
        import pyarrow as pa

        arrays = [
            values
            if isinstance(values, (pa.Array, pa.ChunkedArray))
            else pa.array(values, type=field.type)
            for values, field in zip(columns, self.schema, strict=True)
        ]
        self.parquet.write_table(pa.Table.from_arrays(arrays, schema=self.schema))

    def flush(self) -> None:
        import pyarrow as pa

        if self.pending:
            columns = [
                pa.array(values, type=field.type)
                for values, field in zip(zip(*self.pending, strict=True), self.schema, strict=True)
            ]
            self.parquet.write_table(pa.Table.from_arrays(columns, schema=self.schema))
            self.pending = []

    def close(self) -> None:
        self.flush()
        self.parquet.close()
        self.jsonl.close()
        self.csv_file.close()


class _Files:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.open: dict[tuple[str, str], _SplitFiles] = {}

    def of(self, config: str, split: str) -> _SplitFiles:
        files = self.open.get((config, split))
        if files is None:
            folder = self.folder / split
            folder.mkdir(exist_ok=True)
            files = self.open[(config, split)] = _SplitFiles(folder, config)
        return files

    def flush(self) -> None:
        for files in self.open.values():
            files.flush()

    def close(self) -> dict[str, Path]:
        """Close every file; their release paths -> temporary paths."""
        out = {}
        for (config, split), files in sorted(self.open.items()):
            files.close()
            for ext, path in files.paths.items():
                out[release_format.data_path(config, split, ext)] = path
        return out

    def hashed(self) -> dict[Path, tuple[str, int]]:
        """The SHA-256 and size of each file hashed as it was written, by temporary path."""
        return {
            files.paths[ext]: (text.digest.hexdigest(), text.size)
            for files in self.open.values()
            for ext, text in (("jsonl", files.jsonl), ("csv", files.csv_file))
        }


# --- the read ---------------------------------------------------------------------------


class _Read:
    """Everything the release's read gathers besides the files: counts, agreement input."""

    def __init__(self) -> None:
        self.total = 0
        self.rows = 0
        self.skipped = 0
        self.gold_per_label: Counter = Counter()
        self.labels_per_label: Counter = Counter()
        self.annotators: Counter = Counter()
        self.articles: dict[int, dict] = {}
        self.split_rows: Counter = Counter()
        self.split_gold: dict[str, Counter] = {s: Counter() for s in release_format.SPLITS}
        self.config_rows: dict[str, Counter] = {c: Counter() for c in release_format.CONFIGS}
        # Agreement input: one entry per label of a sentence (not a heading).
        self.unit = array("q")
        self.coder = array("q")
        self.value = array("q")
        self.coders: dict[str, int] = {}
        self.label_keys: list[str] = []
        self.meta: dict[str, Any] = {}
        # The read's transaction is its own snapshot (not a caller's), which other
        # connections may share.
        self.own_snapshot = False


def _sentences_filter(release: Release) -> Q:
    """The sentences of the articles a release may hold (labeled or not: see ``_read_rows``)."""
    articles = releasable_articles(corpus=release.corpus, article_ids=release.article_ids)
    return Q(article__in=articles.values("pk"))


def _articles_with_rows(release: Release) -> list[int]:
    articles = releasable_articles(corpus=release.corpus, article_ids=release.article_ids)
    with_gold = GoldLabel.objects.filter(sentence__article__in=articles.values("pk"))
    ids = set(with_gold.values_list("sentence__article_id", flat=True).distinct())
    if release.contents == Release.Contents.ALL:
        labeled = Annotation.objects.filter(sentence__article__in=articles.values("pk"))
        ids |= set(labeled.values_list("sentence__article_id", flat=True).distinct())
    return sorted(ids)


def _read(
    release: Release,
    files: _Files,
    names: _Names,
    *,
    chunk_size: int,
    progress: Callable[[int, int], None],
    stop: threading.Event,
    in_sql: bool,
) -> _Read:
    """Read the release's rows and write them to ``files``, in one transaction."""
    read = _Read()
    vendor = connection.vendor
    read_rows = _read_rows_sql if in_sql and vendor == "postgresql" else _read_rows
    if connection.in_atomic_block:
        # Inside an outer transaction (tests): it is one snapshot already.
        read_rows(release, files, read, names, chunk_size=chunk_size, progress=progress, stop=stop)
    elif vendor == "postgresql":
        with transaction.atomic():
            dataset_sql.snapshot_begin()
            read.own_snapshot = True
            read_rows(
                release, files, read, names, chunk_size=chunk_size, progress=progress, stop=stop
            )
    else:
        # SQLite: a deferred read transaction is one snapshot in WAL mode and,
        # unlike Django's IMMEDIATE transactions, does not lock writers out.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
            try:
                read_rows(
                    release, files, read, names, chunk_size=chunk_size, progress=progress, stop=stop
                )
            finally:
                cursor.execute("ROLLBACK")
    return read


def _read_rows(
    release: Release,
    files: _Files,
    read: _Read,
    names: _Names,
    *,
    chunk_size: int,
    progress: Callable[[int, int], None],
    stop: threading.Event,
) -> None:
    corpus = release.corpus
    splits = article_splits(corpus=corpus)
    sentences = _sentences_filter(release)
    # Progress counts the sentences read (labeled or not): the chunks walk all of them.
    read.total = Sentence.objects.filter(article__corpus_id=corpus.pk).filter(sentences).count()
    progress(0, read.total)
    read.label_keys = list(Label.objects.filter(corpus=corpus).values_list("key", flat=True))
    label_index = {key: i for i, key in enumerate(read.label_keys)}
    with_labels = release.contents == Release.Contents.ALL
    scope = DatasetScope(user_id=0, see_all=frozenset({corpus.pk}), own_only=frozenset())
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    processed = 0
    for rows, articles, labels_of, spans in dataset_chunks(
        corpus_id=corpus.pk, scope=scope, chunk_size=chunk_size, sentences=sentences, fields=FIELDS
    ):
        if stop.is_set():
            raise BuildStopped()
        for row in rows:
            pk, index, text, start, end, paragraph, kind, article_id = row[:8]
            g_label, g_origin, g_by, g_note, g_source, g_at = row[GOLD_COLUMNS]
            if g_label is None and (not with_labels or pk not in labels_of):
                continue  # nothing this release holds is on this sentence
            split = splits.get(article_id)
            if split is None:
                # An article created after the splits were drawn: the next release has it.
                read.skipped += 1
                continue
            anns = [(a[0], names(a[1]), *a[2:]) for a in labels_of.get(pk, ())]
            gold_by = names(g_by) if g_by else None
            article = articles[article_id]
            shaped: dict[str, Any] = dict(
                dataset_row(row, article, anns, show_gold=True, utf16=spans[pk])
            )
            # Machine suggestions are not labels: a release holds people's labels
            # (docs/architecture.md, invariant 8); ``suggested_by`` says which
            # suggestion a person accepted.
            shaped.pop("suggestions", None)
            for ann in shaped["annotations"]:
                ann["origin"] = "human"
            if shaped["gold"] is not None:
                shaped["gold"]["decided_by"] = gold_by
            shaped["split"] = split
            start16, end16 = spans[pk]
            head = [
                row[8], article_id, article[1], article[2], article[3], article[4], article[5],
                pk, index, start, end, start16, end16, paragraph, kind, text, split,
            ]  # fmt: skip
            gold = [g_label, g_origin, gold_by, g_at, g_note, g_source]
            if g_label is None:
                gold = [None] * 6
            stats = read.articles.get(article_id)
            if stats is None:
                stats = read.articles[article_id] = {
                    "id": article_id,
                    "title": article[1],
                    "outlet": article[3],
                    "url": bool(article[4]),
                    "published_on": article[5],
                    "split": split,
                    "rows": 0,
                    "gold": 0,
                    "annotations": 0,
                }
            stats["rows"] += 1
            read.rows += 1
            read.split_rows[split] += 1
            if g_label is not None:
                stats["gold"] += 1
                read.gold_per_label[g_label] += 1
                read.split_gold[split][g_label] += 1
                files_of = files.of("gold", split)
                jsonl_row = {k: v for k, v in shaped.items() if k != "annotations"}
                files_of.jsonl.write(dumps(jsonl_row) + "\n")
                files_of.csv.writerow(csv_cells((*head, *gold)))
                files_of.pending.append((*head, *gold))
                files_of.rows += 1
                read.config_rows["gold"][split] += 1
            for ann in anns:
                stats["annotations"] += 1
                read.labels_per_label[ann[2]] += 1
                read.annotators[ann[1]] += 1
                # Agreement counts sentences of two labels or more: the others are not
                # kept, so its input grows with the labels that pair, not with the corpus.
                if kind == Sentence.Kind.SENTENCE and len(anns) >= 2:
                    read.unit.append(pk)
                    read.coder.append(read.coders.setdefault(ann[1], len(read.coders)))
                    read.value.append(label_index.get(ann[2], 0))
            if with_labels:
                files_of = files.of("labels", split)
                files_of.jsonl.write(dumps(shaped) + "\n")
                ann_values = [
                    {
                        "annotator": a[1],
                        "label": a[2],
                        "note": a[3],
                        "source": a[4],
                        "guideline_version": a[5],
                        "updated_at": a[6],
                        "origin": "human",
                        "suggested_by": a[7] if len(a) > 7 else None,
                    }
                    for a in anns
                ]
                files_of.pending.append((*head, ann_values, *gold))
                cells = csv_cells(head)
                gold_cells = csv_cells(gold)
                for a in anns:
                    ann_cells = csv_cells((*a[1:6], release_format.iso(a[6])))
                    suggested = csv_cells((a[7] if len(a) > 7 else None,))
                    files_of.csv.writerow([*cells, *ann_cells, "human", *suggested, *gold_cells])
                if not anns:
                    files_of.csv.writerow([*cells, *[""] * 8, *gold_cells])
                files_of.rows += 1
                read.config_rows["labels"][split] += 1
        files.flush()
        processed += len(rows)
        progress(processed, read.total)
    read.meta = _collection(release)


def _read_rows_sql(
    release: Release,
    files: _Files,
    read: _Read,
    names: _Names,
    *,
    chunk_size: int,
    progress: Callable[[int, int], None],
    stop: threading.Event,
) -> None:
    """``_read_rows`` on PostgreSQL: the rows' text built by the database (``releases.sql``),
    the Parquet files and the counts from columns; the bytes that ``_read_rows`` writes."""
    corpus = release.corpus
    sentences = _sentences_filter(release)
    read.total = Sentence.objects.filter(article__corpus_id=corpus.pk).filter(sentences).count()
    progress(0, read.total)
    read.label_keys = list(Label.objects.filter(corpus=corpus).values_list("key", flat=True))
    with_labels = release.contents == Release.Contents.ALL
    with connection.cursor() as cursor, _without_cycle_collector():
        chunk = {
            "corpus_id": corpus.pk,
            "article_ids": release.article_ids,
            "with_labels": with_labels,
            "names": names.of_users(release_sql.people(cursor, corpus_id=corpus.pk)),
        }
        if read.own_snapshot:
            # A second connection on this snapshot reads the next chunk while this
            # thread writes the last one: the database and Python work side by side.
            # (closing: a failed write stops the reading thread before its connection goes.)
            with (
                dataset_sql.snapshot_readers(1) as (reader,),
                reader.cursor() as reader_cursor,
                closing(_ahead(_chunks(reader_cursor, chunk, size=chunk_size), stop)) as chunks,
            ):
                _write_chunks(release, files, read, chunks, chunk_size, progress, stop)
        else:
            in_turn = _chunks(cursor, chunk, size=chunk_size)
            _write_chunks(release, files, read, in_turn, chunk_size, progress, stop)
    read.meta = _collection(release)


_Chunk = tuple[list[tuple], list[tuple], bool]


@contextmanager
def _without_cycle_collector() -> Iterator[None]:
    """Python's cycle collector off while the chunks are read and written.

    Their rows are tuples of strings and numbers, freed by reference counting as
    each chunk goes; the collector's passes over every object of the process,
    set off by those many tuples, took 30% of the build's CPU time
    (bench/release.py). It is turned back on (if it was on) at the end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _chunks(cursor, chunk: dict, *, size: int) -> Iterator[_Chunk]:
    """(sentence rows, annotation rows, whether it is the last) of each keyset chunk."""
    after = 0
    while after < dataset_sql.LAST_ID:
        end = dataset_sql.chunk_end(cursor, corpus_id=chunk["corpus_id"], after=after, size=size)
        upto = dataset_sql.LAST_ID if end is None else end
        rows = release_sql.sentence_rows(cursor, after=after, upto=upto, **chunk)
        labels = release_sql.annotation_rows(cursor, after=after, upto=upto, **chunk)
        yield rows, labels, end is None
        after = upto


def _ahead(chunks: Iterator[_Chunk], stop: threading.Event) -> Generator[_Chunk, None, None]:
    """``chunks``, each read on a thread of its own while the one before is written."""
    ready: queue.Queue = queue.Queue(maxsize=1)
    done = threading.Event()

    def put(item: object) -> bool:
        while not (done.is_set() or stop.is_set()):
            try:
                ready.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in chunks:
                if not put(item):
                    return
            put(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the writing thread, which raises it
            put(exc)

    thread = threading.Thread(target=run, name="release-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        done.set()
        thread.join(30)


def _write_chunks(
    release: Release,
    files: _Files,
    read: _Read,
    chunks: Iterator[_Chunk],
    chunk_size: int,
    progress: Callable[[int, int], None],
    stop: threading.Event,
) -> None:
    """Write each chunk; progress counts the sentences walked (``chunk_size`` a chunk)."""
    with_labels = release.contents == Release.Contents.ALL
    processed = 0
    for rows, labels, last in chunks:
        if stop.is_set():
            raise BuildStopped()
        _write_chunk(release, files, read, rows, labels, with_labels=with_labels)
        processed = read.total if last else min(processed + chunk_size, read.total)
        progress(processed, read.total)


_S = {name: i for i, name in enumerate(release_sql.SentenceRow._fields)}
_A = {name: i for i, name in enumerate(release_sql.AnnotationRow._fields)}


def _write_chunk(
    release: Release,
    files: _Files,
    read: _Read,
    rows: list[tuple],
    labels: list[tuple],
    *,
    with_labels: bool,
) -> None:
    """One chunk of ``releases.sql`` rows: its lines, its Parquet row groups, its counts."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if any(row[_S["split"]] is None for row in rows):
        # Articles created after the splits were drawn: the next release has them.
        kept = [row for row in rows if row[_S["split"]] is not None]
        read.skipped += len(rows) - len(kept)
        rows = kept
    if not rows:
        return
    c = list(zip(*rows, strict=True))
    a = list(zip(*labels, strict=True)) or [()] * len(_A)
    sentence_ids, article_ids, splits = c[_S["sentence_id"]], c[_S["article_id"]], c[_S["split"]]
    gold_labels = c[_S["gold_label"]]
    start16, end16 = _utf16(article_ids, c[_S["start"]], c[_S["end"]])

    # What the datasheet and the agreement count.
    read.rows += len(rows)
    read.split_rows.update(splits)
    gold_per_article = Counter(
        aid for aid, g in zip(article_ids, gold_labels, strict=True) if g is not None
    )
    for split, label in zip(splits, gold_labels, strict=True):
        if label is not None:
            read.split_gold[split][label] += 1
    read.gold_per_label.update(label for label in gold_labels if label is not None)
    rows_per_article = Counter(article_ids)
    labels_per_article = Counter(a[_A["article_id"]])
    last_row = dict(zip(article_ids, range(len(rows)), strict=True))
    for article_id, i in last_row.items():
        stats = read.articles.get(article_id)
        if stats is None:
            stats = read.articles[article_id] = {
                "id": article_id,
                "title": c[_S["title"]][i],
                "outlet": c[_S["outlet"]][i],
                "url": bool(c[_S["source_url"]][i]),
                "published_on": c[_S["published_on"]][i],
                "split": splits[i],
                "rows": 0,
                "gold": 0,
                "annotations": 0,
            }
        stats["rows"] += rows_per_article[article_id]
        stats["gold"] += gold_per_article[article_id]
        stats["annotations"] += labels_per_article[article_id]
    read.labels_per_label.update(a[_A["label"]])
    read.annotators.update(a[_A["annotator"]])
    label_index = {key: i for i, key in enumerate(read.label_keys)}
    coders, sentence_kind = read.coders, Sentence.Kind.SENTENCE.value
    # A chunk holds whole sentences: its count of a sentence's labels is all of them.
    labels_of_sentence = Counter(a[_A["sentence_id"]])
    for sentence_id, name, label, kind in zip(
        a[_A["sentence_id"]], a[_A["annotator"]], a[_A["label"]], a[_A["kind"]], strict=True
    ):
        if kind == sentence_kind and labels_of_sentence[sentence_id] >= 2:
            read.unit.append(sentence_id)
            read.coder.append(coders.setdefault(name, len(coders)))
            read.value.append(label_index.get(label, 0))

    # The Parquet rows of the whole chunk, then each split's (and gold's) by a filter.
    when = pa.timestamp("us", tz="UTC")
    schema = release_format.parquet_schema("labels")
    head = [
        pa.array([release.corpus.slug] * len(rows), pa.string()),
        *(pa.array(c[_S[name]], schema.field(column).type) for name, column in _HEAD_COLUMNS),
    ]
    head[11:11] = [pa.array(start16, pa.int64()), pa.array(end16, pa.int64())]
    gold = [
        pa.array(c[_S["gold_label"]], pa.string()),
        pa.array(c[_S["gold_origin"]], pa.string()),
        pa.array(c[_S["gold_decided_by"]], pa.string()),
        pa.array(c[_S["gold_decided_at_us"]], pa.int64()).cast(when),
        pa.array(c[_S["gold_note"]], pa.string()),
        pa.array(c[_S["gold_source"]], pa.string()),
    ]
    annotations = None
    if with_labels:
        annotation_type = schema.field("annotations").type
        struct = pa.StructArray.from_arrays(
            [
                pa.array(a[_A["annotator"]], pa.string()),
                pa.array(a[_A["label"]], pa.string()),
                pa.array(a[_A["note"]], pa.string()),
                pa.array(a[_A["source"]], pa.string()),
                pa.array(a[_A["guideline_version"]], pa.int64()),
                pa.array(a[_A["updated_at_us"]], pa.int64()).cast(when),
                pa.array(["human"] * len(labels), pa.string()),
                pa.array(a[_A["suggested_by"]], pa.string()),
            ],
            fields=list(annotation_type.value_type),
        )
        # Both statements order by sentence id: each sentence's labels start where
        # the first label of a later sentence would go.
        offsets = np.searchsorted(
            np.array(a[_A["sentence_id"]], dtype=np.int64),
            np.array(sentence_ids, dtype=np.int64),
        )
        offsets = np.append(offsets, len(labels)).astype(np.int32)
        annotations = pa.ListArray.from_arrays(pa.array(offsets), struct, type=annotation_type)

    # The text: each row's pieces joined around the UTF-16 offsets, by split.
    slug = release.corpus.slug
    json_start = '{"corpus":' + json.dumps(slug, ensure_ascii=False)
    csv_start = csv_cells((slug,))[0] + ","
    if any(ch in csv_start for ch in '"\n'):  # pragma: no cover - a slug is [-a-z0-9_]
        raise ValueError("a corpus slug that a CSV cell must quote")
    # Each sentence's labels as the JSON list's items and CSV cells (in username order).
    json_of: dict[int, str] = {}
    csv_of: dict[int, list[str]] = {}
    for sentence_id, ann_json, ann_csv in zip(
        a[_A["sentence_id"]], a[_A["json"]], a[_A["csv"]], strict=True
    ):
        if sentence_id in json_of:
            json_of[sentence_id] += "," + ann_json
            csv_of[sentence_id].append(ann_csv)
        else:
            json_of[sentence_id] = ann_json
            csv_of[sentence_id] = [ann_csv]
    json_lines: dict[str, list[str]] = {split: [] for split in set(splits)}
    csv_lines: dict[str, list[str]] = {split: [] for split in set(splits)}
    gold_json: dict[str, list[str]] = {split: [] for split in set(splits)}
    gold_csv: dict[str, list[str]] = {split: [] for split in set(splits)}
    for sentence_id, split, label, s16, e16, j_head, j_kind, j_tail, c_head, c_mid, c_gold in zip(
        sentence_ids, splits, gold_labels, start16, end16,
        c[_S["json_head"]], c[_S["json_kind"]], c[_S["json_tail"]],
        c[_S["csv_head"]], c[_S["csv_middle"]], c[_S["csv_gold"]],
        strict=True,
    ):  # fmt: skip
        json_head = f'{json_start}{j_head},"start_utf16":{s16},"end_utf16":{e16}{j_kind}'
        csv_head = f"{csv_start}{c_head},{s16},{e16},{c_mid},"
        if label is not None:
            gold_json[split].append(f"{json_head}{j_tail}\n")
            gold_csv[split].append(f"{csv_head}{c_gold}\n")
        if with_labels:
            j_anns = json_of.get(sentence_id, "")
            json_lines[split].append(f'{json_head},"annotations":[{j_anns}]{j_tail}\n')
            csv_tail = f",{c_gold}\n"
            for cells in csv_of.get(sentence_id, _NO_ANNOTATION):
                csv_lines[split].append(f"{csv_head}{cells}{csv_tail}")

    table = pa.Table.from_arrays(
        [*head, *gold], names=[f.name for f in release_format.parquet_schema("gold")]
    )
    split_array = head[16]
    has_gold = pc.is_valid(gold[0])
    for split in sorted(set(splits)):
        in_split = pc.equal(split_array, split)
        if gold_json[split]:
            files_of = files.of("gold", split)
            files_of.jsonl.write("".join(gold_json[split]))
            files_of.csv_file.write("".join(gold_csv[split]))
            files_of.write_columns(table.filter(pc.and_(in_split, has_gold)).columns)
            files_of.rows += len(gold_json[split])
            read.config_rows["gold"][split] += len(gold_json[split])
        if with_labels:
            files_of = files.of("labels", split)
            files_of.jsonl.write("".join(json_lines[split]))
            files_of.csv_file.write("".join(csv_lines[split]))
            part = table.filter(in_split).columns
            files_of.write_columns([*part[:17], pc.filter(annotations, in_split), *part[17:]])
            files_of.rows += len(json_lines[split])
            read.config_rows["labels"][split] += len(json_lines[split])


# Eight empty cells: the CSV line of a labeled-config row without labels (gold only).
_NO_ANNOTATION = ("," * 7,)
# The Parquet columns taken as they come from ``releases.sql`` (corpus before them,
# the UTF-16 offsets between sentence_end and sentence_paragraph).
_HEAD_COLUMNS = [
    ("article_id", "article_id"),
    ("title", "article_title"),
    ("author", "article_author"),
    ("outlet", "article_outlet"),
    ("source_url", "article_source_url"),
    ("published_on", "article_published_on"),
    ("sentence_id", "sentence_id"),
    ("index", "sentence_index"),
    ("start", "sentence_start"),
    ("end", "sentence_end"),
    ("paragraph", "sentence_paragraph"),
    ("kind", "sentence_kind"),
    ("text", "sentence_text"),
    ("split", "split"),
]


def _utf16(
    article_ids: tuple[int, ...], starts: tuple[int, ...], ends: tuple[int, ...]
) -> tuple[list[int], list[int]]:
    """The sentences' start and end offsets in UTF-16 code units: the code point offsets,
    but in the articles that hold a character outside the Basic Multilingual Plane."""
    start16, end16 = list(starts), list(ends)
    astral = astral_articles(article_ids=article_ids)
    if astral:
        rows = [i for i, aid in enumerate(article_ids) if aid in astral]
        by_article: dict[int, list[int]] = {}
        for i in rows:
            by_article.setdefault(article_ids[i], []).append(i)
        for article_id, indexes in by_article.items():
            offsets = utf16_offsets(
                astral[article_id], (o for i in indexes for o in (starts[i], ends[i]))
            )
            for k, i in enumerate(indexes):
                start16[i], end16[i] = offsets[2 * k], offsets[2 * k + 1]
    return start16, end16


def _collection(release: Release) -> dict:
    """How the articles came in: import dates, segmenter versions, guideline texts."""
    articles = releasable_articles(corpus=release.corpus, article_ids=release.article_ids)
    dates = articles.aggregate(first=Min("created_at"), last=Max("created_at"))
    segmenters = sorted(set(articles.values_list("segmenter_version", flat=True).distinct()) - {""})
    guidelines = [
        {"version": v, "text": text, "created_at": created.date().isoformat()}
        for v, text, created in GuidelineVersion.objects.filter(corpus=release.corpus)
        .order_by("version")
        .values_list("version", "text", "created_at")
    ]
    if not guidelines:
        corpus = release.corpus
        guidelines = [
            {"version": corpus.guidelines_version, "text": corpus.guidelines, "created_at": "—"}
        ]
    return {
        "first_import": dates["first"].date().isoformat() if dates["first"] else "—",
        "last_import": dates["last"].date().isoformat() if dates["last"] else "—",
        "segmenters": segmenters,
        "guidelines": guidelines,
    }


def _read_with_progress(
    release: Release,
    files: _Files,
    names: _Names,
    *,
    chunk_size: int,
    after_chunk: Callable[[int], None] | None = None,
    in_sql: bool = True,
) -> _Read:
    """Run the read on its own thread (its own connection, its own transaction) while
    this thread writes the progress the page polls; in an outer transaction, inline."""
    stop = threading.Event()
    state = {"processed": 0, "total": 0}

    def progress(processed: int, total: int) -> None:
        state["processed"], state["total"] = processed, total
        if after_chunk is not None and processed:
            after_chunk(processed)

    if connection.in_atomic_block:
        read = _read(
            release,
            files,
            names,
            chunk_size=chunk_size,
            progress=progress,
            stop=stop,
            in_sql=in_sql,
        )
        Release.objects.filter(pk=release.pk).update(processed=read.total, total=read.total)
        return read
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["read"] = _read(
                release,
                files,
                names,
                chunk_size=chunk_size,
                progress=progress,
                stop=stop,
                in_sql=in_sql,
            )
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread, which raises it
            outcome["error"] = exc
        finally:
            connection.close()

    reader = threading.Thread(target=run, name=f"release-{release.pk}", daemon=True)
    reader.start()
    shown = (-1, -1)
    try:
        while reader.is_alive():
            reader.join(PROGRESS_EVERY_SECONDS)
            now = (state["processed"], state["total"])
            if now != shown:
                Release.objects.filter(pk=release.pk, status=Release.Status.RUNNING).update(
                    processed=now[0], total=now[1]
                )
                shown = now
    except BaseException:
        stop.set()
        reader.join(30)
        raise
    if "error" in outcome:
        raise outcome["error"]
    return outcome["read"]


# --- after the read ---------------------------------------------------------------------


def _agreement(read: _Read) -> dict:
    if not read.unit:
        return {"alpha": None, "percent_agreement": None, "pairable_units": 0, "pairs": []}
    # Only sentences with two labels or more count (alpha, percent agreement and every
    # pair's kappa are over those): the others are left out before the figures are
    # made, which took 150 MB for 1,000,000 sentences of one label each.
    all_units = np.frombuffer(read.unit, dtype=np.int64)
    _, inverse, labels = np.unique(all_units, return_inverse=True, return_counts=True)
    pairable = labels[inverse] >= 2
    del inverse, labels
    units, unit = np.unique(all_units[pairable], return_inverse=True)
    ratings = Ratings(
        unit=unit.astype(np.int64),
        coder=np.frombuffer(read.coder, dtype=np.int64)[pairable],
        value=np.frombuffer(read.value, dtype=np.int64)[pairable],
        n_units=len(units),
        n_coders=len(read.coders),
        n_values=max(len(read.label_keys), 1),
    )
    summary = agreement_summary(ratings)
    coders = {i: name for name, i in read.coders.items()}
    pairs = [{**p, "a": coders[p["a"]], "b": coders[p["b"]]} for p in summary["pairs"]]
    return {
        "alpha": summary["alpha"],
        "percent_agreement": summary["percent_agreement"],
        "pairable_units": summary["pairable_units"],
        "pairs": pairs,
    }


def _info(release: Release, read: _Read, agreement: dict) -> dict:
    configs: dict[str, dict[str, int]] = {}
    for config in release_format.CONFIGS:
        splits = {s: read.config_rows[config][s] for s in release_format.SPLITS}
        splits = {s: n for s, n in splits.items() if n}
        if splits:
            configs[config] = splits
    outlets = Counter(a["outlet"] or "(none)" for a in read.articles.values())
    published = sorted(a["published_on"] for a in read.articles.values() if a["published_on"])
    per_article = sorted(read.articles.values(), key=lambda a: a["id"])
    composition = {
        "articles": len(read.articles),
        "gold_sentences": sum(read.gold_per_label.values()),
        "annotations": sum(read.labels_per_label.values()),
        "gold_per_label": dict(read.gold_per_label),
        "labels_per_label": dict(read.labels_per_label),
        "splits": {
            s: {
                "articles": sum(1 for a in per_article if a["split"] == s),
                "rows": read.split_rows[s],
                "gold_per_label": dict(read.split_gold[s]),
            }
            for s in release_format.SPLITS
        },
        "per_article": per_article,
    }
    return {
        "corpus": release.corpus.slug,
        "corpus_name": release.corpus.name,
        "name": release.name,
        "version": release.version,
        "description": release.description,
        "licence": release.licence,
        "citation": release.citation,
        "language": release.language,
        "released_on": (release.created_at or timezone.now()).date().isoformat(),
        "labels": read.label_keys,
        "rows": read.rows,
        "configs": configs,
        "contents_text": Release.Contents(release.contents).label,
        "show_usernames": release.show_usernames,
        "agreement": agreement,
        "annotators": [{"name": name, "labels": n} for name, n in sorted(read.annotators.items())],
        "composition": composition,
        "collection": {
            **read.meta,
            "outlets": sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0])),
            "with_url": sum(1 for a in per_article if a["url"]),
            "first_published": published[0].isoformat() if published else "—",
            "last_published": published[-1].isoformat() if published else "—",
        },
        "guidelines": read.meta["guidelines"],
    }


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _counts(read: _Read, agreement: dict, info: dict) -> dict:
    return {
        "rows": read.rows,
        "articles": len(read.articles),
        "gold": sum(read.gold_per_label.values()),
        "annotations": sum(read.labels_per_label.values()),
        "annotators": len(read.annotators),
        "skipped_without_split": read.skipped,
        "configs": info["configs"],
        "gold_per_label": dict(read.gold_per_label),
        "labels_per_label": dict(read.labels_per_label),
        "splits": {s: info["composition"]["splits"][s] for s in release_format.SPLITS},
        "agreement": {k: agreement[k] for k in ("alpha", "percent_agreement", "pairable_units")},
    }


def _build(
    release: Release,
    *,
    chunk_size: int,
    after_chunk: Callable[[int], None] | None = None,
    in_sql: bool = True,
) -> None:
    started = time.perf_counter()
    splits_assign(release=release, article_ids=_articles_with_rows(release))
    storage = release_storage()
    prefix = f"{release.corpus.slug}/{release.version}/{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory(prefix="release-") as tmp:
        folder = Path(tmp)
        files = _Files(folder)
        try:
            # The pseudonym key is written (once per corpus) before the read-only read.
            read = _read_with_progress(
                release,
                files,
                _Names(release),
                chunk_size=chunk_size,
                after_chunk=after_chunk,
                in_sql=in_sql,
            )
        finally:
            paths = files.close()
        hashed = files.hashed()
        agreement = _agreement(read)
        info = _info(release, read, agreement)
        documents = {
            "README.md": release_format.readme(info=info),
            "datasheet.md": release_format.datasheet(info=info),
            "CITATION.cff": release_format.citation_cff(info=info),
        }
        for name, text in documents.items():
            path = folder / name
            path.write_text(text, encoding="utf-8")
            paths[name] = path
        listed = {}
        for name, path in sorted(paths.items()):
            digest, size = hashed.get(path) or _sha256(path)
            listed[name] = {"sha256": digest, "bytes": size}
        manifest_path = folder / release_format.MANIFEST
        manifest_path.write_bytes(release_format.manifest(info=info, files=listed))
        paths[release_format.MANIFEST] = manifest_path
        saved = []
        try:
            for name, path in sorted(paths.items()):
                with path.open("rb") as fh:
                    stored = storage.save(f"{prefix}/{name}", File(fh, name=name))
                saved.append(stored)
                if stored != f"{prefix}/{name}":  # pragma: no cover - the prefix is new
                    raise RuntimeError(f"the storage renamed {name} to {stored}")
        except BaseException:
            for stored in saved:
                storage.delete(stored)
            raise
    manifest = json.loads(release_format.manifest(info=info, files=listed))
    finished = Release.objects.filter(pk=release.pk, status=Release.Status.RUNNING).update(
        status=Release.Status.DONE,
        storage_prefix=prefix,
        manifest=manifest,
        counts=_counts(read, agreement, info),
        processed=read.total,
        total=read.total,
        finished_at=timezone.now(),
        error="",
    )
    if not finished:
        # Another start of this build finished first (or it was given up): its files stand.
        for stored in saved:
            storage.delete(stored)
    log.info(
        "release %s of corpus %s: %s rows in %.1f s",
        release.version,
        release.corpus_id,
        read.rows,
        time.perf_counter() - started,
    )
