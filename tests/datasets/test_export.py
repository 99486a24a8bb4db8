"""GET /api/corpora/{slug}/export.jsonl and .csv: streamed, complete, deterministic."""

from __future__ import annotations

import io

import pytest
from django.http import StreamingHttpResponse

from articles.services.annotations import annotation_set
from corpora.models import Label
from datasets.export import CSV_COLUMNS
from tests.datasets.readers import csv_rows, jsonl_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def labeled(article, annotator, reviewer):
    s1, s2 = article.sentences.filter(kind="sentence").order_by("index")[:2]
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    fact = Label.objects.get(corpus=article.corpus, key="sourced_fact")
    annotation_set(sentence=s1, annotator=annotator, label=claim, note='say "hi", ok')
    annotation_set(sentence=s1, annotator=reviewer, label=fact, source="Reuters")
    return s1, s2


def body(response) -> bytes:
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def test_jsonl_has_one_row_per_sentence_like_the_listing(client_for, owner, corpus, labeled):
    client = client_for(owner)
    response = client.get(f"/api/corpora/{corpus.slug}/export.jsonl")
    assert response["Content-Type"].startswith("application/x-ndjson")
    assert f'filename="{corpus.slug}.jsonl"' in response["Content-Disposition"]
    rows = jsonl_rows(body(response))
    listing = client.get(f"/api/datasets/sentences/?corpus={corpus.slug}&page_size=2000").json()
    assert rows == listing["results"]
    first = rows[[x["sentence"]["id"] for x in rows].index(labeled[0].pk)]
    assert [a["label"] for a in first["annotations"]] == ["claim", "sourced_fact"]


def test_same_data_same_bytes(client_for, owner, corpus, labeled):
    client = client_for(owner)
    url = f"/api/corpora/{corpus.slug}/export.jsonl"
    assert body(client.get(url)) == body(client.get(url))


def test_chunks_do_not_change_the_bytes(owner, corpus, labeled):
    from datasets.export import export_csv, export_jsonl
    from datasets.selectors import dataset_scope

    scope = dataset_scope(user=owner, corpus_id=corpus.pk)
    for export in (export_jsonl, export_csv):
        whole = b"".join(export(corpus_id=corpus.pk, scope=scope))
        small = b"".join(export(corpus_id=corpus.pk, scope=scope, chunk_size=1))
        assert whole == small


def test_csv_has_a_line_per_sentence_and_annotation(client_for, owner, corpus, article, labeled):
    response = client_for(owner).get(f"/api/corpora/{corpus.slug}/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    reader = csv_rows(body(response))
    assert list(reader[0]) == CSV_COLUMNS
    s1, s2 = labeled
    s1_rows = [r for r in reader if r["sentence_id"] == str(s1.pk)]
    assert [(r["annotator"], r["label"], r["note"], r["source"]) for r in s1_rows] == [
        ("anna", "claim", 'say "hi", ok', ""),
        ("rita", "sourced_fact", "", "Reuters"),
    ]
    s2_rows = [r for r in reader if r["sentence_id"] == str(s2.pk)]
    assert len(s2_rows) == 1 and s2_rows[0]["label"] == ""
    assert s2_rows[0]["sentence_text"] == s2.text
    assert len({r["sentence_id"] for r in reader}) == article.sentences.count()


def test_annotator_exports_only_their_own_labels(client_for, annotator, corpus, labeled):
    rows = jsonl_rows(body(client_for(annotator).get(f"/api/corpora/{corpus.slug}/export.jsonl")))
    names = {a["annotator"] for row in rows for a in row["annotations"]}
    assert names == {"anna"}


def test_empty_corpus_exports_nothing_but_the_csv_header_and_the_trailers(
    client_for, owner, corpus
):
    client = client_for(owner)
    jsonl = body(client.get(f"/api/corpora/{corpus.slug}/export.jsonl"))
    assert jsonl == b'{"export":{"complete":true,"rows":0}}\n'
    csv_body = body(client.get(f"/api/corpora/{corpus.slug}/export.csv")).decode()
    assert csv_body == ",".join(CSV_COLUMNS) + "\n#export complete rows=0\n"


def test_postgres_writes_the_same_bytes_as_python(owner, annotator, corpus, article, labeled):
    """The JSON built in PostgreSQL equals, byte for byte, the JSON built in Python."""
    from django.db import connection

    from articles.models import GoldLabel
    from datasets.export import _jsonl_postgres, _jsonl_python
    from datasets.selectors import dataset_scope

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    s1, s2 = labeled
    s2.text = 'Tricky: "quotes", back\\slash, tab\t, nul-free \u0001 control, ünïcödé 🚀'
    s2.save()
    GoldLabel.objects.create(
        sentence=s1,
        label=Label.objects.get(corpus=corpus, key="sourced_fact"),
        origin="adjudicated",
        decided_by=owner,
        note='Both "right", in part',
        source="https://example.org/report?a=1&b=ü",
    )
    for user in (owner, annotator):
        scope = dataset_scope(user=user, corpus_id=corpus.pk)
        for size in (1, 2000):
            sql = b"".join(_jsonl_postgres(corpus_id=corpus.pk, scope=scope, chunk_size=size))
            py = b"".join(_jsonl_python(corpus_id=corpus.pk, scope=scope, chunk_size=size))
            assert sql == py
            assert sql.count(b"\n") == article.sentences.count()


@pytest.mark.django_db(transaction=True)
def test_parallel_readers_share_one_snapshot_and_keep_the_order(client_for, owner, corpus, labeled):
    """Committed data, the export's own snapshot: two readers build alternate chunks."""
    from django.db import connection

    from datasets import export
    from datasets.export import _jsonl_python
    from datasets.selectors import dataset_scope

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    scope = dataset_scope(user=owner, corpus_id=corpus.pk)
    rows = b"".join(_jsonl_python(corpus_id=corpus.pk, scope=scope, chunk_size=2000))
    expected = rows + export.jsonl_trailer(rows.count(b"\n"))
    whole = b"".join(export.export_jsonl(corpus_id=corpus.pk, scope=scope, chunk_size=1))
    assert whole == expected
    response = client_for(owner).get(f"/api/corpora/{corpus.slug}/export.jsonl")
    assert body(response) == expected


def test_parquet_has_one_row_per_sentence_with_its_labels(client_for, owner, corpus, labeled):
    import pyarrow.parquet as pq

    client = client_for(owner)
    url = f"/api/corpora/{corpus.slug}/export.parquet"
    response = client.get(url)
    assert response["Content-Type"] == "application/vnd.apache.parquet"
    data = body(response)
    assert data == body(client.get(url))  # same data, same bytes
    table = pq.read_table(io.BytesIO(data))
    listing = client.get(f"/api/datasets/sentences/?corpus={corpus.slug}&page_size=2000").json()
    rows = table.to_pylist()
    assert [r["sentence_id"] for r in rows] == [x["sentence"]["id"] for x in listing["results"]]
    s1 = next(r for r in rows if r["sentence_id"] == labeled[0].pk)
    assert [(a["annotator"], a["label"], a["source"]) for a in s1["annotations"]] == [
        ("anna", "claim", ""),
        ("rita", "sourced_fact", "Reuters"),
    ]
    assert s1["sentence_text"] == labeled[0].text and s1["article_id"] == labeled[0].article_id


def test_parquet_streams_one_row_group_per_chunk(owner, corpus, labeled):
    import pyarrow.parquet as pq

    from datasets.export import export_parquet
    from datasets.selectors import dataset_scope

    scope = dataset_scope(user=owner, corpus_id=corpus.pk)
    parts = list(export_parquet(corpus_id=corpus.pk, scope=scope, chunk_size=2))
    assert len(parts) > 2 and all(parts[:-1])  # bytes leave with every row group
    meta = pq.ParquetFile(io.BytesIO(b"".join(parts))).metadata
    assert meta.num_row_groups == len(parts) - 1


def test_every_format_carries_the_gold_labels_source_note_reviewer_and_time(
    client_for, owner, corpus, labeled
):
    import datetime as dt

    import pyarrow.parquet as pq

    from articles.models import GoldLabel

    s1, s2 = labeled
    gold = GoldLabel.objects.create(
        sentence=s1,
        label=Label.objects.get(corpus=corpus, key="sourced_fact"),
        origin="adjudicated",
        decided_by=owner,
        note="=settled by the report",
        source="https://example.org/report",
    )
    at = gold.updated_at.astimezone(dt.UTC)
    at_text = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    client = client_for(owner)
    base = f"/api/corpora/{corpus.slug}/export"

    by_id = {r["sentence"]["id"]: r for r in jsonl_rows(body(client.get(base + ".jsonl")))}
    assert by_id[s1.pk]["gold"] == {
        "label": "sourced_fact",
        "origin": "adjudicated",
        "decided_by": "olivia",
        "note": "=settled by the report",
        "source": "https://example.org/report",
        "decided_at": at_text,
    }
    assert by_id[s2.pk]["gold"] is None

    lines = [r for r in csv_rows(body(client.get(base + ".csv"))) if r["sentence_id"] == str(s1.pk)]
    assert {
        (
            r["gold_label"],
            r["gold_decided_by"],
            r["gold_note"],
            r["gold_source"],
            r["gold_decided_at"],
        )
        for r in lines
    } == {
        ("sourced_fact", "olivia", "'=settled by the report", "https://example.org/report", at_text)
    }

    table = pq.read_table(io.BytesIO(body(client.get(base + ".parquet")))).to_pylist()
    row = next(r for r in table if r["sentence_id"] == s1.pk)
    assert (row["gold_source"], row["gold_note"], row["gold_decided_by"]) == (
        "https://example.org/report",
        "=settled by the report",
        "olivia",
    )
    assert row["gold_decided_at"] == at
    other = next(r for r in table if r["sentence_id"] == s2.pk)
    assert other["gold_source"] is None and other["gold_decided_at"] is None


# Texts that every JSON writer must escape alike: quotes, backslashes, control
# characters, newlines, line separators, and characters outside the Basic
# Multilingual Plane (two UTF-16 code units each, which move the UTF-16 offsets).
TRICKY_SENTENCES = (
    'Launch day 🚀 for "the app".',
    "A back\\slash, a tab\t and a bell \u0007 here.",
    "Two lines:\nstill one sentence 😀😀.",
    "Ünïcödé 𝕏 and \u2028 separators \u2029 \x7f.",
    "Plain words after astral ones.",
)


@pytest.fixture
def tricky(corpus, owner, annotator, reviewer):
    """Articles whose sentence ids alternate (one archived among them), labeled by
    several people, with gold labels (with and without a reviewer) and suggestions.

    Returns the ids of the sentences an export holds.
    """
    import datetime as dt

    from articles.models import Annotation, Article, GoldLabel, Sentence
    from articles.services.articles import article_create
    from suggestions.models import Suggestion, SuggestionModel

    def plain(title: str, count: int = 3) -> list[str]:
        return [f"Sentence {i} of {title} says nothing odd." for i in range(count)]

    specs = [
        (TRICKY_SENTENCES, {"title": '"Quoted" \\ title 🚀', "published_on": dt.date(2026, 3, 1)}),
        (plain("B"), {"title": "Plain", "author": "Line\nbreak", "outlet": "Tab\tOutlet"}),
        (plain("C"), {"title": "Archived"}),
        *[(plain(f"S{k}", 2), {"title": f"Small {k}", "source_url": f"https://example.org/{k}"})
          for k in range(4)],
    ]  # fmt: skip
    runs = []
    for parts, meta in specs:
        article = article_create(corpus=corpus, text=" ".join(parts), **meta)
        article.status = Article.Status.READY
        article.archived = meta["title"] == "Archived"
        article.save()
        start, run = 0, []
        for index, part in enumerate(parts):
            run.append(
                Sentence(
                    article=article,
                    index=index,
                    start=start,
                    end=start + len(part),
                    paragraph=index // 2,
                    kind="heading" if index == 0 and parts is not TRICKY_SENTENCES else "sentence",
                    text=part,
                )
            )
            start += len(part) + 1
        runs.append(run)
    # One row at a time, round robin: the articles' sentence ids alternate.
    sentences = []
    for turn in range(max(len(run) for run in runs)):
        for run in runs:
            if turn < len(run):
                Sentence.objects.bulk_create([run[turn]])
                sentences.append(run[turn])
    claim = Label.objects.get(corpus=corpus, key="claim")
    fact = Label.objects.get(corpus=corpus, key="sourced_fact")
    notes = ['say "hi"\nthen \\ leave 🚀', "\u0001control", "", "tab\there"]
    Annotation.objects.bulk_create(
        Annotation(
            sentence=s,
            annotator=user,
            label=(claim, fact)[(i + j) % 2],
            note=notes[(i + j) % len(notes)],
            source="https://example.org/a?b=1&c=\\d" if j == 1 else "",
            suggested_by="model v1" if i % 3 == 0 and j == 0 else "",
            guideline_version=1 + j,
        )
        for i, s in enumerate(sentences)
        for j, user in enumerate((annotator, reviewer, owner)[: 1 + i % 3])
    )
    GoldLabel.objects.create(
        sentence=sentences[0],
        label=fact,
        origin="adjudicated",
        decided_by=owner,
        note='Both "right"\nin part 😀',
        source="https://example.org/report?a=1&b=ü",
    )
    GoldLabel.objects.create(sentence=sentences[1], label=claim, origin="unanimous")
    done = SuggestionModel.objects.create(
        corpus=corpus, kind="external", name="tf-idf", version="1", status="done"
    )
    other = SuggestionModel.objects.create(
        corpus=corpus, kind="external", name="bert", version="2", status="done"
    )
    running = SuggestionModel.objects.create(
        corpus=corpus, kind="external", name="late", version="1", status="running"
    )
    for model, score in ((done, 1.0), (other, 0.0), (running, 0.5)):
        Suggestion.objects.create(sentence=sentences[0], model=model, label="claim", score=score)
    Suggestion.objects.create(sentence=sentences[2], model=done, label="sourced_fact", score=1e-7)
    Suggestion.objects.create(sentence=sentences[3], model=other, label="claim", score=0.123456789)
    return [s.pk for s in sentences if not s.article.archived]


@pytest.mark.parametrize("size", [1, 2, 3, 1000])
def test_python_lines_are_json_dumps_of_the_dataset_rows(owner, annotator, corpus, tricky, size):
    """The JSONL export writes each line from strings; every byte is the one
    ``json.dumps(dataset_row(...))`` writes, whoever reads, however it is chunked."""
    import json

    from django.db import connection

    from articles.models import Sentence
    from datasets.export import _jsonl_postgres, _jsonl_python, _jsonl_sqlite
    from datasets.selectors import dataset_rows, dataset_scope

    article_of = dict(Sentence.objects.filter(pk__in=tricky).values_list("pk", "article_id"))
    assert len({article_of[a] for a in tricky[:4]}) == 4  # consecutive ids, other articles
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for user in (owner, annotator):
        scope = dataset_scope(user=user, corpus_id=corpus.pk)
        rows = dataset_rows(sentence_ids=tricky, scope=scope)
        assert any(r["gold"] for r in rows) is (user == owner)
        expected = "".join(dumps(row) + "\n" for row in rows).encode()
        assert b"".join(_jsonl_python(corpus_id=corpus.pk, scope=scope, chunk_size=size)) == (
            expected
        )
        if connection.vendor == "postgresql":
            built = _jsonl_postgres(corpus_id=corpus.pk, scope=scope, chunk_size=size)
            assert b"".join(built) == expected
        if connection.vendor == "sqlite":
            built = _jsonl_sqlite(corpus_id=corpus.pk, scope=scope, chunk_size=size)
            assert b"".join(built) == expected
    assert b"\\u0007" in expected and "🚀".encode() in expected and b'\\"' in expected


@pytest.mark.parametrize("size", [1, 3, 1000])
def test_sqlite_lines_with_times_in_other_forms_are_the_same_bytes(owner, corpus, tricky, size):
    """Times SQLite holds in a form its statement does not rewrite (no microseconds,
    another offset) send their chunk the Python way: the same bytes, no label lost."""
    import json

    from django.db import connection

    from articles.models import Annotation, GoldLabel
    from datasets import sql
    from datasets.export import _jsonl_sqlite, export_jsonl
    from datasets.selectors import dataset_rows, dataset_scope

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's stored times")
    assert sql.sqlite_json_matches()
    labels = list(Annotation.objects.filter(sentence_id__in=tricky).order_by("pk"))
    gold = GoldLabel.objects.filter(sentence_id__in=tricky).order_by("pk").first()
    with connection.cursor() as cursor:
        for table, pk, stored in (
            (Annotation._meta.db_table, labels[1].pk, "2026-12-02 11:19:33"),
            (Annotation._meta.db_table, labels[-1].pk, "2026-12-02 12:19:33.000001+01:00"),
            (GoldLabel._meta.db_table, gold.pk, "2026-12-02 11:19:33+00:00"),
        ):
            cursor.execute(f'UPDATE "{table}" SET updated_at = %s WHERE id = %s', [stored, pk])
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    scope = dataset_scope(user=owner, corpus_id=corpus.pk)
    expected = "".join(
        dumps(row) + "\n" for row in dataset_rows(sentence_ids=tricky, scope=scope)
    ).encode()
    assert b'"updated_at":"2026-12-02T11:19:33.000000Z"' in expected
    assert b'"updated_at":"2026-12-02T11:19:33.000001Z"' in expected
    assert b"".join(_jsonl_sqlite(corpus_id=corpus.pk, scope=scope, chunk_size=size)) == expected
    whole = b"".join(export_jsonl(corpus_id=corpus.pk, scope=scope, chunk_size=size))
    assert whole.startswith(expected) and whole.count(b"\n") == len(tricky) + 1


def test_iso_writes_what_strftime_writes():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from datasets.selectors import iso

    paris = ZoneInfo("Europe/Paris")
    for value in (
        dt.datetime(2026, 12, 2, 11, 19, 33, 123456, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 2, 11, 19, 33, tzinfo=dt.UTC),
        dt.datetime(2026, 7, 1, 0, 30, 0, 5, tzinfo=paris),
        dt.datetime(1000, 1, 1, 0, 0, tzinfo=dt.UTC),
        dt.datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC),
    ):
        assert iso(value) == value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_iso_stored_writes_what_the_converter_and_iso_write():
    """SQLite's stored times, rewritten as text, equal Django's datetime through ``iso``."""
    from django.db import connection

    from datasets.export import iso_stored
    from datasets.selectors import iso

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's stored times")
    for stored in (
        "2026-12-02 11:19:33.123456",  # written by the ORM
        "2026-12-02 11:19:33.123456+00:00",  # written through a cursor
        "2026-12-02 11:19:33",  # no microseconds
        "2026-12-02 11:19:33+00:00",
        "2026-12-02 12:19:33.000001+01:00",  # another offset
        "2026-12-02T11:19:33.5",
    ):
        converted = connection.ops.convert_datetimefield_value(stored, None, connection)
        assert iso_stored(stored) == iso(converted), stored
