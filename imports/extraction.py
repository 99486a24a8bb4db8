"""Text and metadata out of uploaded documents: .txt, .md, .html, .docx.

Each function takes the raw bytes and returns an ``Extracted`` or raises
``django.core.exceptions.ValidationError`` with a message saying what to fix.
No function touches the disk: uploads live in the database until a worker reads
them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile
from pathlib import PurePath

from django.core.exceptions import ValidationError

DOCUMENT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx")
BULK_SUFFIXES = (".jsonl", ".csv")


@dataclasses.dataclass
class Extracted:
    text: str
    title: str = ""
    author: str = ""
    outlet: str = ""
    source_url: str = ""
    published_on: dt.date | None = None


def suffix_of(filename: str) -> str:
    return PurePath(filename or "").suffix.lower()


def decode_text(data: bytes, *, what: str = "The file") -> str:
    """UTF-8 (with or without a byte-order mark), else a message saying so."""
    if b"\x00" in data[:8192]:
        raise ValidationError(f"{what} looks binary (it holds NUL bytes); upload a text file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationError(
            f"{what} is not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line} cannot be "
            "decoded. Save it as UTF-8 and upload it again."
        ) from None


def parse_date(value: str | None) -> dt.date | None:
    """A ``YYYY-MM-DD`` prefix (as in ISO timestamps), else None."""
    if not value:
        return None
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", str(value))
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def extract_plain(data: bytes) -> Extracted:
    return Extracted(text=decode_text(data))


_MD_HEADING = re.compile(r"^\s{0,3}#\s+(.+?)\s*#*\s*$")


def extract_markdown(data: bytes) -> Extracted:
    """The Markdown source as the text (labels need the words as written);
    the first level-one heading becomes the title."""
    text = decode_text(data)
    title = ""
    for line in text.splitlines():
        if line.strip():
            match = _MD_HEADING.match(line)
            title = match.group(1) if match else ""
            break
    return Extracted(text=text, title=title)


def extract_html(data: bytes | str, *, url: str = "") -> Extracted:
    """Main text and metadata of a news page; menus, boilerplate and scripts go."""
    import trafilatura

    if isinstance(data, bytes) and b"\x00" in data[:8192]:
        raise ValidationError("The page looks binary (it holds NUL bytes), not HTML.")
    document = trafilatura.bare_extraction(
        data,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
    )
    text = (getattr(document, "text", "") or "").strip() if document is not None else ""
    if not text:
        raise ValidationError(
            "No article text was found in the page: it may be empty, need JavaScript, "
            "or sit behind a login. Paste the text instead."
        )
    return Extracted(
        text=text,
        title=_clip(getattr(document, "title", ""), 500),
        author=_clip(getattr(document, "author", ""), 300),
        outlet=_clip(getattr(document, "sitename", "") or getattr(document, "hostname", ""), 300),
        published_on=parse_date(getattr(document, "date", None)),
    )


def extract_docx(data: bytes) -> Extracted:
    """Paragraph text of a Word document, one blank line between paragraphs."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ValidationError(
            f"This is not a readable .docx file ({type(exc).__name__}); save it from Word "
            "as .docx and upload it again."
        ) from None
    except Exception as exc:  # noqa: BLE001 - python-docx raises assorted types on bad files
        raise ValidationError(f"This .docx file could not be read: {exc}.") from None
    paragraphs = [p.text.strip() for p in document.paragraphs]
    text = "\n\n".join(p for p in paragraphs if p)
    props = document.core_properties
    published = props.created.date() if props.created else None
    return Extracted(
        text=text,
        title=_clip(props.title or "", 500),
        author=_clip(props.author or "", 300),
        published_on=published,
    )


def extract_document(data: bytes, *, filename: str) -> Extracted:
    """Dispatch on the file's suffix."""
    suffix = suffix_of(filename)
    if suffix == ".txt":
        return extract_plain(data)
    if suffix == ".md":
        return extract_markdown(data)
    if suffix in (".html", ".htm"):
        # Bytes: the extractor honours the page's own charset declaration.
        return extract_html(data)
    if suffix == ".docx":
        return extract_docx(data)
    raise ValidationError(
        f"Files ending in {suffix or '(no suffix)'} cannot be imported; use one of "
        f"{', '.join(DOCUMENT_SUFFIXES + BULK_SUFFIXES)}."
    )


def _clip(value: str | None, limit: int) -> str:
    return (value or "").strip()[:limit]
