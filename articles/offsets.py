"""Offsets into an article's text, as Python counts them and as JavaScript does.

Sentence offsets (``start``, ``end``) count Unicode code points, as Python
indexes a ``str``. JavaScript indexes a string by UTF-16 code units, in which
a character outside the Basic Multilingual Plane (an emoji, a mathematical letter) takes two, so
every such character before an offset moves it one further. A leaf module:
pure Python, no Django.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable

# Characters that take two UTF-16 code units (a surrogate pair). The pattern is
# written with escapes that both Python's re and PostgreSQL's regular expressions
# read, so a query can find the texts that hold one.
ASTRAL_PATTERN = r"[\U00010000-\U0010FFFF]"
ASTRAL = re.compile(ASTRAL_PATTERN)


def utf16_offsets(text: str, offsets: Iterable[int]) -> list[int]:
    """Each code point offset into ``text`` as a UTF-16 code unit offset.

    One scan of the text for astral characters (none in most texts, which
    then keep their offsets), then a binary search per offset.
    """
    astral = [m.start() for m in ASTRAL.finditer(text)]
    if not astral:
        return list(offsets)
    return [offset + bisect_left(astral, offset) for offset in offsets]
