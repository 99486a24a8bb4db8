"""Heading detection of articles.segmenter (issue #12): a heading by its layout,
never just because a line lacks a final stop (no database, no Django).

Precision and recall on a labeled set are measured by bench/heading_eval.py
(bench/README.md, "Heading detection"); these tests pin the rules one by one.
"""

from __future__ import annotations

import pytest

from articles.segmenter import segment
from tests.articles.test_segmenter import check_invariants

PROSE_BEFORE = "The minister spoke for an hour."
PROSE_AFTER = "Nobody in the room agreed with him."


def kinds(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.kind) for s in check_invariants(text)]


def kind_of_middle_line(line: str) -> str:
    text = f"{PROSE_BEFORE}\n{line}\n{PROSE_AFTER}"
    segs = [s for s in check_invariants(text) if s.paragraph == 1]
    assert len(segs) == 1, segs
    assert text[segs[0].start : segs[0].end] == line
    return segs[0].kind


@pytest.mark.parametrize(
    "line",
    [
        # the examples
        "Taxes will rise by 20 percent under this plan",
        "This is the worst policy in decades",
        # a clause: pronoun subject, auxiliary, modal or negation
        "Nobody saw it coming",
        "We cannot afford another year like this",
        "Prices have doubled since January",
        "It's time to vote them out",
        "It’s time to vote them out",
        "They should have listened to the engineers",
        # long lines in sentence case
        "The opposition leader resigned after the vote on the budget",
        "Central bank raises rates for the third time this year",
    ],
)
def test_unpunctuated_proposition_is_a_sentence(line):
    assert kind_of_middle_line(line) == "sentence"


@pytest.mark.parametrize(
    "line",
    [
        "A Fragile Ceasefire",
        "Netanyahu’s Political Survival and Trump",
        "What happens next",
        "THE ECONOMY",
        "Early life and education",
        "Related coverage",
        "Photo: Reuters",
        "Jane Doe",
        "Monday, 3 March 2025",
    ],
)
def test_title_case_capitals_and_short_lines_without_a_clause_are_headings(line):
    assert kind_of_middle_line(line) == "heading"


@pytest.mark.parametrize(
    "line",
    ["So Where Does This Lead Us?", "Is the Ceasefire Over?", "WHAT NOW?", "Remember the Alamo!"],
)
def test_question_or_exclamation_in_title_case_is_a_heading(line):
    assert kind_of_middle_line(line) == "heading"


@pytest.mark.parametrize(
    "line", ["Is the ceasefire over?", "Who pays for it?", "Never again!", "Why?"]
)
def test_question_or_exclamation_in_sentence_case_is_a_sentence(line):
    assert kind_of_middle_line(line) == "sentence"


@pytest.mark.parametrize(
    "items",
    [
        ["- Pensions are cut by a third", "- Schools lose their funding"],
        ["• Pensions", "• Schools", "• Defence"],
        ["* Inflation fell to 2 percent", "* Wages rose faster than prices"],
        ["1. The vote was rigged", "2. The count was late"],
        ["a) lower taxes", "b) fewer rules"],
    ],
)
def test_bullet_and_list_items_are_sentences(items):
    text = "The plan has three parts:\n" + "\n".join(items)
    assert [k for _, k in kinds(text)] == ["sentence"] * (len(items) + 1)


def test_numbered_heading_in_title_case_stays_a_heading():
    text = "2. Mountain Visualization\nAnother thing you can do is picture a mountain."
    assert kinds(text)[0] == ("2. Mountain Visualization", "heading")


def test_byline_over_two_lines_is_one_heading():
    text = "It was a long war.\nBy\n\n– Robert Inlakesh\n"
    segs = check_invariants(text)
    assert [(text[s.start : s.end], s.kind, s.paragraph) for s in segs] == [
        ("It was a long war.", "sentence", 0),
        ("By\n\n– Robert Inlakesh", "heading", 1),
    ]


def test_by_before_a_sentence_is_not_merged():
    text = "By\nThe end of the year, prices had doubled."
    assert kinds(text) == [
        ("By", "heading"),
        ("The end of the year, prices had doubled.", "sentence"),
    ]


def test_sample_article_headings():
    text = (
        "What Truly Lies Behind Trump’s Direct Negotiations With Hamas? – Analysis\n\n"
        "If the US is going to prevent an outcome like this, it must act.\n"
        "Netanyahu’s Political Survival and Trump\n"
        "The Gaza ceasefire was almost the same proposal.\n"
        "So Where Does This Lead Us?\n"
        "If the above-mentioned theory is true, the issues are wider.\n"
        "By\n\n– Robert Inlakesh"
    )
    headings = [t for t, k in kinds(text) if k == "heading"]
    assert headings == [
        "What Truly Lies Behind Trump’s Direct Negotiations With Hamas? – Analysis",
        "Netanyahu’s Political Survival and Trump",
        "So Where Does This Lead Us?",
        "By\n\n– Robert Inlakesh",
    ]


def test_line_of_several_sentences_is_never_a_heading():
    assert [s.kind for s in segment("Yes. I agree with that")] == ["sentence", "sentence"]
    assert [s.kind for s in segment("Stop. Now")] == ["sentence", "sentence"]
