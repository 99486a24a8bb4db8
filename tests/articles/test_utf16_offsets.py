"""Sentence offsets in UTF-16 code units, for JavaScript clients (issue #10, item 8).

``start``/``end`` count code points; ``start_utf16``/``end_utf16`` count what
JavaScript's string indexes count, where an emoji or a mathematical letter takes two units.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articles.offsets import utf16_offsets

ASTRAL_TEXT = (
    "Launch day 🚀 for the app.\n\n"
    "Its rival 𝕏 posted 😀😀 at noon. Critics say the move was a mistake.\n\n"
    "Analysts 👍🏽 agree. The end."
)


def _js_slice(text: str, start: int, end: int) -> str:
    """``text.slice(start, end)`` as JavaScript computes it (UTF-16 code units)."""
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60), st.data())
def test_offsets_match_the_utf16_encoding(text, data):
    offsets = data.draw(st.lists(st.integers(0, len(text))))
    expected = [len(text[:o].encode("utf-16-le")) // 2 for o in offsets]
    assert utf16_offsets(text, offsets) == expected


@pytest.mark.django_db
def test_article_detail_and_sentence_pages_give_utf16_offsets(
    client_for, annotator, corpus, make_article
):
    article = make_article(corpus, ASTRAL_TEXT, title="Astral")
    client = client_for(annotator)
    detail = client.get(f"/api/articles/{article.pk}/").json()
    page = client.get(f"/api/articles/{article.pk}/sentences/", {"offset": 1}).json()
    assert len(detail["sentences"]) >= 5
    for rows in (detail["sentences"], page["results"]):
        for s in rows:
            assert ASTRAL_TEXT[s["start"] : s["end"]] == s["text"]  # code points
            assert _js_slice(ASTRAL_TEXT, s["start_utf16"], s["end_utf16"]) == s["text"]
    last = detail["sentences"][-1]
    # Six astral characters come before it: rocket, double-struck X, two smileys, thumb, tone.
    assert last["start_utf16"] - last["start"] == 6
    assert page["results"][-1] == last
