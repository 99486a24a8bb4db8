"""Boundary rules of articles.segmenter added for issue #12 (no database, no Django).

Each known wrong boundary of the issue is held here by a general rule, with
near misses that must stay as they were.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.segmenter import segment
from tests.articles.test_segmenter import check_invariants


def texts_of(text: str) -> list[str]:
    return [text[s.start : s.end] for s in check_invariants(text)]


# --------------------------------------------------------------------------
# A capitalised sentence after an abbreviation
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first"),
    [
        (
            "The office closed at 5 p.m. Officials declined to comment.",
            "The office closed at 5 p.m.",
        ),
        ("The vote ended at 10 a.m. Turnout was low.", "The vote ended at 10 a.m."),
        (
            "The money came from the U.S. Russia responded with sanctions.",
            "The money came from the U.S.",
        ),
        (
            "The fire started in a shop on Main St. The owner was away.",
            "The fire started in a shop on Main St.",
        ),
        (
            "The plant belongs to Apple Inc. Employees were told to stay home.",
            "The plant belongs to Apple Inc.",
        ),
        (
            "Talks were held with officials of the U.K. Britain has denied it.",
            "Talks were held with officials of the U.K.",
        ),
    ],
)
def test_capitalised_sentence_after_an_abbreviation_splits(text, first):
    got = texts_of(text)
    assert got == [first, text[len(first) + 1 :]]


@pytest.mark.parametrize(
    "text",
    [
        "The meeting starts at 5 p.m. Friday in the main hall.",
        "The call is at 9 a.m. EST on the first line.",
        "The U.S. Senate voted on the bill on Tuesday.",
        "Apple Inc. Chief Executive Tim Cook said nothing.",
        "He served three years in the U.S. Army and then left.",
        "She grew up near St. Mary's church.",
        "At 5 a.m. Mr. Smith left the house.",
        "The call is at 2:00 p.m. (4:00 p.m. Toronto time) on Thursday.",
    ],
)
def test_abbreviation_inside_a_sentence_stays(text):
    assert texts_of(text) == [text]


# --------------------------------------------------------------------------
# Quotations
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "“Stop. Think. Then act,” the general told his officers.",
        "\"He told me, 'Stop. Go now.' Then he left,\" she said.",
        '"No. Never. Not again," the minister said.',
    ],
)
def test_clipped_quotation_closed_by_a_comma_is_one_sentence(text):
    assert texts_of(text + " Nobody moved.") == [text, "Nobody moved."]


def test_quotation_of_full_sentences_is_still_split():
    text = '"They are not in any hurry. They want a program that will be a success," he said.'
    assert texts_of(text) == [
        '"They are not in any hurry.',
        'They want a program that will be a success," he said.',
    ]


def test_unclosed_quotation_does_not_swallow_the_line():
    text = "He said “Stop. Go now. The next quotation opens here “Fine,” she said."
    assert texts_of(text)[0] == "He said “Stop."


# --------------------------------------------------------------------------
# Markers opening a line, on any line
# --------------------------------------------------------------------------


@pytest.mark.parametrize("marker", ["Figure 3.", "Fig. 2.", "Table 1.", "2.", "iv.", "• 3."])
def test_line_marker_on_a_later_line(marker):
    text = f"The first line ends here.\n{marker} The map of the region shows growth."
    assert texts_of(text) == [
        "The first line ends here.",
        f"{marker} The map of the region shows growth.",
    ]


def test_line_marker_on_the_first_line_still_holds():
    text = "Figure 3. The map of the region shows growth."
    assert texts_of(text) == [text]


# --------------------------------------------------------------------------
# Line ends and stops beyond ASCII
# --------------------------------------------------------------------------


@pytest.mark.parametrize("end", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\r", "\r\n", "\x1e"])
def test_every_line_end_is_a_hard_boundary(end):
    text = f"First line without a stop{end}Second line. And a third sentence."
    segs = segment(text)
    assert [text[s.start : s.end] for s in segs] == [
        "First line without a stop",
        "Second line.",
        "And a third sentence.",
    ]
    assert [s.paragraph for s in segs] == [0, 1, 1]


def test_arabic_question_mark_ends_a_sentence():
    text = "هل أنت هنا؟ نعم، أنا هنا."
    assert texts_of(text) == ["هل أنت هنا؟", "نعم، أنا هنا."]


PIECES = st.sampled_from(
    [
        *("Word", "word", "U.S.", "p.m.", "Inc.", "St.", " ", " ", ". ", "? ", "؟ ", "By"),
        *("“", "”", '"', ",", "Figure 3.", "2.", "- ", "• ", "Officials", "said", "The", "is"),
        *("\n", "\n\n"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(PIECES, max_size=40),
    st.sampled_from(["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\r"]),
)
def test_any_line_end_segments_as_a_newline(pieces, end):
    text = "".join(pieces)
    other = text.replace("\n", end)
    check_invariants(other)
    assert segment(other) == segment(text)
