"""CSV exports never hand a spreadsheet a live formula; JSONL and Parquet keep values as stored.

A spreadsheet runs a cell that starts with =, +, -, @ as a formula (OWASP adds
tab and carriage return): a title `=HYPERLINK(...)` would become a link in the
owner's sheet. The CSV puts an apostrophe in front of such cells (and
of cells that start with an apostrophe, so dropping one gives the value back).
"""

from __future__ import annotations

import io

import pytest

from articles.services.annotations import annotation_set
from corpora.models import Label
from datasets.export import csv_cell
from tests.datasets.readers import csv_rows, jsonl_rows

pytestmark = pytest.mark.django_db

TITLE = '=HYPERLINK("http://x","y")'
TEXT = "@SUM(1;2) opens the piece. +1 for the second sentence. Plain third one.\n"


@pytest.fixture
def hostile(corpus, make_article, annotator, reviewer):
    """An article and labels whose values a spreadsheet would run."""
    article = make_article(corpus, TEXT, title=TITLE, author="-Anon", outlet="+Ledger")
    first, second = article.sentences.filter(kind="sentence").order_by("index")[:2]
    claim = Label.objects.get(corpus=corpus, key="claim")
    fact = Label.objects.get(corpus=corpus, key="sourced_fact")
    annotation_set(sentence=first, annotator=annotator, label=claim, note="=1+1")
    annotation_set(sentence=first, annotator=reviewer, label=fact, source="-5 points")
    annotation_set(sentence=second, annotator=annotator, label=claim, note="'quoted")
    annotation_set(sentence=second, annotator=reviewer, label=claim, note="+cmd")
    return article, first, second


def _body(response) -> bytes:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def test_formula_cells_are_neutralised_in_csv(client_for, owner, corpus, hostile):
    article, first, second = hostile
    rows = csv_rows(_body(client_for(owner).get(f"/api/corpora/{corpus.slug}/export.csv")))
    mine = [row for row in rows if row["article_id"] == str(article.pk)]
    assert {row["article_title"] for row in mine} == {"'" + TITLE}
    assert {row["article_author"] for row in mine} == {"'-Anon"}
    assert {row["article_outlet"] for row in mine} == {"'+Ledger"}
    by_label = {(row["sentence_id"], row["annotator"]): row for row in mine if row["annotator"]}
    assert by_label[(str(first.pk), "anna")]["note"] == "'=1+1"
    assert by_label[(str(first.pk), "rita")]["source"] == "'-5 points"
    assert by_label[(str(second.pk), "anna")]["note"] == "''quoted"
    assert by_label[(str(second.pk), "rita")]["note"] == "'+cmd"
    assert by_label[(str(first.pk), "anna")]["sentence_text"] == "'" + first.text
    assert by_label[(str(second.pk), "anna")]["sentence_text"] == "'" + second.text
    # No text cell of the file starts a formula, and numbers stay numbers.
    for row in rows:
        for name, value in row.items():
            assert not value or value[0] not in "=+-@\t\r", (name, value)
    assert {row["sentence_index"] for row in mine} >= {"0", "1"}


def test_dropping_one_apostrophe_gives_the_stored_value_back():
    for value in ("=1+1", TITLE, "-5 points", "'quoted", "''", "\r=x", "plain", "", "5 - 3"):
        cell = csv_cell(value)
        assert (cell[1:] if cell.startswith("'") else cell) == value
        assert not cell or cell[0] not in "=+-@\t\r"


def test_jsonl_keeps_the_values_as_stored(client_for, owner, corpus, hostile):
    article, first, second = hostile
    lines = _body(client_for(owner).get(f"/api/corpora/{corpus.slug}/export.jsonl"))
    rows = jsonl_rows(lines)
    mine = {row["sentence"]["id"]: row for row in rows if row["article"]["id"] == article.pk}
    assert mine[first.pk]["article"]["title"] == TITLE
    assert mine[first.pk]["article"]["author"] == "-Anon"
    notes = {(a["annotator"], a["note"], a["source"]) for a in mine[first.pk]["annotations"]}
    assert notes == {("anna", "=1+1", ""), ("rita", "", "-5 points")}
    assert [a["note"] for a in mine[second.pk]["annotations"]] == ["'quoted", "+cmd"]
    assert mine[first.pk]["sentence"]["text"] == first.text
    assert first.text.startswith("@SUM")


def test_parquet_keeps_the_values_as_stored(client_for, owner, corpus, hostile):
    import pyarrow.parquet as pq

    article, first, second = hostile
    data = _body(client_for(owner).get(f"/api/corpora/{corpus.slug}/export.parquet"))
    rows = {
        row["sentence_id"]: row
        for row in pq.read_table(io.BytesIO(data)).to_pylist()
        if row["article_id"] == article.pk
    }
    assert rows[first.pk]["article_title"] == TITLE
    assert rows[first.pk]["article_outlet"] == "+Ledger"
    assert rows[first.pk]["sentence_text"] == first.text
    notes = {(a["annotator"], a["note"], a["source"]) for a in rows[first.pk]["annotations"]}
    assert notes == {("anna", "=1+1", ""), ("rita", "", "-5 points")}
    notes = [a["note"] for a in rows[second.pk]["annotations"]]
    assert notes == ["'quoted", "+cmd"]
