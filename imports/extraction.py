"""Text and metadata out of uploaded documents: .txt, .md, .html, .docx.

Each function takes the raw bytes and returns an ``Extracted`` or raises
``django.core.exceptions.ValidationError`` with a message saying what to fix.
No function touches the disk: uploads live in the database until a worker reads
them.

A .docx is a zip archive, and a small one can inflate to gigabytes (a
"decompression bomb"; docs/architecture.md, invariant 9: bounded work for any
input). ``zip_check`` reads only the archive's directory, which is cheap enough
for the upload request, and refuses an archive whose declared sizes pass the
``IMPORT_ARCHIVE_*`` limits; the worker checks it again and then inflates every
part in small chunks, keeping none, before python-docx reads it, so an archive
whose directory understates a part is refused with bounded memory too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import struct
import zipfile
import zlib
from pathlib import PurePath

from django.conf import settings
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


# Parts that inflate to less than this are not held to the ratio limit: small
# XML parts (styles, settings) can compress better than any real text does.
RATIO_GRACE_BYTES = 1_000_000
# Bytes inflated per read when a part is checked: bounds the memory of the check.
INFLATE_CHUNK_BYTES = 64 * 1024
_ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_END_OF_DIRECTORY = b"PK\x05\x06"
_DIRECTORY_ENTRY = b"PK\x01\x02"


def _megabytes(size: int) -> str:
    if size >= 10e6:
        return f"{size / 1e6:,.0f} MB"
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:,.0f} kB"


def _declared_members(data: bytes) -> int | None:
    """How many parts the archive's directory holds, counted before zipfile
    builds an object for each; None when there is no end record (zipfile says why).

    The end record's count may lie, and zipfile reads entries until the
    directory's declared size is used up, whatever the count: so the entry
    signatures in that stretch count too.
    """
    # The end record is 22 bytes plus a comment of at most 65,535 bytes.
    at = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 22 - 65_535))
    if at < 0 or at + 22 > len(data):
        return None
    # A count of 0xFFFF means "65,535 or more" (zip64), more than any limit allows.
    count, directory_size = struct.unpack_from("<HI", data, at + 10)
    return max(count, data.count(_DIRECTORY_ENTRY, max(0, at - directory_size), at))


def _unreadable(what: str, exc: BaseException) -> ValidationError:
    return ValidationError(
        f"{what} is not a readable .docx file ({type(exc).__name__}: {exc}); save it from Word "
        "as .docx and upload it again."
    )


def zip_check(data: bytes, *, what: str) -> zipfile.ZipFile:
    """The archive, once its directory promises bounded work; else a
    ValidationError naming the limit hit and the sizes.

    Reads the directory only (nothing is inflated), so the upload request can
    afford it. Limits: ``IMPORT_ARCHIVE_MAX_MEMBERS`` parts,
    ``IMPORT_ARCHIVE_MAX_MEMBER_BYTES`` inflated per part,
    ``IMPORT_ARCHIVE_MAX_TOTAL_BYTES`` in all, and ``IMPORT_ARCHIVE_MAX_RATIO``
    (inflated / compressed) for parts over ``RATIO_GRACE_BYTES``.
    """
    max_members = settings.IMPORT_ARCHIVE_MAX_MEMBERS
    declared = _declared_members(data)
    if declared is not None and declared > max_members:
        raise ValidationError(
            f"{what} holds {declared:,} files; the limit is {max_members:,} in one document."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise _unreadable(what, exc) from None
    members = archive.infolist()
    if len(members) > max_members:
        raise ValidationError(
            f"{what} holds {len(members):,} files; the limit is {max_members:,} in one document."
        )
    part_limit = settings.IMPORT_ARCHIVE_MAX_MEMBER_BYTES
    ratio_limit = settings.IMPORT_ARCHIVE_MAX_RATIO
    total = 0
    for member in members:
        if member.compress_type not in _ZIP_METHODS:
            raise ValidationError(
                f"{what}: {member.filename} is compressed with method {member.compress_type}; "
                "a .docx uses deflate. Save it from Word as .docx and upload it again."
            )
        if member.file_size > part_limit:
            raise ValidationError(
                f"{what}: {member.filename} would inflate to {_megabytes(member.file_size)}; "
                f"the limit is {_megabytes(part_limit)} per part."
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_GRACE_BYTES and ratio > ratio_limit:
            raise ValidationError(
                f"{what}: {member.filename} would inflate {ratio:,.0f} times, from "
                f"{_megabytes(member.compress_size)} to {_megabytes(member.file_size)}; the "
                f"limit is {ratio_limit:,} times for a part over {_megabytes(RATIO_GRACE_BYTES)}."
            )
        total += member.file_size
    total_limit = settings.IMPORT_ARCHIVE_MAX_TOTAL_BYTES
    if total > total_limit:
        raise ValidationError(
            f"{what} would inflate to {_megabytes(total)} in all; the limit is "
            f"{_megabytes(total_limit)}."
        )
    return archive


def zip_inflate_check(archive: zipfile.ZipFile, *, what: str) -> None:
    """Inflate every part in chunks, keeping none, with a running cap.

    ``ZipFile.read`` (which python-docx uses) inflates a part in one call and
    only then cuts it to the size the directory declares, so a directory that
    understates a part would cost its real inflated size in memory. Here each
    read inflates at most ``INFLATE_CHUNK_BYTES``; a part that inflates past its
    declared size fails its checksum (zipfile stops at the declared size), and
    the running totals hold the same limits as ``zip_check``.
    """
    part_limit = settings.IMPORT_ARCHIVE_MAX_MEMBER_BYTES
    total_limit = settings.IMPORT_ARCHIVE_MAX_TOTAL_BYTES
    total = 0
    for member in archive.infolist():
        inflated = 0
        try:
            with archive.open(member) as part:
                while chunk := part.read(INFLATE_CHUNK_BYTES):
                    inflated += len(chunk)
                    total += len(chunk)
                    if inflated > part_limit:
                        raise ValidationError(
                            f"{what}: {member.filename} inflates past "
                            f"{_megabytes(part_limit)}, the limit per part."
                        )
                    if total > total_limit:
                        raise ValidationError(
                            f"{what} inflates past {_megabytes(total_limit)}, the limit in all."
                        )
        except zipfile.BadZipFile as exc:
            raise ValidationError(
                f"{what}: {member.filename} does not match the size its directory declares "
                f"({_megabytes(member.file_size)}) or is damaged ({exc}); save it from Word "
                "as .docx and upload it again."
            ) from None
        except (RuntimeError, NotImplementedError, EOFError, ValueError, zlib.error) as exc:
            # RuntimeError: an encrypted part; zlib.error: damaged deflate data.
            raise ValidationError(
                f"{what}: {member.filename} is damaged or cannot be read "
                f"({type(exc).__name__}: {exc}); save it from Word as .docx and upload it again."
            ) from None


def extract_docx(data: bytes, *, what: str = "This .docx file") -> Extracted:
    """Paragraph text of a Word document, one blank line between paragraphs.

    The archive is checked (``zip_check``, ``zip_inflate_check``) before
    python-docx inflates any part of it.
    """
    import docx

    with zip_check(data, what=what) as archive:
        zip_inflate_check(archive, what=what)
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
        return extract_docx(data, what=filename or "This .docx file")
    raise ValidationError(
        f"Files ending in {suffix or '(no suffix)'} cannot be imported; use one of "
        f"{', '.join(DOCUMENT_SUFFIXES + BULK_SUFFIXES)}."
    )


def _clip(value: str | None, limit: int) -> str:
    return (value or "").strip()[:limit]
