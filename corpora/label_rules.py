"""What a label's shortcut key and colour may be (no Django, no database).

Shortcut keys: the labeling screen (static/js/labeling/keys.js) already gives
some keys a meaning; a label with one of them would never be reachable, so
they are refused here. ``RESERVED_SHORTCUTS`` is the one list on the server:
the label service refuses them and the corpus form's help text names them.
Keep it in step with keys.js (tests/corpora/test_label_rules.py reads keys.js
and compares).

Colour: a label's colour is the background of white text on the labeling
screen (the chosen label button and the tag after a labeled sentence), so it
must reach WCAG 2's contrast ratio for normal text, 4.5:1, against white.
"""

from __future__ import annotations

import re

# Single-character keys the labeling screen uses: moves (j, k), commands
# (u undo, x clear, n note, s source, g guidelines, ? help), Space (press
# the focused button) and z (Ctrl/Cmd+Z undo; refused so the letter alone
# never means two things).
RESERVED_SHORTCUTS: tuple[str, ...] = ("j", "k", "u", "x", "n", "s", "g", "z", "a", "?", " ")

LABEL_TEXT_COLOR = "#ffffff"
MIN_CONTRAST = 4.5  # WCAG 2.x, level AA, normal-size text

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_SHORTCUT = re.compile(r"^[0-9a-z]$")


def reserved_shortcuts_text() -> str:
    """The reserved keys as a person reads them: "j, k, …, ? and Space"."""
    shown = ["Space" if key == " " else key for key in RESERVED_SHORTCUTS]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours, from 1 to 21."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def color_problem(color: str) -> str | None:
    """Why ``color`` cannot be a label's colour, or None."""
    if not _HEX.match(color):
        return f"Write the colour as #rrggbb (six hexadecimal digits), not {color!r}."
    ratio = contrast_ratio(color, LABEL_TEXT_COLOR)
    if ratio < MIN_CONTRAST:
        return (
            f"{color} behind white text has a contrast of {ratio:.1f}:1; it needs at least "
            f"{MIN_CONTRAST}:1 to be readable. Choose a darker colour."
        )
    return None


def shortcut_problem(shortcut: str) -> str | None:
    """Why ``shortcut`` (already lower-cased) cannot be a label's key, or None."""
    if shortcut in RESERVED_SHORTCUTS:
        shown = "Space" if shortcut == " " else shortcut
        return (
            f"The labeling screen already uses {shown!r}; the keys it uses are "
            f"{reserved_shortcuts_text()}."
        )
    if not _SHORTCUT.match(shortcut):
        return f"Use one letter or digit as the shortcut, not {shortcut!r}."
    return None
