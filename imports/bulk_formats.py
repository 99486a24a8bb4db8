"""Rows out of bulk JSONL and CSV files, each with its line number.

A row either carries the article's fields or the reason it cannot be imported;
problems with the whole file (no ``text`` column, not UTF-8) raise
``ValidationError`` instead.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json

from django.core.exceptions import ValidationError

from annotator.validation import text_problem
from imports.extraction import parse_date

COLUMNS = ("text", "title", "author", "outlet", "source_url", "published_on")
REQUIRED = "text"


@dataclasses.dataclass
class Row:
    line: int
    # The article's fields; empty when the row has an error.
    fields: dict = dataclasses.field(default_factory=dict)
    error: str = ""


@dataclasses.dataclass
class Parsed:
    rows: list[Row]
    unknown_columns: list[str]


def _fields(values: dict, line: int) -> Row:
    fields: dict = {}
    for name in COLUMNS:
        value = values.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            return Row(line, error=f"{name!r} must be a string, not {type(value).__name__}.")
        # A bad row is this row's failure, never the whole job's (invariant 8).
        problem = text_problem(value, field=name)
        if problem:
            return Row(line, error=f"{name}: {problem}")
        fields[name] = value
    if not fields.get(REQUIRED, "").strip():
        return Row(line, error="The text is empty; every row needs the article's text.")
    raw_date = fields.pop("published_on", "").strip()
    if raw_date:
        date = parse_date(raw_date)
        if date is None:
            return Row(line, error=f"published_on {raw_date!r} is not a date; use YYYY-MM-DD.")
        fields["published_on"] = date
    return Row(line, fields=fields)


def parse_jsonl(text: str) -> Parsed:
    rows: list[Row] = []
    unknown: set[str] = set()
    # split("\n"), not splitlines(): JSON strings may hold U+2028 and friends.
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append(Row(number, error=f"Not valid JSON: {exc.msg} at column {exc.colno}."))
            continue
        if not isinstance(value, dict):
            rows.append(
                Row(number, error=f"Each line must be a JSON object, not {type(value).__name__}.")
            )
            continue
        unknown.update(key for key in value if key not in COLUMNS)
        rows.append(_fields(value, number))
    if not rows:
        raise ValidationError("The file has no rows; put one JSON object per line.")
    return Parsed(rows=rows, unknown_columns=sorted(unknown))


def csv_header(text: str) -> list[str]:
    """The normalised column names, or a message naming what is missing."""
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as exc:
        raise ValidationError(f"The CSV header cannot be read: {exc}.") from None
    names = [name.strip().lower().lstrip("\ufeff") for name in header]
    if not any(names):
        raise ValidationError(
            "The CSV file is empty; its first line must name the columns "
            f"({', '.join(COLUMNS)}; text is required)."
        )
    if REQUIRED not in names:
        raise ValidationError(
            f"The CSV has no 'text' column; its columns are: {', '.join(names)}. "
            f"Name the columns on the first line: text (required), {', '.join(COLUMNS[1:])}."
        )
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise ValidationError(f"The CSV names these columns twice: {', '.join(repeated)}.")
    return names


def parse_csv(text: str) -> Parsed:
    names = csv_header(text)
    # Articles are long; the csv module's default field limit (128 KiB) is not.
    csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    rows: list[Row] = []
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rows.append(Row(start, error=f"The CSV cannot be read from here on: {exc}."))
            break
        if not record or not any(cell.strip() for cell in record):
            continue
        if len(record) != len(names):
            rows.append(
                Row(
                    start,
                    error=f"The row has {len(record)} fields but the header names "
                    f"{len(names)}; quote texts that hold commas or line breaks.",
                )
            )
            continue
        rows.append(_fields(dict(zip(names, record, strict=True)), start))
    if not rows:
        raise ValidationError("The CSV has a header but no rows.")
    unknown = [name for name in names if name and name not in COLUMNS]
    return Parsed(rows=rows, unknown_columns=unknown)
