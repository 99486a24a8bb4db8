"""Whole-corpus export as JSONL, CSV or Parquet, streamed in constant memory.

docs/architecture.md, invariant 6: an export is a pure function of one
snapshot, in constant memory. Sentences are read in keyset chunks (by id,
``CHUNK_SENTENCES`` at a time) with their articles and annotations fetched
per chunk, so memory does not grow with the corpus; on PostgreSQL every
chunk is read inside one REPEATABLE READ, READ ONLY transaction, so all
chunks see the same snapshot even while people keep labeling. Ordering is by
sentence id, and annotations by annotator, so the same data always yields the
same bytes.

The CSV is meant to be opened in a spreadsheet, which runs a cell that starts
with ``=``, ``+``, ``-`` or ``@`` as a formula (OWASP, "CSV Injection"): there
every text cell goes through ``csv_cell``. JSONL and Parquet, read by programs,
keep every value as stored.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, Q
from django.db.models.functions import Cast

from annotator.foreground import foreground_read
from articles.models import Article
from corpora.models import Corpus
from datasets import sql
from datasets.selectors import (
    ANNOTATION_FIELDS,
    ARTICLE_FIELDS,
    GOLD_COLUMNS,
    DatasetScope,
    dataset_chunks,
    dataset_suggestions,
    iso,
    sentence_utf16_spans,
)

CHUNK_SENTENCES = 2000
# The first chunk of a JSONL export is smaller: its lines reach the client while
# the full-size chunks after it are built (a first chunk of 2,000 came after
# 140 ms on the side-by-side harness's machine; bench/README.md).
FIRST_CHUNK_SENTENCES = 250
GOLD_WIDTH = GOLD_COLUMNS.stop - GOLD_COLUMNS.start
# Database connections that build an export's JSON side by side (PostgreSQL).
EXPORT_READERS = 2

# OWASP's list of first characters that make a spreadsheet read a cell as a
# formula (or, for tab and carriage return, hide such a start), and the
# apostrophe itself, so that dropping one leading apostrophe always gives the
# stored value back.
CSV_FORMULA_STARTS = frozenset("=+-@\t\r'")

CSV_COLUMNS = [
    "corpus",
    "article_id",
    "article_title",
    "article_author",
    "article_outlet",
    "article_source_url",
    "article_published_on",
    "sentence_id",
    "sentence_index",
    "sentence_start",
    "sentence_end",
    "sentence_start_utf16",
    "sentence_end_utf16",
    "sentence_paragraph",
    "sentence_kind",
    "sentence_text",
    "annotator",
    "label",
    "note",
    "source",
    "guideline_version",
    "updated_at",
    "suggested_by",
    "gold_label",
    "gold_origin",
    "gold_decided_by",
    "gold_note",
    "gold_source",
    "gold_decided_at",
    "suggestions",
]


def csv_cell(value: str) -> str:
    """``value`` with an apostrophe in front if a spreadsheet would run it as a formula.

    Spreadsheets show such a cell as text and hide the apostrophe; every
    leading ``-`` counts, so a note "-5 points" reads "'-5 points" in the file.
    """
    if value and value[0] in CSV_FORMULA_STARTS:
        return "'" + value
    return value


def csv_cells(values) -> list:
    """``csv_cell`` of each text value, None as an empty cell, other values as they are.

    The test is inlined (no call per value): it runs for every exported line,
    where it costs about 1.5 µs against 2.7 µs for ``writerow`` itself.
    """
    starts = CSV_FORMULA_STARTS
    return [
        ("'" + v if v[:1] in starts else v) if isinstance(v, str) else ("" if v is None else v)
        for v in values
    ]


def jsonl_trailer(rows: int) -> bytes:
    """The JSONL export's last line: ``{"export":{"complete":true,"rows":N}}``.

    N counts the data lines before it. Its one key, ``export``, is in no data
    row (those start with ``corpus``), so a reader tells it apart; a file
    without it was cut short.
    """
    return b'{"export":{"complete":true,"rows":%d}}\n' % rows


def csv_trailer(lines: int) -> bytes:
    """The CSV export's last line: ``#export complete rows=N``, one cell.

    N counts the data lines between the header and it. No data line starts with
    ``#`` (the first cell is the corpus slug), so a reader drops the last line
    when it starts with ``#export``; a file without it was cut short.
    """
    return b"#export complete rows=%d\n" % lines


@contextmanager
def _snapshot():
    """One consistent snapshot for the whole export, where the database offers it.

    Yields whether the snapshot is the export's own (and so can be shared). The
    export is a foreground read meanwhile: background work (a suggestion training)
    steps aside until it ends (``annotator.foreground``).
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        # SQLite: its IMMEDIATE transactions would lock out writers for the
        # whole download. Inside an outer transaction (tests) it is one already.
        with foreground_read():
            yield False
        return
    with transaction.atomic():
        sql.snapshot_begin()
        with foreground_read():
            yield True


def _chunks(
    *,
    corpus_id: int,
    scope: DatasetScope,
    chunk_size: int,
    annotation_fields: tuple = ANNOTATION_FIELDS,
    after: int = 0,
    upto: int | None = None,
) -> Iterator[tuple]:
    """(sentence rows, articles, annotations, UTF-16 spans, suggestions) for each keyset
    chunk (``datasets.selectors.dataset_chunks`` and the chunk's suggestions). Archived
    articles stay out of every export; their labels are kept."""
    for rows, articles, labels_of, spans in dataset_chunks(
        corpus_id=corpus_id,
        scope=scope,
        chunk_size=chunk_size,
        sentences=Q(article__archived=False),
        annotation_fields=annotation_fields,
        after=after,
        upto=upto,
    ):
        yield rows, articles, labels_of, spans, dataset_suggestions(sentence_rows=rows)


# A JSONL line from its sentence on, as ``json.dumps(dataset_row(...))`` writes it
# (compact separators, keys in order). tests/datasets/test_export.py holds the two
# equal byte for byte (test_python_lines_are_json_dumps_of_the_dataset_rows).
_SENTENCE_LINE = (
    '%s,"sentence":{"id":%d,"index":%d,"text":%s,"start":%d,"end":%d,"start_utf16":%d,'
    '"end_utf16":%d,"paragraph":%d,"kind":%s},"annotations":[%s],"gold":%s,"suggestions":%s}'
)
_ANNOTATION = (
    '{"annotator":%s,"label":%s,"note":%s,"source":%s,"guideline_version":%d,'
    '"updated_at":"%s","suggested_by":%s}'
)
_GOLD = '{"label":%s,"origin":%s,"decided_by":%s,"note":%s,"source":%s,"decided_at":"%s"}'
# What json.dumps writes for a string with ensure_ascii=False (the C encoder's own function).
_string = json.encoder.encode_basestring
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


# The annotations' times as SQLite stores them (text), for ``iso_stored``: Django's
# converter and ``iso`` took 5 µs a label, a quarter of a SQLite export's time.
STORED_TIME_FIELDS = tuple(
    Cast(f, output_field=CharField()) if f == "updated_at" else f for f in ANNOTATION_FIELDS
)


def iso_stored(value: str) -> str:
    """``iso`` of a time as SQLite stores it, where the connection's time zone is UTC.

    Django writes ``YYYY-MM-DD HH:MM:SS.ffffff`` (UTC), or with ``+00:00`` after it
    when written through a cursor: those are rewritten as they stand. Any other form
    (no microseconds, another offset) goes through Django's converter and ``iso``.
    """
    if (
        value[10:11] == " "
        and value[19:20] == "."
        and (len(value) == 26 or (len(value) == 32 and value.endswith("+00:00")))
    ):
        return value[:10] + "T" + value[11:26] + "Z"
    return iso(connection.ops.convert_datetimefield_value(value, None, connection))


def jsonl_head(slug: str, article: tuple) -> str:
    """A JSONL line up to its sentence: the corpus and the article (a row of ARTICLE_FIELDS)."""
    published_on = article[5].isoformat() if article[5] else None
    fields = {
        "id": article[0],
        "title": article[1],
        "author": article[2],
        "outlet": article[3],
        "source_url": article[4],
        "published_on": published_on,
    }
    return '{"corpus":' + _string(slug) + ',"article":' + _compact(fields)


def jsonl_line(
    sentence: tuple,
    head: str,
    annotations: Iterable[tuple],
    *,
    show_gold: bool,
    utf16: tuple[int, int],
    suggestions: Iterable[tuple] = (),
    stamp: Callable[[Any], str] = iso,
) -> str:
    """``json.dumps(dataset_row(...))`` with the same arguments, the article given as its
    ``jsonl_head``, written from strings: no dicts, one encoder call per text.
    ``stamp`` writes the annotations' times (``iso``; ``iso_stored`` for stored text).

    About half the time per row of building the row's dicts and encoding them
    (8 against 15 µs for a sentence with one label), the rest mostly ``iso``.
    Timestamps and numbers need no escapes; ``suggestions`` go through the encoder
    whole (it writes their float scores).
    """
    text = _string
    g_label = sentence[GOLD_COLUMNS.start]
    if show_gold and g_label is not None:
        _, origin, decided_by, note, source, decided_at = sentence[GOLD_COLUMNS]
        gold = _GOLD % (
            text(g_label),
            text(origin),
            "null" if decided_by is None else text(decided_by),
            text(note),
            text(source),
            iso(decided_at),
        )
    else:
        gold = "null"
    labels = ",".join(
        [
            _ANNOTATION
            % (text(a[1]), text(a[2]), text(a[3]), text(a[4]), a[5], stamp(a[6]), text(a[7]))
            for a in annotations
        ]
    )
    return _SENTENCE_LINE % (
        head,
        sentence[0],
        sentence[1],
        text(sentence[2]),
        sentence[3],
        sentence[4],
        utf16[0],
        utf16[1],
        sentence[5],
        text(sentence[6]),
        labels,
        gold,
        _machine(suggestions, show_gold=show_gold),
    )


def _machine(suggestions: Iterable[tuple], *, show_gold: bool) -> str:
    """A line's ``suggestions``: (model, label, score) each, shown where gold is."""
    if not show_gold:
        return "null"
    if suggestions:
        return _compact([{"model": m, "label": lab, "score": sc} for m, lab, sc in suggestions])
    return "[]"


def _times_stored_in_utc() -> bool:
    """Whether times are stored as text in UTC, as ``iso_stored`` reads them (SQLite)."""
    return connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone_name == "UTC"


def _jsonl_python(
    *,
    corpus_id: int,
    scope: DatasetScope,
    chunk_size: int,
    after: int = 0,
    upto: int | None = None,
) -> Iterator[bytes]:
    """The lines of the sentences with ``after`` < id (<= ``upto``), built from ORM rows."""
    show_gold = corpus_id in scope.see_all
    stored = _times_stored_in_utc()
    for rows, articles, labels_of, spans, suggested in _chunks(
        corpus_id=corpus_id,
        scope=scope,
        chunk_size=chunk_size,
        annotation_fields=STORED_TIME_FIELDS if stored else ANNOTATION_FIELDS,
        after=after,
        upto=upto,
    ):
        # Each article's part of the line is written once per chunk, not once per sentence.
        slug = rows[0][8]
        heads = {article_id: jsonl_head(slug, article) for article_id, article in articles.items()}
        lines = [
            jsonl_line(
                row,
                heads[row[7]],
                labels_of.get(row[0], ()),
                show_gold=show_gold,
                utf16=spans[row[0]],
                suggestions=suggested.get(row[0], ()),
                stamp=iso_stored if stored else iso,
            )
            for row in rows
        ]
        lines.append("")
        yield "\n".join(lines).encode("utf-8")


def _chunk_sizes(chunk_size: int) -> Iterator[int]:
    """A JSONL export's chunk sizes: a small first one, then ``chunk_size`` each."""
    yield min(FIRST_CHUNK_SENTENCES, chunk_size)
    yield from itertools.repeat(chunk_size)


def _jsonl_sqlite(*, corpus_id: int, scope: DatasetScope, chunk_size: int) -> Iterator[bytes]:
    """The lines written by SQLite (``sql.sqlite_jsonl_rows``), with each article's part,
    the UTF-16 offsets and the suggestions added here. A chunk with a time SQLite does
    not store in the usual form is built the Python way, for the same bytes.

    About a fifth of the server's time of building every line from ORM rows
    (bench/api_export.py).
    """
    see_all = corpus_id in scope.see_all
    if scope.only_annotator is not None:  # pragma: no cover - exports take no annotator filter
        raise ValueError("the export has no annotator filter")
    slug = Corpus.objects.filter(pk=corpus_id).values_list("slug", flat=True).get()
    heads: dict[int, str] = {}  # each article's part of a line, for one chunk at a time
    after = 0
    sizes = _chunk_sizes(chunk_size)
    with connection.cursor() as cursor:
        while True:
            query = sql.SqliteChunkQuery(
                corpus_id=corpus_id,
                after=after,
                size=next(sizes),
                user_id=scope.user_id,
                all_labels=see_all,
                show_gold=see_all,
            )
            rows = sql.sqlite_jsonl_rows(cursor, query)
            if not rows:
                return
            upto = rows[-1].sentence_id
            if any(row.line_tail is None for row in rows):
                yield from _jsonl_python(
                    corpus_id=corpus_id, scope=scope, chunk_size=chunk_size, after=after, upto=upto
                )
                after = upto
                continue
            needed = {row.article_id for row in rows}
            heads = {aid: heads[aid] for aid in needed if aid in heads}
            missing = needed - heads.keys()
            if missing:
                for article in Article.objects.filter(pk__in=missing).values_list(*ARTICLE_FIELDS):
                    heads[article[0]] = jsonl_head(slug, article)
            spans = sentence_utf16_spans(sentences=rows)
            suggested = dataset_suggestions(sentence_rows=rows) if see_all else {}
            lines = []
            for row in rows:
                start16, end16 = spans[row.sentence_id]
                machine = _machine(suggested.get(row.sentence_id, ()), show_gold=see_all)
                lines.append(
                    f'{heads[row.article_id]}{row.line_head},"start_utf16":{start16},'
                    f'"end_utf16":{end16}{row.line_tail},"suggestions":{machine}}}'
                )
            lines.append("")
            yield "\n".join(lines).encode("utf-8")
            after = upto


def _jsonl_postgres(
    *, corpus_id: int, scope: DatasetScope, chunk_size: int, readers: int = 1
) -> Iterator[bytes]:
    """JSONL built by PostgreSQL; with ``readers`` > 1, by that many backends in parallel.

    Parallel reading shares the snapshot of the export's own transaction; inside
    an outer transaction (whose uncommitted rows other connections cannot see)
    the chunks are read one by one on this connection.
    """
    slug = Corpus.objects.filter(pk=corpus_id).values_list("slug", flat=True).get()
    see_all = corpus_id in scope.see_all
    if scope.only_annotator is not None:  # pragma: no cover - exports take no annotator filter
        raise ValueError("the export has no annotator filter")
    head = '{"corpus":' + json.dumps(slug, ensure_ascii=False) + ',"article":'

    def read(conn, after: int, upto: int) -> bytes | list[sql.JsonlRow] | None:
        """The chunk's lines as one UTF-8 text, written whole by the database; or, where an
        article holds a character outside the Basic Multilingual Plane, its rows (the
        UTF-16 offsets are then computed here)."""
        query = sql.ChunkQuery(
            corpus_id=corpus_id,
            after=after,
            upto=upto,
            user_id=scope.user_id,
            all_labels=see_all,
            show_gold=see_all,
        )
        whole = sql.jsonl_chunk(conn, query, head=head)
        if not whole.astral:
            return whole.text
        return sql.jsonl_rows(conn, query)

    # An article's JSON is rendered once per chunk at most, not once per
    # sentence. The sentences of articles segmented at the same time interleave
    # by id, so a chunk may need any number of articles, some also in the
    # previous chunk: each chunk keeps those it shares with the previous one and
    # fetches the rest by id, so memory holds one chunk's articles.
    articles: dict[int, str] = {}

    def render(cursor, rows: bytes | list[sql.JsonlRow]) -> bytes:
        nonlocal articles
        if isinstance(rows, bytes):
            return rows + b"\n"
        needed = {row.article_id for row in rows}
        articles = {aid: articles[aid] for aid in needed if aid in articles}
        missing = sorted(needed - articles.keys())
        if missing:
            for article in sql.articles_json(cursor, ids=missing):
                articles[article.article_id] = article.article_json
        spans = sentence_utf16_spans(
            sentences=[(row.sentence_id, row.article_id, row.start, row.end) for row in rows]
        )
        lines = []
        for row in rows:
            start16, end16 = spans[row.sentence_id]
            utf16 = f',"start_utf16":{start16},"end_utf16":{end16}'
            lines.append(head + articles[row.article_id] + row.line_head + utf16 + row.line_tail)
        lines.append("")
        return "\n".join(lines).encode("utf-8")

    sizes = _chunk_sizes(chunk_size)
    with connection.cursor() as cursor:
        if readers < 2:
            after = 0
            while True:
                upto = sql.chunk_end(cursor, corpus_id=corpus_id, after=after, size=next(sizes))
                chunk = read(cursor.connection, after, upto or sql.LAST_ID)
                if chunk:
                    yield render(cursor, chunk)
                if upto is None:
                    return
                after = upto
        with (
            sql.snapshot_readers_connecting(readers) as connecting,
            ThreadPoolExecutor(readers) as pool,
        ):
            pending: deque = deque()

            def read_on(reader: int, after: int, upto: int) -> bytes | list[sql.JsonlRow] | None:
                return read(connecting[reader].result(), after, upto)

            def ask() -> None:
                """Keep every reader on a chunk: chunk n goes to reader n % readers,
                which has finished chunk n - readers (taken from ``pending`` first)."""
                nonlocal after, n, last
                while not last and len(pending) < readers:
                    upto = sql.chunk_end(cursor, corpus_id=corpus_id, after=after, size=next(sizes))
                    last = upto is None
                    pending.append(pool.submit(read_on, n % readers, after, upto or sql.LAST_ID))
                    after, n = upto or sql.LAST_ID, n + 1

            # The first (small) chunk is read on this connection while the readers
            # connect: the first lines wait for no connection's start-up.
            upto = sql.chunk_end(cursor, corpus_id=corpus_id, after=0, size=next(sizes))
            after, n, last = upto or sql.LAST_ID, 0, upto is None
            first = read(cursor.connection, 0, after)
            ask()
            if first:
                yield render(cursor, first)
            while pending:
                chunk = pending.popleft().result()
                # The next chunk is asked for before this one is sent: while the client
                # reads it, every reader works (asked after, one reader sat idle).
                ask()
                if chunk:
                    yield render(cursor, chunk)


def export_jsonl(
    *, corpus_id: int, scope: DatasetScope, chunk_size: int | None = None
) -> Iterator[bytes]:
    """One JSON object per sentence and line; the same shape as the dataset listing.

    The last line is the trailer ``jsonl_trailer``: a stream cut short lacks it.
    """
    chunk_size = chunk_size or CHUNK_SENTENCES
    rows = 0
    with _snapshot() as own:
        if connection.vendor == "postgresql":
            readers = EXPORT_READERS if own else 1
            chunks = _jsonl_postgres(
                corpus_id=corpus_id, scope=scope, chunk_size=chunk_size, readers=readers
            )
        elif _times_stored_in_utc() and sql.sqlite_json_matches():
            chunks = _jsonl_sqlite(corpus_id=corpus_id, scope=scope, chunk_size=chunk_size)
        else:
            chunks = _jsonl_python(corpus_id=corpus_id, scope=scope, chunk_size=chunk_size)
        for chunk in chunks:
            rows += chunk.count(b"\n")
            yield chunk
    yield jsonl_trailer(rows)


def export_csv(
    *, corpus_id: int, scope: DatasetScope, chunk_size: int | None = None
) -> Iterator[bytes]:
    """One line per sentence and annotation (a sentence without labels: one line, blank).

    Text cells a spreadsheet would run as a formula are neutralised (``csv_cell``).
    """
    chunk_size = chunk_size or CHUNK_SENTENCES
    show_gold = corpus_id in scope.see_all
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    lines = 0
    with _snapshot():
        for rows, articles, labels_of, spans, suggested in _chunks(
            corpus_id=corpus_id, scope=scope, chunk_size=chunk_size
        ):
            safe_articles = {
                article_id: csv_cells((*article[:5], article[5].isoformat() if article[5] else ""))
                for article_id, article in articles.items()
            }
            no_gold = [""] * GOLD_WIDTH
            dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
            for row in rows:
                pk, index, text, start, end, paragraph, kind, article_id, slug = row[:9]
                head = [
                    csv_cell(slug),
                    *safe_articles[article_id],
                    pk,
                    index,
                    start,
                    end,
                    *spans[pk],
                    paragraph,
                    *csv_cells((kind, text)),
                ]
                gold = row[GOLD_COLUMNS] if show_gold and row[GOLD_COLUMNS.start] else None
                tail = [*csv_cells(gold[:-1]), iso(gold[-1])] if gold else no_gold
                # Machine suggestions in a cell of their own, as a JSON list.
                machine = (
                    csv_cell(
                        dumps(
                            [
                                {"model": m, "label": lab, "score": sc}
                                for m, lab, sc in suggested.get(pk, ())
                            ]
                        )
                    )
                    if show_gold and pk in suggested
                    else ""
                )
                labels = labels_of.get(pk)
                if not labels:
                    writer.writerow([*head, "", "", "", "", "", "", "", *tail, machine])
                for a in labels or ():
                    writer.writerow(
                        [*head, *csv_cells(a[1:6]), iso(a[6]), csv_cell(a[7]), *tail, machine]
                    )
                lines += len(labels) if labels else 1
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue().encode("utf-8")
    yield csv_trailer(lines)


class _Drain:
    """A write-only file that hands over what was written so far, for streaming."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.position = 0
        self.closed = False

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


def _parquet_schema():
    import pyarrow as pa

    text, integer = pa.string(), pa.int64()
    annotation = pa.struct(
        [
            ("annotator", text),
            ("label", text),
            ("note", text),
            ("source", text),
            ("guideline_version", integer),
            ("updated_at", pa.timestamp("us", tz="UTC")),
            ("suggested_by", text),
        ]
    )
    suggestion = pa.struct([("model", text), ("label", text), ("score", pa.float64())])
    return pa.schema(
        [
            ("corpus", text),
            ("article_id", integer),
            ("article_title", text),
            ("article_author", text),
            ("article_outlet", text),
            ("article_source_url", text),
            ("article_published_on", pa.date32()),
            ("sentence_id", integer),
            ("sentence_index", integer),
            ("sentence_start", integer),
            ("sentence_end", integer),
            ("sentence_start_utf16", integer),
            ("sentence_end_utf16", integer),
            ("sentence_paragraph", integer),
            ("sentence_kind", text),
            ("sentence_text", text),
            ("annotations", pa.list_(annotation)),
            ("gold_label", text),
            ("gold_origin", text),
            ("gold_decided_by", text),
            ("gold_note", text),
            ("gold_source", text),
            ("gold_decided_at", pa.timestamp("us", tz="UTC")),
            ("suggestions", pa.list_(suggestion)),
        ]
    )


def export_parquet(
    *, corpus_id: int, scope: DatasetScope, chunk_size: int | None = None
) -> Iterator[bytes]:
    """One row per sentence, annotations as a list of structs; one row group per chunk.

    Each row group is sent as soon as it is written, the footer at the end, so
    memory holds one chunk whatever the corpus size. A stream cut short has no
    footer (which holds the schema and the row count) and no closing ``PAR1``:
    Parquet readers refuse it, so it needs no trailer of its own.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    chunk_size = chunk_size or CHUNK_SENTENCES
    show_gold = corpus_id in scope.see_all
    schema = _parquet_schema()
    sink = _Drain()
    writer = pq.ParquetWriter(sink, schema, compression="zstd")
    with _snapshot():
        for rows, articles, labels_of, spans, suggested in _chunks(
            corpus_id=corpus_id, scope=scope, chunk_size=chunk_size
        ):
            columns: dict[str, list] = {name: [] for name in schema.names}
            for row in rows:
                pk, index, text, start, end, paragraph, kind, article_id, slug = row[:9]
                gold = row[GOLD_COLUMNS] if show_gold else (None,) * GOLD_WIDTH
                article = articles[article_id]
                values = [
                    slug, *article, pk, index, start, end, *spans[pk], paragraph, kind, text,
                    [
                        dict(zip(("annotator", "label", "note", "source",
                                  "guideline_version", "updated_at", "suggested_by"), a[1:],
                                 strict=True))
                        for a in labels_of.get(pk, ())
                    ],
                    *gold,
                    [
                        {"model": m, "label": lab, "score": sc}
                        for m, lab, sc in suggested.get(pk, ())
                    ] if show_gold else None,
                ]  # fmt: skip
                for name, value in zip(schema.names, values, strict=True):
                    columns[name].append(value)
            writer.write_table(pa.Table.from_pydict(columns, schema=schema))
            yield sink.take()
        writer.close()
        yield sink.take()
