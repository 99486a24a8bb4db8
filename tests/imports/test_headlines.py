"""A first line becomes the title only when it reads like a headline (imports.headlines)."""

from __future__ import annotations

import pytest

from imports.headlines import lead_split, looks_like_headline, same_words

BODY = "Inflation is falling. Rates are still high.\n\nThe second paragraph says more."


@pytest.mark.parametrize(
    "first",
    [
        "Why the Fed Should Wait",  # title case
        "Why the fed should wait before it cuts again",  # sentence case
        "Is this the end of cheap money?",  # a question
        "Europe's long goodbye to coal...",  # an ellipsis is no full stop
        "Opinion: The council got it wrong",
    ],
)
def test_a_headline_followed_by_a_blank_line_becomes_the_title(first):
    lead = lead_split(f"{first}\n\n{BODY}")
    assert lead is not None
    assert (lead.title, lead.body) == (first, BODY)


@pytest.mark.parametrize(
    "first",
    [
        "Inflation is falling.",  # a sentence with its full stop
        "Prices rose. Wages fell",  # two sentences
        "By Jane Doe",  # a byline
        "December 1, 2026",  # a dateline
        "2026-12-01",
        "Updated 12/01/2026 10:00",
        "- a list item",
        "1. a numbered item",
        "https://example.org/story",
        "What the council said:",  # a lead-in to what follows
        "A very long first line " + "with many words " * 12,  # too long for a headline
        "# a Markdown heading marker left in plain text",
        "12345",  # no letters
    ],
)
def test_a_line_that_is_not_a_headline_stays_in_the_text(first):
    assert not looks_like_headline(first)
    assert lead_split(f"{first}\n\n{BODY}") is None


def test_a_hard_wrapped_paragraph_is_not_split_at_its_first_line():
    text = "The council argued for a long time about the\nnumbers in the budget and nobody agreed."
    assert lead_split(text) is None


def test_without_a_blank_line_the_next_line_must_start_a_sentence():
    lead = lead_split("Budget Talks Collapse\nThe council met on Monday. It argued.")
    assert lead is not None and lead.body == "The council met on Monday. It argued."


def test_a_line_alone_is_never_taken_away():
    assert lead_split("Budget Talks Collapse") is None
    assert lead_split("Budget Talks Collapse\n\n   \n") is None


def test_a_byline_under_the_headline_becomes_the_author():
    lead = lead_split(f"Budget Talks Collapse\nBy Jane Doe and John Roe\n\n{BODY}")
    assert lead is not None
    assert (lead.title, lead.byline, lead.body) == (
        "Budget Talks Collapse",
        "Jane Doe and John Roe",
        BODY,
    )


def test_a_known_title_takes_the_first_line_only_when_it_says_the_same_words():
    assert (
        lead_split(f"BUDGET talks: collapse\n\n{BODY}", title="Budget Talks Collapse") is not None
    )
    assert lead_split(f"Something else entirely\n\n{BODY}", title="Budget Talks Collapse") is None


def test_a_heading_marked_by_the_document_is_taken_whatever_its_shape():
    lead = lead_split(f"A heading that ends with a stop.\n\n{BODY}", heading=True)
    assert lead is not None and lead.title == "A heading that ends with a stop."


def test_the_body_is_the_end_of_the_text_so_offsets_do_not_drift():
    text = f"  Budget Talks Collapse  \n\n\n{BODY}"
    lead = lead_split(text)
    assert lead is not None and text.endswith(lead.body) and lead.body.startswith("Inflation")


def test_same_words_ignores_case_and_punctuation():
    assert same_words("Why the Fed should wait", "why the fed — should wait!")
    assert not same_words("", "")
