"""The first lines of an imported text as its title and byline.

Pasted text and plain files often start with the article's headline (and
sometimes a "By ..." line) before the body. ``lead_split`` takes those lines
out of the text so the article gets a title and its sentences start with the
body. The text that is stored is the body only, so sentence offsets are
offsets into it from the start (docs/architecture.md, invariant 1); nothing is
dropped silently: the import form's preview shows what was taken, and the
importer can keep the first line in the text instead (``keep_first_line``).

General rules only (no list of outlets or names): a headline is one short
line of words without final full stop, not a list item, byline, dateline or
address, followed by a blank line or by a line that starts a new sentence.
Pure Python: no Django import.
"""

from __future__ import annotations

import re
from typing import NamedTuple

HEADLINE_MAX_CHARS = 200
HEADLINE_MAX_WORDS = 25
BYLINE_MAX_WORDS = 10

_WORD = re.compile(r"\w+", re.UNICODE)
# "By Jane Doe", "By Jane Doe and John Roe, Staff Writers"
_BYLINE = re.compile(r"^(?:by|von|par|por)\s+(\S.*)$", re.IGNORECASE)
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|"
    "july|august|september|october|november|december"
)
# A line that is (mostly) a date: "2026-12-01", "1 December 2026", "Dec. 1, 2026",
# "Updated 12/01/2026 10:00", "Published: Monday 1 December".
_DATELINE = re.compile(
    r"^(?:(?:updated|published|posted|last\s+modified)\b[:\s]*"
    r"|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    r"(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"
    rf"|\d{{1,2}}\s+(?:{_MONTHS})\.?(?:\s+\d{{4}})?"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?)\b",
    re.IGNORECASE,
)
_LIST_MARKER = re.compile(r"^(?:[-*+\u2022\u2013\u2014]\s|\d{1,3}[.)]\s|[(\[]\d{1,3}[)\]]\s)")
_ADDRESS = re.compile(r"^(?:https?://|www\.)|\S+@\S+\.\w+", re.IGNORECASE)
# Two sentences on one line ("Prices rose. Wages fell") are prose, not a headline.
_OPENING_QUOTES = "\"'\u201c\u2018"
_INNER_STOP = re.compile(rf"\w[.!?]\s+[A-Z{_OPENING_QUOTES}]")


class Lead(NamedTuple):
    """What ``lead_split`` took from the start of a text."""

    title: str
    byline: str
    body: str


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def same_words(a: str, b: str) -> bool:
    """Whether two lines say the same words (case, punctuation and spacing aside)."""
    words = _words(a)
    return bool(words) and words == _words(b)


def looks_like_headline(line: str) -> bool:
    """Whether one line, on its own, has the shape of a headline."""
    line = line.strip()
    if not line or len(line) > HEADLINE_MAX_CHARS or not any(c.isalpha() for c in line):
        return False
    if len(line.split()) > HEADLINE_MAX_WORDS:
        return False
    # A final full stop (not an ellipsis) or a lead-in mark ends a sentence or a clause.
    if line.endswith((",", ";", ":")) or (line.endswith(".") and not line.endswith("...")):
        return False
    if _INNER_STOP.search(line):
        return False
    return not (
        _LIST_MARKER.match(line)
        or _BYLINE.match(line)
        or _DATELINE.match(line)
        or _ADDRESS.search(line)
        or line.startswith(("#", ">", "|", "<"))
    )


def _byline(line: str) -> str:
    """The names of a "By ..." line, or ""."""
    line = line.strip()
    match = _BYLINE.match(line)
    if not match or line.endswith(".") or len(line.split()) > BYLINE_MAX_WORDS + 1:
        return ""
    names = match.group(1).strip()
    return names if names[:1].isupper() else ""


def _lines(text: str, start: int) -> tuple[str, int, bool]:
    """The next non-blank line from ``start``: its text, where the rest begins,
    and whether a blank line came before it."""
    blank_before = False
    pos = start
    n = len(text)
    while pos < n:
        end = text.find("\n", pos)
        if end < 0:
            end = n
        line = text[pos:end]
        if line.strip():
            return line.strip(), end + 1, blank_before
        blank_before = True
        pos = end + 1
    return "", n, blank_before


def lead_split(text: str, *, title: str = "", heading: bool = False) -> Lead | None:
    """The title (and byline) at the start of ``text`` and the body after them,
    or None when the first line should stay in the text.

    ``title``: a title already known (from the file's metadata or the form);
    the first line is then taken out only when it says the same words.
    ``heading``: the first line is marked as a heading by the document itself
    (a Markdown ``#`` heading, a Word Title or Heading 1 paragraph), so its
    shape is not judged.
    """
    first, after_first, _ = _lines(text, 0)
    if not first:
        return None
    if title:
        if not same_words(first, title):
            return None
    elif not heading and not looks_like_headline(first):
        return None
    following, after_following, blank = _lines(text, after_first)
    if not following:
        return None  # the line is the whole text: nothing would be left to label
    # Without a blank line, the next line must start a sentence of its own:
    # a hard-wrapped paragraph continues in lower case.
    starts = following[0].isupper() or following[0].isdigit() or following[0] in _OPENING_QUOTES
    if not (heading or title or blank or starts):
        return None
    byline = _byline(following)
    body_start = after_first
    if byline:
        rest, _after, _ = _lines(text, after_following)
        if rest:
            body_start = after_following
        else:
            byline = ""
    body = text[body_start:].lstrip()
    return Lead(title=title or first, byline=byline, body=body)
