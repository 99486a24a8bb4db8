"""Corpus guidelines: Markdown in, sanitised HTML out; what changed between two versions.

The one place where text from users becomes HTML, so it goes through an
allow-list sanitiser (docs/architecture.md, invariant 5: text is never
interpreted as HTML).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import markdown
import nh3

_TAGS = {
    "a", "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong",
    "em", "b", "i", "code", "pre", "blockquote", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip

# nh3 keeps no attribute on headings, so after it every heading tag is
# exactly <hN> or </hN>, raw HTML headings in the Markdown included.
_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")

# In a page, the guidelines sit under the page's h1 and a panel's h2.
IN_PAGE = 3


def guidelines_html(text: str, *, top_heading: int = 1) -> str:
    """Markdown rendered, then every tag or attribute outside a small allow-list dropped.

    ``top_heading`` is the level a "# Heading" becomes; deeper ones move down
    with it (never below h6). The API keeps 1: its clients place the HTML
    themselves.
    """
    if not 1 <= top_heading <= 6:
        raise ValueError(f"top_heading must be 1 to 6, not {top_heading}")
    rendered = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        rendered,
        tags=_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    if top_heading == 1:
        return clean
    shift = top_heading - 1
    return _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}>", clean)


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff of two guideline texts: ``kind`` is "same", "added" or "removed"."""

    kind: str
    text: str


MAX_DIFF_LINES = 2_000


def guidelines_diff(old: str, new: str, *, context: int = 2) -> list[DiffLine]:
    """What changed between two guideline texts, line by line (Markdown source).

    Unchanged lines further than ``context`` from a change are left out (one
    "same" line "…" stands for each run). The lines are data: a page shows
    them as text (escaped), never as HTML. At most ``MAX_DIFF_LINES`` lines.
    """
    a, b = old.splitlines(), new.splitlines()
    out: list[DiffLine] = []
    groups = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_grouped_opcodes(context)
    for n, group in enumerate(groups):
        if n:
            out.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(DiffLine("same", line) for line in a[i1:i2])
                continue
            if tag in ("delete", "replace"):
                out.extend(DiffLine("removed", line) for line in a[i1:i2])
            if tag in ("insert", "replace"):
                out.extend(DiffLine("added", line) for line in b[j1:j2])
        if len(out) > MAX_DIFF_LINES:
            return [*out[:MAX_DIFF_LINES], DiffLine("gap", "… (the rest of the changes)")]
    return out
