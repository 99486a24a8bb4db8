"""Corpus guidelines: Markdown in, sanitised HTML out (invariant 5 holds here too)."""

from __future__ import annotations

import markdown
import nh3

_TAGS = {
    "a", "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong",
    "em", "b", "i", "code", "pre", "blockquote", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def guidelines_html(text: str) -> str:
    """Markdown rendered, then every tag or attribute outside a small allow-list dropped."""
    rendered = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        rendered,
        tags=_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
