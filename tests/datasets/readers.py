"""How a client reads an export: the data rows, after checking the trailer that says
the stream is complete (docs/api.md, "Exports")."""

from __future__ import annotations

import csv
import io
import json


def jsonl_rows(body: bytes) -> list[dict]:
    """The data rows of a JSONL export; fails if its trailer is missing or miscounts."""
    lines = body.decode().splitlines()
    assert lines, "an empty body: not even the trailer"
    trailer = json.loads(lines.pop())
    assert trailer == {"export": {"complete": True, "rows": len(lines)}}, trailer
    return [json.loads(line) for line in lines]


def csv_rows(body: bytes) -> list[dict]:
    """The data rows of a CSV export; fails if its trailer is missing or miscounts."""
    text = body.decode()
    data, sep, trailer = text.rpartition("\n#export ")
    assert sep, "no trailer: the export was cut short"
    rows = list(csv.DictReader(io.StringIO(data + "\n")))
    assert trailer == f"complete rows={len(rows)}\n", trailer
    return rows
