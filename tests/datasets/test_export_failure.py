"""An export that fails after its first byte is visibly incomplete.

The 200 and the first chunk are gone by then, so the stream can only stop: a
JSONL or CSV file that ends without its trailer, a Parquet file without its
footer. A real failure breaks the stream after the first chunk: on PostgreSQL
the server ends the export's connection; on SQLite a later sentence holds text
that is not UTF-8, which the driver cannot read.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection

from datasets import export
from tests.concurrency import other_connection
from tests.datasets.readers import csv_rows, jsonl_rows

pytestmark = pytest.mark.django_db(transaction=True)


def break_the_database(last_sentence_id: int) -> None:
    """Make every further read of the export fail, as a real fault would."""
    if connection.vendor == "postgresql":
        pid = connection.connection.info.backend_pid
        with other_connection() as killer:
            killer.execute("SELECT pg_terminate_backend(%s)", [pid])
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE articles_sentence SET text = CAST(X'C328' AS TEXT) WHERE id = %s",
                [last_sentence_id],
            )


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_stream_that_fails_midway_has_no_trailer(
    client_for, owner, corpus, interleaved, fmt, monkeypatch
):
    monkeypatch.setattr(export, "CHUNK_SENTENCES", 10)
    response = client_for(owner).get(f"/api/corpora/{corpus.slug}/export.{fmt}")
    assert response.status_code == 200
    chunks = iter(response.streaming_content)
    received = [next(chunks)]
    assert received[0]  # the first bytes are out
    break_the_database(max(interleaved))
    with pytest.raises(Exception) as failure:  # noqa: PT011 - whatever the driver raises
        received.extend(chunks)
    assert "Error" in type(failure.value).__name__
    data = b"".join(received)
    if fmt == "jsonl":
        assert 10 <= data.count(b"\n") < len(interleaved)
        assert b'{"export":' not in data
        with pytest.raises(AssertionError):
            jsonl_rows(data)
    elif fmt == "csv":
        ids = {int(r["sentence_id"]) for r in csv.DictReader(io.StringIO(data.decode()))}
        assert len(ids) >= 10 and max(interleaved) not in ids  # short of the last sentence
        assert b"#export" not in data
        with pytest.raises(AssertionError, match="cut short"):
            csv_rows(data)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        assert data.startswith(b"PAR1") and not data.endswith(b"PAR1")
        with pytest.raises(pa.ArrowInvalid):
            pq.read_table(io.BytesIO(data))
