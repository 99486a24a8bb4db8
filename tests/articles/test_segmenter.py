"""Tests of articles.segmenter: its invariants and hard cases (no database, no Django).

The invariants are those of docs/architecture.md, invariant 1 (exact offsets).
"""

from __future__ import annotations

import random

import pytest

from articles.segmenter import SEGMENTER_VERSION, Segment, segment, spans


def texts_of(text: str) -> list[str]:
    return [text[s.start : s.end] for s in segment(text)]


def check_invariants(text: str) -> list[Segment]:
    segs = segment(text)
    assert spans(text) == [(s.start, s.end) for s in segs]
    covered = [False] * len(text)
    prev_end = 0
    prev_para = -1
    for s in segs:
        assert isinstance(s, Segment)
        assert s.kind in ("sentence", "heading")
        assert 0 <= s.start < s.end <= len(text)
        assert s.start >= prev_end, "segments overlap or are out of order"
        piece = text[s.start : s.end]
        assert piece == piece.strip(), f"untrimmed segment {piece!r}"
        lines = [line for line in piece.splitlines() if line.strip()]
        if len(lines) > 1:
            # the one exception: a byline whose "By" stands on a line of its own
            assert s.kind == "heading" and len(lines) == 2, "a line end is a hard boundary"
            assert lines[0].strip().rstrip(":").lower().endswith("by"), piece
        assert s.paragraph >= prev_para
        for i in range(s.start, s.end):
            covered[i] = True
        prev_end = s.end
        prev_para = s.paragraph
    for i, ch in enumerate(text):
        if not ch.isspace():
            assert covered[i], f"character {ch!r} at {i} not covered"
    return segs


# --------------------------------------------------------------------------
# API and invariants
# --------------------------------------------------------------------------


def test_version_is_a_string():
    assert isinstance(SEGMENTER_VERSION, str) and SEGMENTER_VERSION


@pytest.mark.parametrize("text", ["", " ", "\n", "\n\n  \t\n", "\u00a0\u2003"])
def test_empty_and_whitespace_only(text):
    assert segment(text) == []
    assert spans(text) == []


INVARIANT_CASES = [
    "One sentence.",
    "No final punctuation",
    "  Leading and trailing space.  ",
    "First. Second! Third? Fourth…",
    "Line one.\nLine two.\n\nLine three after a blank line.\n",
    "\n\n\nStarts with newlines. And more.",
    "Trailing newlines.\n\n\n",
    "A\tB. C\u00a0D. E",
    "...",
    ". . .",
    "?!?",
    '"',
    "“”",
    "1. 2. 3.",
    "a. b. c.",
    "Dr. Mr. Mrs. U.S. e.g.",
    "x" * 500,
    "Word.\u2028Other word.",
    "Hello :) World :( ok ;)",
    "[1] [2] [3]. [4]",
    "http://example.com http://example.org Next.",
    "• one • two • three",
    'He said: "Go." Then left.\r\nCR here.',
]


@pytest.mark.parametrize("text", INVARIANT_CASES)
def test_invariants_on_edge_cases(text):
    check_invariants(text)


def test_randomised_fuzz_keeps_invariants():
    rng = random.Random(20240601)
    pieces = [
        "a",
        "B",
        "word",
        "Word",
        "U.S.",
        "Dr.",
        "e.g.",
        "p.m.",
        "3.5",
        "$1.2",
        "No.",
        ".",
        "..",
        "...",
        ". . .",
        "…",
        "!",
        "?",
        "?!",
        '"',
        "'",
        "“",
        "”",
        "‘",
        "’",
        "(",
        ")",
        "[",
        "]",
        "[1]",
        "—",
        "–",
        "-",
        "--",
        ":",
        ";",
        ",",
        "•",
        "1.",
        "2)",
        ":)",
        "é",
        "Ünïcödé",
        "http://x.org",
        " ",
        " ",
        " ",
        "  ",
        "\t",
        "\n",
        "\n\n",
        "\u00a0",
    ]
    for _ in range(3000):
        n = rng.randint(0, 60)
        text = "".join(rng.choice(pieces) for _ in range(n))
        check_invariants(text)


def test_paragraph_indices_count_nonblank_lines():
    text = "Title line\n\nFirst para. Still first.\nSecond para.\n\n\nThird para."
    segs = check_invariants(text)
    assert [(text[s.start : s.end], s.paragraph) for s in segs] == [
        ("Title line", 0),
        ("First para.", 1),
        ("Still first.", 1),
        ("Second para.", 2),
        ("Third para.", 3),
    ]


def test_newline_is_hard_boundary_even_mid_sentence():
    text = "This sentence is broken\nacross two lines without a stop"
    assert texts_of(text) == [
        "This sentence is broken",
        "across two lines without a stop",
    ]


# --------------------------------------------------------------------------
# Basic splitting
# --------------------------------------------------------------------------


def test_simple_sentences():
    assert texts_of("Hello World. My name is Jonas.") == ["Hello World.", "My name is Jonas."]
    assert texts_of("What is your name? My name is Jonas.") == [
        "What is your name?",
        "My name is Jonas.",
    ]
    assert texts_of("There it is! I found it.") == ["There it is!", "I found it."]


def test_repeated_punctuation():
    assert texts_of("Hello!! Long time no see.") == ["Hello!!", "Long time no see."]
    assert texts_of("Really?! Is that you?") == ["Really?!", "Is that you?"]


# --------------------------------------------------------------------------
# Abbreviations
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Lt. Gen. Herzi Halevi resigned on Tuesday.",
        "Gen. Mark Milley spoke to Dr. Smith at 5 p.m. on Friday.",
        "The U.S. Army and the U.K. government disagreed.",
        "Some members, e.g. the chair, abstained.",
        "Costs rose, i.e. prices went up.",
        "The vote is set for Jan. 15 in the Senate.",
        "Sen. Warren and Rep. Ocasio-Cortez co-wrote the bill.",
        "Smith vs. Jones was decided in 1990.",
        "Please turn to p. 55 of the report.",
        "She met Prof. Ng and Mr. and Mrs. Alvarez at St. Mary's.",
        "My name is Jonas E. Smith.",
        "I visited the U.S.A. last year.",
        "The talks were held in Washington, D.C. on Monday.",
        "Apple Inc. Chief Executive Tim Cook said nothing.",
        "See No. 10 and Fig. 3 for details.",
    ],
)
def test_abbreviations_inside_a_sentence(text):
    assert texts_of(text) == [text]


def test_abbreviation_at_sentence_end():
    text = "The deal was brokered by the U.S. On Friday, talks resumed."
    assert texts_of(text) == ["The deal was brokered by the U.S.", "On Friday, talks resumed."]
    text = "Prices fell sharply in Feb. Economists were surprised."
    assert texts_of(text) == ["Prices fell sharply in Feb.", "Economists were surprised."]
    text = "The meeting ended at 6 p.m. The next one is tomorrow."
    assert texts_of(text) == ["The meeting ended at 6 p.m.", "The next one is tomorrow."]
    text = "They hired Pitt, Briggs & Co. It closed yesterday."
    assert texts_of(text) == ["They hired Pitt, Briggs & Co.", "It closed yesterday."]


def test_etc_at_sentence_end():
    text = "They sell tea, coffee, etc. The shop opens at nine."
    assert texts_of(text) == ["They sell tea, coffee, etc.", "The shop opens at nine."]


def test_initials_and_pronoun_i():
    text = "We make a good team, you and I. Did you see Albert I. Jones yesterday?"
    assert texts_of(text) == [
        "We make a good team, you and I.",
        "Did you see Albert I. Jones yesterday?",
    ]


# --------------------------------------------------------------------------
# Quotations
# --------------------------------------------------------------------------


def test_closing_quote_attaches_to_its_sentence():
    text = '"Stop. Think. Then act," the general said. Nobody moved.'
    assert texts_of(text) == ['"Stop. Think. Then act," the general said.', "Nobody moved."]
    text = "She turned to him, “This is great.” She held the book out."
    assert texts_of(text) == ["She turned to him, “This is great.”", "She held the book out."]


def test_quote_followed_by_lowercase_attribution():
    text = "“Are we there yet?” she asked. The driver laughed."
    assert texts_of(text) == ["“Are we there yet?” she asked.", "The driver laughed."]
    text = "She turned to him, 'This is great.' she said."
    assert texts_of(text) == [text]


def test_quote_followed_by_name_and_speech_verb():
    text = "“Can you hear me?” Maria asked. Nobody answered."
    assert texts_of(text) == ["“Can you hear me?” Maria asked.", "Nobody answered."]


def test_curly_quotes_and_em_dashes():
    text = "“We will not yield,” he said — and then he left. Critics weren’t convinced."
    assert texts_of(text) == [
        "“We will not yield,” he said — and then he left.",
        "Critics weren’t convinced.",
    ]


# --------------------------------------------------------------------------
# Ellipses, numbers, lists, citations, brackets
# --------------------------------------------------------------------------


def test_ellipses():
    assert texts_of("I never meant that.... She left the store.") == [
        "I never meant that....",
        "She left the store.",
    ]
    text = "I wasn’t really ... well, what I mean...see . . . what I'm saying."
    assert texts_of(text) == [text]
    assert texts_of("He paused… Then he spoke.") == ["He paused…", "Then he spoke."]


def test_numbers_are_not_boundaries():
    text = "Growth was 3.5 percent and the plan costs $1.2 billion, up from 0.9 last year."
    assert texts_of(text) == [text]
    assert texts_of("She has $100.00. It is in her bag.") == [
        "She has $100.00.",
        "It is in her bag.",
    ]
    assert texts_of("The war began in 2003. It lasted years.") == [
        "The war began in 2003.",
        "It lasted years.",
    ]


def test_numbered_lists():
    assert texts_of("1. First item\n2. Second item") == ["1. First item", "2. Second item"]
    assert texts_of("1. The first item 2. The second item") == [
        "1. The first item",
        "2. The second item",
    ]
    assert texts_of("1) The first item. 2) The second item.") == [
        "1) The first item.",
        "2) The second item.",
    ]
    assert texts_of("a. The first item b. The second item") == [
        "a. The first item",
        "b. The second item",
    ]
    assert texts_of("• 9. The first item • 10. The second item") == [
        "• 9. The first item",
        "• 10. The second item",
    ]


def test_citations_and_brackets():
    text = "He was born in 1788. [3] He died in 1824. [4][5]\nNext paragraph."
    assert texts_of(text) == [
        "He was born in 1788. [3]",
        "He died in 1824. [4][5]",
        "Next paragraph.",
    ]
    text = "He teaches science (He previously worked as an engineer.) at the school."
    assert texts_of(text) == [text]
    text = '"Bohr [...] used the analogy of parallel stairways [...]" (Smith 55).'
    assert texts_of(text) == [text]


def test_urls_and_emails_are_not_split():
    text = "Her email is Jane.Doe@example.com. I sent her an email."
    assert texts_of(text) == ["Her email is Jane.Doe@example.com.", "I sent her an email."]
    text = "The site is: https://www.example.com/new-site/page.html. Please check it out."
    assert texts_of(text) == [
        "The site is: https://www.example.com/new-site/page.html.",
        "Please check it out.",
    ]


def test_missing_space_after_stop():
    assert texts_of("We loved the food.The staff were kind.") == [
        "We loved the food.",
        "The staff were kind.",
    ]


# --------------------------------------------------------------------------
# Headings and bylines
# --------------------------------------------------------------------------

ARTICLE = (
    "Why Did the Talks Collapse? – Analysis\n"
    "\n"
    "The negotiations ended abruptly on Jan. 5. Officials in the U.S. blamed both sides.\n"
    "Diplomats said the gap was narrow. It is possible that talks resume soon.\n"
    "A Fragile Ceasefire\n"
    "According to Reuters, 1,200 people were displaced. Aid groups warned of shortages.\n"
    "By\n"
    "\n"
    "– Jane Doe\n"
)


def test_article_shape_headings_and_byline():
    segs = check_invariants(ARTICLE)
    got = [(ARTICLE[s.start : s.end], s.paragraph, s.kind) for s in segs]
    assert got == [
        ("Why Did the Talks Collapse? – Analysis", 0, "heading"),
        ("The negotiations ended abruptly on Jan. 5.", 1, "sentence"),
        ("Officials in the U.S. blamed both sides.", 1, "sentence"),
        ("Diplomats said the gap was narrow.", 2, "sentence"),
        ("It is possible that talks resume soon.", 2, "sentence"),
        ("A Fragile Ceasefire", 3, "heading"),
        ("According to Reuters, 1,200 people were displaced.", 4, "sentence"),
        ("Aid groups warned of shortages.", 4, "sentence"),
        ("By\n\n– Jane Doe", 5, "heading"),
    ]


@pytest.mark.parametrize(
    "line",
    ["By Jane Doe", "WASHINGTON, March 3, 2025", "Monday, 3 March 2025", "Opinion", "Analysis"],
)
def test_short_lines_without_stop_are_headings(line):
    segs = segment(f"{line}\nA sentence follows here.")
    assert segs[0].kind == "heading"
    assert segs[0] == Segment(0, len(line), 0, "heading")
    assert segs[1].kind == "sentence"


@pytest.mark.parametrize(
    "line",
    [
        "This is a normal line of prose.",
        "Is this a question?",
        "It ends with a quotation.”",
        "The following points matter:",
    ],
)
def test_prose_lines_are_sentences(line):
    assert [s.kind for s in segment(line)] == ["sentence"]


def test_line_with_several_sentences_but_no_final_stop_is_prose():
    segs = segment("Yes. I agree with that")
    assert [s.kind for s in segs] == ["sentence", "sentence"]


# --------------------------------------------------------------------------
# Unicode
# --------------------------------------------------------------------------


def test_non_ascii_letters_and_offsets():
    text = "Ümit Özdağ spoke in Ankara. Señora Núñez replied in Spanish.\nΗ Αθήνα σιώπησε."
    segs = check_invariants(text)
    assert [text[s.start : s.end] for s in segs] == [
        "Ümit Özdağ spoke in Ankara.",
        "Señora Núñez replied in Spanish.",
        "Η Αθήνα σιώπησε.",
    ]
    assert [s.paragraph for s in segs] == [0, 0, 1]


def test_curly_single_quotes_and_apostrophes():
    text = "It’s the ‘deal of the century.’ Few believe it."
    assert texts_of(text) == ["It’s the ‘deal of the century.’", "Few believe it."]
