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

import copy
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

from imports import headlines

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
    # The document itself marks its first line as a heading (a Markdown "#" line,
    # a Word Title or Heading 1 paragraph), so ``lead_apply`` need not judge its shape.
    first_line_heading: bool = False
    # The lines ``lead_apply`` took out of the start of the text (title, byline).
    taken: str = ""


def lead_apply(extracted: Extracted, *, keep_first_line: bool = False) -> Extracted:
    """The document with its first line (and a byline under it) taken out of the
    text as its title (and author), when it is a headline; unchanged otherwise.

    The text left is exactly what is stored and segmented, so sentence offsets
    count from the body's first character. ``keep_first_line`` (the importer
    said the first line is not a headline) leaves the text whole and infers nothing.
    """
    if keep_first_line:
        return extracted
    lead = headlines.lead_split(
        extracted.text, title=extracted.title, heading=extracted.first_line_heading
    )
    if lead is None:
        return extracted
    taken = extracted.text[: len(extracted.text) - len(lead.body)].strip()
    return dataclasses.replace(
        extracted,
        text=lead.body,
        title=_clip(extracted.title or lead.title, 500),
        author=extracted.author or _clip(lead.byline, 300),
        taken=taken,
    )


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


def extract_markdown(data: bytes) -> Extracted:
    """Markdown as clean text: rendered with the Markdown package, then each
    paragraph, heading, list item, quote and table row one line, with no markup
    character left (``#``, ``*``, ``_``, backticks, link syntax).

    A first ``#`` heading is marked as the document's heading, for ``lead_apply``.
    """
    import markdown
    from lxml import html as lxml_html

    source = _markdown_bounded(decode_text(data))
    renderer = markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists"])
    # Its raw-HTML block reader scans the whole source for tags (quadratic on a
    # run of "<"); without it, tags in a paragraph are still read inline.
    renderer.preprocessors.deregister("html_block")
    rendered = renderer.convert(source)
    if not rendered.strip():
        return Extracted(text="")
    root = lxml_html.fragment_fromstring(rendered, create_parent="div")
    blocks = html_blocks(root)
    first = root[0] if len(root) else None
    heading = first is not None and first.tag == "h1" and bool(blocks)
    return Extracted(text="\n\n".join(blocks), first_line_heading=heading)


# Python-Markdown reads ahead from every "[", "!", "<", "*", "_" of a paragraph
# for the rest of the paragraph (a link, an image, a tag or autolink, emphasis),
# so a paragraph of thousands of them costs time growing with the square of its
# length (20,000 "[" took minutes). A paragraph with more of them than any
# prose holds is made a code block: kept as it was typed, read in linear time
# (docs/architecture.md, invariant 8: bounded work for any input).
MARKDOWN_MAX_OPENERS = 64
_MARKDOWN_OPENERS = re.compile(r"[\[<!*_]")
_BLANK_LINES = re.compile(r"\n[ \t]*\n")


def _markdown_bounded(source: str) -> str:
    paragraphs = _BLANK_LINES.split(source)
    for index, paragraph in enumerate(paragraphs):
        if len(_MARKDOWN_OPENERS.findall(paragraph)) > MARKDOWN_MAX_OPENERS:
            paragraphs[index] = "\n".join("    " + line for line in paragraph.split("\n"))
    return "\n\n".join(paragraphs)


# Elements whose text is one line (or, for lists and tables, one line per item or row).
_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "tr", "pre"})
_SKIPPED = frozenset({"script", "style", "template", "noscript"})


def _inline_text(element) -> str:
    """The words of an element, white space collapsed, skipping scripts and styles."""
    parts: list[str] = []

    def walk(node) -> None:
        if not isinstance(node.tag, str) or node.tag in _SKIPPED:
            return
        if node.text:
            parts.append(node.text)
        for child in node:
            if child.tag == "br":
                parts.append(" ")
            elif child.tag not in _BLOCKS and child.tag not in ("ul", "ol", "table"):
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return " ".join("".join(parts).split())


def table_row_text(cells: list[str]) -> str:
    """A table row as one line: its non-empty cells joined with " | "."""
    return " | ".join(cell for cell in (" ".join(c.split()) for c in cells) if cell)


_CONTAINERS = frozenset(
    {
        "div",
        "ul",
        "ol",
        "dl",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "blockquote",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "aside",
        "figure",
        "details",
        "body",
    }
)


def html_blocks(root) -> list[str]:
    """The lines of a rendered fragment, in document order: one per paragraph,
    heading, list item and table row (cells joined by ``table_row_text``); a
    code block keeps its own lines. Text straight inside a container is a line too."""
    lines: list[str] = []

    def add(text: str | None) -> None:
        words = " ".join((text or "").split())
        if words:
            lines.append(words)

    def children(node, *, own_text: bool) -> None:
        if own_text:
            add(node.text)
        for child in node:
            if isinstance(child.tag, str) and child.tag not in _SKIPPED:
                if child.tag == "pre":
                    text = child.text_content().strip("\n")
                    lines.extend(line.rstrip() for line in text.split("\n") if line.strip())
                elif child.tag == "tr":
                    add(table_row_text([_inline_text(c) for c in child if c.tag in ("td", "th")]))
                elif child.tag in _BLOCKS:
                    add(_inline_text(child))
                    children(child, own_text=False)  # lists and blocks nested in it
                elif child.tag in _CONTAINERS:
                    children(child, own_text=True)
                elif own_text:
                    add(_inline_text(child))
            if own_text:
                add(child.tail)

    children(root, own_text=True)
    return lines


def extract_html(data: bytes | str, *, url: str = "") -> Extracted:
    """Main text and metadata of a news page; menus, boilerplate and scripts go.

    Tables in the article stay, in document order, one line per row with its
    cells joined by " | " (``_body_text``).
    """
    import trafilatura

    if isinstance(data, bytes) and b"\x00" in data[:8192]:
        raise ValidationError("The page looks binary (it holds NUL bytes), not HTML.")
    document = trafilatura.bare_extraction(
        data,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
    )
    text = _body_text(document) if document is not None else ""
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


# Elements of the extractor's tree that start a new line inside a table cell.
_CELL_BREAKS = frozenset({"p", "lb", "item", "list", "head", "quote", "row", "table"})


def _cell_text(cell) -> str:
    """A cell's words: inline parts ("<code>struct</code>s") joined as they
    stand, block parts (paragraphs, line breaks, list items) with a space."""
    parts: list[str] = []

    def walk(node) -> None:
        parts.append(node.text or "")
        for child in node:
            if child.tag in _CELL_BREAKS:
                parts.append(" ")
            walk(child)
            if child.tag in _CELL_BREAKS:
                parts.append(" ")
            parts.append(child.tail or "")

    walk(cell)
    return "".join(parts)


def _body_text(document) -> str:
    """The extractor's text of the page, with each table written as rows of
    " | "-joined cells (its own text output draws Markdown tables: ``| a | b |``
    and a ``|---|`` line)."""
    from lxml import etree
    from trafilatura.xml import xmltotxt

    body = getattr(document, "body", None)
    if body is None or not len(body.xpath(".//table")):
        return (getattr(document, "text", "") or "").strip()
    body = copy.deepcopy(body)
    for table in body.xpath(".//table[not(ancestor::table)]"):
        rows = []
        for row in table.xpath(".//row[count(ancestor::table) = 1]"):
            line = table_row_text([_cell_text(cell) for cell in row.findall("cell")])
            if line:
                paragraph = etree.Element("p")
                paragraph.text = line
                rows.append(paragraph)
        parent = table.getparent()
        if rows:
            rows[-1].tail = table.tail
        at = parent.index(table)
        parent.remove(table)
        for offset, paragraph in enumerate(rows):
            parent.insert(at + offset, paragraph)
    return xmltotxt(body, include_formatting=False).strip()


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
    """Paragraphs and table rows of a Word document, one blank line between them.

    The title is the document's own title property, else its first Title (or
    Heading 1) paragraph; author and date come from its properties unless they
    are what a tool writes by itself (``DOCX_DEFAULT_NAMES``, ``DOCX_DEFAULT_DATES``).
    The archive is checked (``zip_check``, ``zip_inflate_check``) before
    python-docx inflates any part of it.
    """
    import docx

    with zip_check(data, what=what) as archive:
        zip_inflate_check(archive, what=what)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = _docx_blocks(document)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ValidationError(
            f"This is not a readable .docx file ({type(exc).__name__}); save it from Word "
            "as .docx and upload it again."
        ) from None
    except Exception as exc:  # noqa: BLE001 - python-docx raises assorted types on bad files
        raise ValidationError(f"This .docx file could not be read: {exc}.") from None
    props = document.core_properties
    title = "" if _tool_default(props.title) else (props.title or "").strip()
    heading = False
    if not title:
        # The first Title paragraph, else the first Heading 1. At the very start
        # it is the document's heading (``lead_apply`` takes it out of the text);
        # further down it only names the document.
        for style in ("title", "heading 1"):
            found = next((i for i, (_t, s) in enumerate(blocks) if s == style), None)
            if found is not None:
                heading = found == 0
                title = "" if heading else blocks[found][0]
                break
    created = props.created
    published = None
    if created is not None and created.date() not in DOCX_DEFAULT_DATES:
        published = created.date()
    return Extracted(
        text="\n\n".join(text for text, _style in blocks),
        title=_clip(title, 500),
        author="" if _tool_default(props.author) else _clip(props.author, 300),
        published_on=published,
        first_line_heading=heading,
    )


# Names that document tools write into a file's properties by themselves: not
# the article's author or title (python-docx's template says "python-docx").
DOCX_DEFAULT_NAMES = frozenset(
    {
        "python-docx",
        "microsoft office user",
        "unknown",
        "author",
        "user",
        "admin",
        "administrator",
        "owner",
        "windows user",
        "default",
        "word",
        "microsoft word",
        "libreoffice",
        "openoffice",
        "apache poi",
        "docx4j",
        "pandoc",
        "untitled",
        "document",
        "document1",
        "title",
        "anonymous",
        "n/a",
        "none",
    }
)
# Creation dates that come from a tool's template, not from the document
# (python-docx: 23 December 2013).
DOCX_DEFAULT_DATES = frozenset({dt.date(2013, 12, 23)})


def _tool_default(value: str | None) -> bool:
    return " ".join((value or "").split()).casefold() in DOCX_DEFAULT_NAMES | {""}


def _docx_blocks(document) -> list[tuple[str, str]]:
    """Paragraphs and table rows in document order: (text, lower-case style name).
    A table row is its non-empty cells joined by " | "."""
    from docx.table import Table

    blocks: list[tuple[str, str]] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                seen: list[object] = []
                cells = []
                for cell in row.cells:
                    # A merged cell is listed once per grid column it spans.
                    if any(cell._tc is other for other in seen):
                        continue
                    seen.append(cell._tc)
                    cells.append(" ".join(p.text for p in cell.paragraphs))
                line = table_row_text(cells)
                if line:
                    blocks.append((line, "table"))
            continue
        text = " ".join(item.text.split())
        if text:
            style = (item.style.name if item.style is not None else "") or ""
            blocks.append((text, style.casefold()))
    return blocks


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
