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
import hashlib
import json
import logging
import secrets
import tempfile
import threading
import time
import uuid
from array import array
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from articles.models import Annotation, GoldLabel, Sentence
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
from releases.models import PseudonymKey, Release
from releases.selectors import article_splits, releasable_articles
from releases.services.releases import release_claim
from releases.services.splits import splits_assign
from releases.storage import release_storage
from review.services.agreement import Ratings, agreement_summary

log = logging.getLogger(__name__)

CHUNK_SENTENCES = 2000
PROGRESS_EVERY_SECONDS = 0.5
FIELDS = SENTENCE_FIELDS


class BuildStopped(Exception):
    """The build's own thread was asked to stop (the task hit a limit)."""


def release_build(
    *,
    release_id: int,
    chunk_size: int | None = None,
    after_chunk: Callable[[int], None] | None = None,
) -> str:
    """Build (or build again) a release; its final status. Safe to call twice.

    ``after_chunk(sentences read so far)`` is called on the reading thread after
    each chunk (the tests write labels there, to see that they stay out).
    """
    if not release_claim(release_id=release_id):
        return "skipped"
    release = Release.objects.select_related("corpus").get(pk=release_id)
    _build(release, chunk_size=chunk_size or CHUNK_SENTENCES, after_chunk=after_chunk)
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


# --- the files --------------------------------------------------------------------------


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
        self.jsonl = self.paths["jsonl"].open("w", encoding="utf-8", newline="\n")
        self.csv_file = self.paths["csv"].open("w", encoding="utf-8", newline="")
        self.csv = csv.writer(self.csv_file, lineterminator="\n")
        self.csv.writerow(release_format.csv_columns(config))
        # This chunk's Parquet rows, as tuples in schema order (columns at flush).
        self.pending: list[tuple] = []
        self.rows = 0

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
) -> _Read:
    """Read the release's rows and write them to ``files``, in one transaction."""
    read = _Read()
    vendor = connection.vendor
    if connection.in_atomic_block:
        # Inside an outer transaction (tests): it is one snapshot already.
        _read_rows(release, files, read, names, chunk_size=chunk_size, progress=progress, stop=stop)
    elif vendor == "postgresql":
        with transaction.atomic():
            dataset_sql.snapshot_begin()
            _read_rows(
                release, files, read, names, chunk_size=chunk_size, progress=progress, stop=stop
            )
    else:
        # SQLite: a deferred read transaction is one snapshot in WAL mode and,
        # unlike Django's IMMEDIATE transactions, does not lock writers out.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
            try:
                _read_rows(
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
                if kind == Sentence.Kind.SENTENCE:
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
        read = _read(release, files, names, chunk_size=chunk_size, progress=progress, stop=stop)
        Release.objects.filter(pk=release.pk).update(processed=read.total, total=read.total)
        return read
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["read"] = _read(
                release, files, names, chunk_size=chunk_size, progress=progress, stop=stop
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
    units, unit = np.unique(np.frombuffer(read.unit, dtype=np.int64), return_inverse=True)
    ratings = Ratings(
        unit=unit.astype(np.int64),
        coder=np.frombuffer(read.coder, dtype=np.int64).copy(),
        value=np.frombuffer(read.value, dtype=np.int64).copy(),
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
    release: Release, *, chunk_size: int, after_chunk: Callable[[int], None] | None = None
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
                release, files, _Names(release), chunk_size=chunk_size, after_chunk=after_chunk
            )
        finally:
            paths = files.close()
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
            digest, size = _sha256(path)
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
