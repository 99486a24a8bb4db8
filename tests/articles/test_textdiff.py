"""Where an old text's characters are in a corrected one (``articles.textdiff``).

A paragraph added or removed is placed where it reads as one, so the sentences around it
keep their rows and labels (docs/architecture.md, invariant 3); the blocks always describe
equal text, whatever the input (invariant 9: bounded work).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from articles.textdiff import MAX_SLIDE, OffsetMap, equal_blocks

OLD = "Budget Day\n\nThe council approved it.\n"
ADDED = "The tram line opens in May. Nobody expects delays.\n\n"
NEW = OLD.replace("Budget Day\n\n", "Budget Day\n\n" + ADDED)
SENTENCE = "The council approved it."


def _valid(old: str, new: str, blocks) -> None:
    position_old = position_new = 0
    for b in blocks:
        assert b.size > 0 and b.old >= position_old and b.new >= position_new
        assert old[b.old : b.old + b.size] == new[b.new : b.new + b.size]
        position_old, position_new = b.old + b.size, b.new + b.size


def test_an_added_paragraph_is_placed_whole_and_the_next_sentence_maps_unchanged():
    """Without the slide, the common beginning would run into "The " of the added
    paragraph and split the next sentence's characters between two places."""
    blocks = equal_blocks(OLD, NEW)
    _valid(OLD, NEW, blocks)
    start = OLD.index(SENTENCE)
    mapped = OffsetMap(blocks, len(NEW)).span(start, start + len(SENTENCE))
    assert mapped is not None and NEW[mapped[0] : mapped[1]] == SENTENCE


def test_a_removed_paragraph_is_placed_whole_too():
    blocks = equal_blocks(NEW, OLD)
    _valid(NEW, OLD, blocks)
    start = NEW.index(SENTENCE)
    mapped = OffsetMap(blocks, len(OLD)).span(start, start + len(SENTENCE))
    assert mapped is not None and OLD[mapped[0] : mapped[1]] == SENTENCE


def test_a_typo_fixed_inside_a_word_keeps_every_other_character():
    old, new = "Critcs say so.", "Critics say so."
    blocks = equal_blocks(old, new)
    _valid(old, new, blocks)
    assert sum(b.size for b in blocks) == len(old)


def test_a_slide_past_its_bound_stops_there_and_the_blocks_stay_exact():
    """On a run of one character an insertion could slide back to the start; it goes at
    most MAX_SLIDE characters (a loop bounded whatever the text)."""
    old = "x\n\n" + "a" * (3 * MAX_SLIDE)
    new = "x\n\n" + "a" * (3 * MAX_SLIDE + 1)
    blocks = equal_blocks(old, new)
    _valid(old, new, blocks)
    assert sum(b.size for b in blocks) == len(old)
    # The blank line would be the best place, but it lies past the bound.
    assert blocks[0].size >= len(old) - MAX_SLIDE


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="ab .\n", max_size=40),
    st.text(alphabet="ab .\n", max_size=12),
    st.integers(min_value=0, max_value=40),
)
def test_an_insertion_or_deletion_anywhere_keeps_every_character_in_common(base, piece, at):
    at = min(at, len(base))
    longer = base[:at] + piece + base[at:]
    for old, new in ((base, longer), (longer, base)):
        blocks = equal_blocks(old, new)
        _valid(old, new, blocks)
        assert sum(b.size for b in blocks) == min(len(old), len(new))


def test_a_typo_fixed_between_two_other_changes_keeps_its_word_s_other_characters():
    """Several fixes in one correction are diffed word by word between the first and the
    last; the fixed word still shares its unchanged characters, so a short sentence with
    a typo fixed stays the same sentence (>= 90 % shared: its label needs no check)."""
    old = "Budget Day. Critcs say so. It is possible that talks fail."
    new = "Budget Days. Critics say so. Nobody expects that talks fail."
    blocks = equal_blocks(old, new)
    _valid(old, new, blocks)
    start = old.index("Critcs say so.")
    fixed = new.index("Critics say so.")
    span = (start, start + len("Critcs say so."))
    shared = OffsetMap(blocks, len(new)).shared(span, (fixed, fixed + len("Critics say so.")))
    assert shared == len("Critcs say so.")
    assert 2 * shared / (len("Critcs say so.") + len("Critics say so.")) >= 0.9


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab .\n", max_size=40), st.text(alphabet="ab .\n", max_size=40))
def test_any_two_texts_give_exact_ordered_blocks(old, new):
    _valid(old, new, equal_blocks(old, new))
