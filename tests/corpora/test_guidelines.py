"""Guidelines Markdown: sanitised, and its headings placed under the page's own."""

from __future__ import annotations

import pytest

from corpora.guidelines import IN_PAGE, guidelines_html

MARKDOWN = (
    "# Guidelines\n\nIntro.\n\n## Claims\n\n### Edge cases\n\n#### Deeper\n\n##### Five\n\n"
    '###### Six\n\n<h1 onclick="x()">Raw heading</h1>\n\n`<h1>in code</h1>`\n'
)


def test_in_a_page_headings_start_at_h3_and_never_go_below_h6():
    html = guidelines_html(MARKDOWN, top_heading=IN_PAGE)
    assert "<h1" not in html and "<h2" not in html
    assert "<h3>Guidelines</h3>" in html
    assert "<h4>Claims</h4>" in html
    assert "<h5>Edge cases</h5>" in html
    assert "<h6>Deeper</h6>" in html and "<h6>Five</h6>" in html and "<h6>Six</h6>" in html
    # Raw HTML headings move too, still without their attributes.
    assert "<h3>Raw heading</h3>" in html and "onclick" not in html
    # Text that only looks like a heading tag stays text.
    assert "<code>&lt;h1&gt;in code&lt;/h1&gt;</code>" in html


def test_by_default_headings_keep_their_level_for_api_clients():
    html = guidelines_html(MARKDOWN)
    assert "<h1>Guidelines</h1>" in html and "<h2>Claims</h2>" in html


def test_demoting_keeps_the_sanitising():
    html = guidelines_html(
        "# T\n\n<script>alert(1)</script>[x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        top_heading=IN_PAGE,
    )
    assert "<script" not in html and "javascript:" not in html
    assert "onerror" not in html and "<img" not in html


def test_a_heading_level_outside_1_to_6_is_refused():
    with pytest.raises(ValueError, match="1 to 6"):
        guidelines_html("# x", top_heading=7)
