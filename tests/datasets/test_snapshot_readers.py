"""The export's extra connections share its snapshot, none is left open when one fails,
and the first lines wait for none of them."""

from __future__ import annotations

import itertools
import json
import threading

import psycopg
import pytest
from django.db import connection, transaction

from articles.models import Sentence
from datasets import export, sql
from datasets.selectors import dataset_scope
from tests.concurrency import other_connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def test_readers_see_the_snapshot_not_later_writes(interleaved):
    before = len(interleaved)
    with transaction.atomic():
        sql.snapshot_begin()
        with sql.snapshot_readers(2) as readers:
            with other_connection(
                autocommit=True
            ) as writer:  # another connection's write, committed
                writer.execute("DELETE FROM articles_sentence WHERE id = %s", [max(interleaved)])
            counts = [
                reader.execute(
                    "SELECT count(*) FROM articles_sentence WHERE id = ANY(%s)",
                    [list(interleaved)],
                ).fetchone()[0]
                for reader in readers
            ]
    assert counts == [before, before]
    assert Sentence.objects.filter(pk__in=list(interleaved)).count() == before - 1


def test_a_reader_that_cannot_connect_closes_the_others(interleaved, monkeypatch):
    opened: list[psycopg.Connection] = []
    calls = itertools.count()
    real_connect = psycopg.connect

    def connect(*args, **kwargs):
        if next(calls) == 1:  # the second connection fails, as a full server refuses one
            raise psycopg.OperationalError("too many clients already")
        conn = real_connect(*args, **kwargs)
        opened.append(conn)
        return conn

    monkeypatch.setattr(psycopg, "connect", connect)
    with transaction.atomic():
        sql.snapshot_begin()
        with (
            pytest.raises(psycopg.OperationalError, match="too many clients"),
            sql.snapshot_readers(2),
        ):
            pytest.fail("no reader set without all its readers")
    assert len(opened) == 1
    assert opened[0].closed


def test_the_first_lines_go_out_while_the_readers_connect(owner, corpus, interleaved, monkeypatch):
    """The export's first chunk is read on its own connection: it waits for no reader's
    start-up, and the readers, once connected, build the rest in order."""
    connected = threading.Event()
    real_connect = psycopg.connect

    def slow_connect(*args, **kwargs):
        # Only the readers connect on other threads; they wait for the first lines.
        if threading.current_thread() is not threading.main_thread():
            assert connected.wait(5), "the first lines waited for a reader to connect"
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(psycopg, "connect", slow_connect)
    monkeypatch.setattr(export, "FIRST_CHUNK_SENTENCES", 3)
    monkeypatch.setattr(export, "CHUNK_SENTENCES", 5)
    stream = export.export_jsonl(
        corpus_id=corpus.pk, scope=dataset_scope(user=owner, corpus_id=corpus.pk)
    )
    first = next(stream)
    connected.set()
    rows = [json.loads(line) for line in (first + b"".join(stream)).splitlines()]
    assert first.count(b"\n") == 3
    assert rows.pop() == {"export": {"complete": True, "rows": len(interleaved)}}
    assert [row["sentence"]["id"] for row in rows] == sorted(interleaved)
