"""A release built in PostgreSQL (releases/sql.py) writes the bytes of the Python path.

The Python path (``rows_in_sql=False``, what SQLite runs) is the reference: the
same corpus released both ways gives the same JSONL and CSV bytes and the same
Parquet rows, types and column order, the same counts, card and datasheet, for
text that JSON must escape, that CSV must quote or guard against formulas,
characters outside the Basic Multilingual Plane (UTF-16 offsets), missing
metadata, usernames and pseudonyms, and times with and without microseconds.
"""

from __future__ import annotations

import datetime as dt
import io

import pyarrow.parquet as pq
import pytest

from articles.models import Annotation, GoldLabel, Sentence
from corpora.models import Label
from releases.models import Release
from releases.services.build import release_build
from releases.services.releases import release_create
from review.services.adjudication import gold_label_decide
from tests.releases.conftest import label, read_release_file

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TEXTS = [
    'He said "no, never", then left.\nA second line: =1+2, @home. -5 points, really.',
    "Tabs\there and a quote 'like this'. Emoji 😀 count twice in UTF-16 😀😀. After them.",
    "Back\\slash and control \x01 chars. Plain sentence without labels. Last one here.",
]


@pytest.fixture
def tricky_corpus(corpus, make_article, annotator, reviewer, owner):
    keys = list(Label.objects.filter(corpus=corpus).values_list("key", flat=True))
    for n, text in enumerate(TEXTS):
        article = make_article(
            corpus,
            text,
            title=f'=Title, "{n}"\n' if n == 0 else f"Title {n} 😀",
            outlet="-Outlet" if n == 1 else "",
            author="A, B" if n == 2 else "",
            source_url="https://example.org/a?b=1,2" if n else "",
            published_on=dt.date(2024, 2, 29) if n == 1 else None,
        )
        sentences = list(Sentence.objects.filter(article=article).order_by("index"))
        for i, sentence in enumerate(sentences):
            if n == 2 and i == 1:
                continue  # a sentence without any label
            key = keys[(n + i) % len(keys)]
            note = ["=SUM(A1)", 'a, "quoted"\nnote', "+1", "", "\ttab", "'apos"][i % 6]
            gold_only = n == 2 and i == 2  # a gold label that no annotator's label backs
            if not gold_only:
                label(annotator, sentence, key, note=note)
            if i % 2 == 0 and not gold_only:
                label(reviewer, sentence, keys[(n + i + 1) % len(keys)])
            if i % 2 == 0:
                gold_label_decide(
                    sentence=sentence,
                    label=Label.objects.get(corpus=corpus, key=key),
                    reviewer=reviewer,
                    note='-"gold", note' if i == 0 else "",
                    source="https://example.org/report" if key == "sourced_fact" else "",
                )
    # Whole seconds print without microseconds in the CSV's gold time (str of a datetime).
    first = GoldLabel.objects.order_by("pk").first()
    GoldLabel.objects.filter(pk=first.pk).update(
        updated_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    )
    Annotation.objects.filter(pk=Annotation.objects.order_by("pk").first().pk).update(
        updated_at=dt.datetime(2026, 1, 2, 3, 4, 6, tzinfo=dt.UTC),
        suggested_by="cue v1",
        source='@src, "x"',
    )
    return corpus


def build(corpus, owner, version, *, in_sql, **options) -> Release:
    release = release_create(
        corpus=corpus, user=owner, name="Both ways", version=version, licence="MIT", **options
    )
    assert release_build(release_id=release.pk, chunk_size=4, rows_in_sql=in_sql) == "done"
    release.refresh_from_db()
    return release


@pytest.mark.parametrize("contents", ["all", "gold"])
@pytest.mark.parametrize("show_usernames", [False, True])
def test_the_release_built_in_postgresql_has_the_bytes_of_the_python_path(
    tricky_corpus, owner, contents, show_usernames
):
    both_ways_compared(tricky_corpus, owner, contents, show_usernames)


@pytest.mark.django_db(transaction=True)
def test_read_ahead_on_a_second_connection_writes_the_same_bytes(tricky_corpus, owner):
    """Outside a test's transaction the build reads each next chunk on a connection that
    shares its snapshot (``releases.services.build._ahead``) while it writes the last."""
    both_ways_compared(tricky_corpus, owner, "all", False)


def both_ways_compared(tricky_corpus, owner, contents, show_usernames) -> None:
    options = {"contents": contents, "show_usernames": show_usernames}
    python = build(tricky_corpus, owner, "1.0", in_sql=False, **options)
    sql = build(tricky_corpus, owner, "1.1", in_sql=True, **options)
    files = python.manifest["files"]
    assert list(files) == list(sql.manifest["files"])
    assert any(name.endswith(".csv") for name in files)
    for name in files:
        old, new = read_release_file(python, name), read_release_file(sql, name)
        if name.endswith(".parquet"):
            old_table = pq.read_table(io.BytesIO(old))
            new_table = pq.read_table(io.BytesIO(new))
            assert new_table.schema == old_table.schema, name
            assert new_table.to_pylist() == old_table.to_pylist(), name
        elif name in ("README.md", "datasheet.md", "CITATION.cff"):
            assert new.replace(b"1.1", b"1.0") == old, name
        else:
            assert new == old, name
    assert sql.counts == python.counts
    # The cases above are in the files: quoted CSV cells, guarded formulas, shifted offsets.
    csv_text = b"".join(read_release_file(sql, n) for n in files if n.endswith(".csv")).decode()
    assert '"=Title, ""0""\n"' in csv_text or "'=Title" in csv_text
    assert '\'-""gold"", note' in csv_text
    rows = [
        row
        for n in files
        if n.endswith(".parquet")
        for row in pq.read_table(io.BytesIO(read_release_file(sql, n))).to_pylist()
    ]
    assert any(r["sentence_start_utf16"] != r["sentence_start"] for r in rows)
