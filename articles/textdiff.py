"""Where the characters of an old text went in a new one: the equal blocks of a diff.

A corrected article keeps most of its text; labels follow their sentences by
the characters the old and new texts share. ``equal_blocks`` finds them: the
common beginning and end first (a typo fixed or a paragraph added changes one
stretch in the middle), then a word-level diff of what lies between, whose
differing words keep the characters they share at either end. When the
change only inserts or only deletes, it is moved to where it reads as one (a
whole paragraph, not "…\n\nThe " taken from the next one). Offsets are code
points. A leaf module: pure Python, no Django.

Work stays bounded whatever the texts (docs/architecture.md, invariant 8): the
beginning and end are compared in C, and the middle is diffed only while the
product of its token counts stays under ``MAX_DIFF_WORK``; past that, the
middle counts as rewritten (its labels are carried by position and asked to be
reviewed).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from difflib import SequenceMatcher
from typing import NamedTuple

TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
MAX_DIFF_WORK = 4_000_000


class Block(NamedTuple):
    """``size`` characters at ``old`` in the old text are the same at ``new`` in the new one."""

    old: int
    new: int
    size: int


def _common_prefix(a: str, b: str) -> int:
    # Halving compares slices in C: O(n log n) character comparisons, no Python loop per character.
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, min(len(a), len(b), limit)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _tokens(text: str) -> list[tuple[str, int]]:
    return [(m.group(), m.start()) for m in TOKEN.finditer(text)]


def equal_blocks(old: str, new: str) -> list[Block]:
    """The stretches the two texts share, in order, none overlapping."""
    if old == new:
        return [Block(0, 0, len(old))] if old else []
    prefix = _common_prefix(old, new)
    suffix = _common_suffix(old, new, min(len(old), len(new)) - prefix)
    if prefix + suffix == min(len(old), len(new)):
        # Only an insertion (or only a deletion): put it where it reads as one.
        longer = new if len(new) > len(old) else old
        prefix -= _slide(longer, prefix, abs(len(new) - len(old)))
        suffix = min(len(old), len(new)) - prefix
    blocks: list[Block] = []
    if prefix:
        blocks.append(Block(0, 0, prefix))
    middle_old = old[prefix : len(old) - suffix]
    middle_new = new[prefix : len(new) - suffix]
    if middle_old and middle_new:
        a, b = _tokens(middle_old), _tokens(middle_new)
        if len(a) * len(b) <= MAX_DIFF_WORK:
            matcher = SequenceMatcher(None, [t for t, _ in a], [t for t, _ in b], autojunk=False)
            done_a = done_b = 0  # tokens before these are matched or refined already
            for i, j, n in matcher.get_matching_blocks():
                if i > done_a and j > done_b:
                    # Words that differ between two matches: a fixed typo ("Critcs" ->
                    # "Critics") keeps the characters its word shares at either end.
                    blocks.extend(
                        _refined(
                            middle_old, middle_new, prefix,
                            (a[done_a][1], a[i][1] if i < len(a) else len(middle_old)),
                            (b[done_b][1], b[j][1] if j < len(b) else len(middle_new)),
                        )
                    )  # fmt: skip
                done_a, done_b = i + n, j + n
                if n == 0:
                    continue
                start_a, start_b = a[i][1], b[j][1]
                last_text, last_at = a[i + n - 1]
                size = last_at + len(last_text) - start_a
                blocks.append(Block(prefix + start_a, prefix + start_b, size))
    if suffix:
        blocks.append(Block(len(old) - suffix, len(new) - suffix, suffix))
    return _joined(blocks)


def _refined(
    old: str, new: str, offset: int, span_old: tuple[int, int], span_new: tuple[int, int]
) -> list[Block]:
    """The characters two differing stretches share at their start and end (compared in C)."""
    gap_old, gap_new = old[span_old[0] : span_old[1]], new[span_new[0] : span_new[1]]
    head = _common_prefix(gap_old, gap_new)
    tail = _common_suffix(gap_old, gap_new, min(len(gap_old), len(gap_new)) - head)
    out = []
    if head:
        out.append(Block(offset + span_old[0], offset + span_new[0], head))
    if tail:
        out.append(Block(offset + span_old[1] - tail, offset + span_new[1] - tail, tail))
    return out


# How far an insertion or a deletion may slide back to find a better place.
MAX_SLIDE = 10_000


def _boundary(text: str, at: int) -> int:
    """How good a place ``at`` is for a change to begin or end: the start or end of the
    text, then a blank line, a line break, a sentence's end, a space, punctuation."""
    if at <= 0 or at >= len(text):
        return 6
    before, after = text[at - 1], text[at]
    if before == "\n" and (after == "\n" or text[at - 2 : at] == "\n\n"):
        return 5
    if before == "\n" or after == "\n":
        return 4
    if before.isspace() and text[at - 2 : at - 1] in (".", "!", "?", "\u061f"):
        return 3
    if before.isspace() or after.isspace():
        return 2
    if not before.isalnum() or not after.isalnum():
        return 1
    return 0


def _slide(text: str, at: int, size: int) -> int:
    """How far back to move a change of ``size`` characters at ``at`` in ``text`` (the
    longer text: the inserted or deleted characters are ``text[at:at + size]``).

    The common beginning ends it as late as possible; moving it back by one keeps
    the same characters in common while the character before it equals its last
    one. Of those places, the one whose edges fall on the best boundaries (a
    paragraph added before "The council…" after a paragraph beginning "The …"
    is the whole paragraph, not "tram line….\n\nThe "). Bounded by ``MAX_SLIDE``.
    """
    best, best_score = 0, _boundary(text, at) + _boundary(text, at + size)
    back = 0
    while back < min(at, MAX_SLIDE) and text[at - back - 1] == text[at - back - 1 + size]:
        back += 1
        score = _boundary(text, at - back) + _boundary(text, at - back + size)
        if score > best_score:
            best, best_score = back, score
    return best


def _joined(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        last = out[-1] if out else None
        if last and last.old + last.size == block.old and last.new + last.size == block.new:
            out.pop()
            block = Block(last.old, last.new, last.size + block.size)
        out.append(block)
    return out


class OffsetMap:
    """Old offsets in the new text, from the equal blocks of a diff."""

    def __init__(self, blocks: list[Block], new_length: int) -> None:
        self.blocks = blocks
        self.starts = [b.old for b in blocks]
        self.new_length = new_length

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        return cls([Block(0, 0, length)] if length else [], length)

    def _block_at(self, offset: int) -> int:
        """Index of the last block starting at or before ``offset``; -1 if none."""
        return bisect_right(self.starts, offset) - 1

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """Where [start, end) is in the new text when it lies whole in one unchanged stretch."""
        k = self._block_at(start)
        if k < 0:
            return None
        b = self.blocks[k]
        if end <= b.old + b.size:
            return start - b.old + b.new, end - b.old + b.new
        return None

    def around(self, start: int, end: int) -> tuple[int, int]:
        """The stretch of the new text that stands where [start, end) stood: what it
        became, with whatever replaced any changed part of it."""
        k = self._block_at(start)
        if k >= 0 and start < self.blocks[k].old + self.blocks[k].size:
            lo = start - self.blocks[k].old + self.blocks[k].new
        else:
            lo = self.blocks[k].new + self.blocks[k].size if k >= 0 else 0
        k = self._block_at(end - 1) if end > 0 else -1
        if k >= 0 and end <= self.blocks[k].old + self.blocks[k].size:
            hi = end - self.blocks[k].old + self.blocks[k].new
        elif k + 1 < len(self.blocks):
            hi = self.blocks[k + 1].new
        else:
            hi = self.new_length
        return lo, max(lo, hi)

    def shared(self, old: tuple[int, int], new: tuple[int, int]) -> int:
        """How many characters of the old span are, unchanged, inside the new span."""
        start, end = old
        total = 0
        k = max(0, self._block_at(start))
        while k < len(self.blocks) and self.blocks[k].old < end:
            b = self.blocks[k]
            lo, hi = max(start, b.old), min(end, b.old + b.size)
            if lo < hi:
                shift = b.new - b.old
                total += max(0, min(hi + shift, new[1]) - max(lo + shift, new[0]))
            k += 1
        return total
