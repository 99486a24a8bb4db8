"""Which shortcut keys and colours a label may have."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from corpora.label_rules import (
    RESERVED_SHORTCUTS,
    color_problem,
    contrast_ratio,
    shortcut_problem,
)
from corpora.services.corpora import DEFAULT_LABELS

KEYS_JS = Path(settings.BASE_DIR) / "static" / "js" / "labeling" / "keys.js"


def _single_character_keys_of_the_labeling_screen() -> set[str]:
    source = KEYS_JS.read_text()
    keys = set()
    for block in re.findall(r"const (?:MOVES|COMMANDS) = \{(.*?)\};", source, flags=re.S):
        for key in re.findall(r'^\s*(?:"([^"]+)"|(\w+)):', block, flags=re.M):
            name = key[0] or key[1]
            if len(name) == 1:
                keys.add(name.lower())
    # Ctrl/Cmd+Z is undo.
    if re.search(r'key\.toLowerCase\(\) === "z"', source):
        keys.add("z")
    return keys


def test_every_single_key_the_labeling_screen_uses_is_reserved():
    used = _single_character_keys_of_the_labeling_screen()
    assert {"j", "k", "u", "x", "n", "s", "g", "?", " ", "z"} <= used  # the parse found them
    assert used == set(RESERVED_SHORTCUTS)


@pytest.mark.parametrize("key", ["j", "s", "g", "?", " "])
def test_a_reserved_key_is_refused_with_the_list(key):
    problem = shortcut_problem(key)
    assert problem is not None and "already uses" in problem and "Space" in problem


@pytest.mark.parametrize("key", ["1", "w", "9", "q"])
def test_digits_and_free_letters_are_allowed(key):
    assert shortcut_problem(key) is None


@pytest.mark.parametrize("key", ["", "ab", "é", "-"])
def test_anything_but_one_letter_or_digit_is_refused(key):
    assert "one letter or digit" in (shortcut_problem(key) or "")


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # WCAG's own example: #767676 on white is just above 4.5:1.
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_the_default_labels_pass_and_a_light_colour_fails():
    for spec in DEFAULT_LABELS:
        assert color_problem(str(spec["color"])) is None, spec
    problem = color_problem("#fbbf24")
    assert problem is not None and "4.5:1" in problem and "darker" in problem
    assert "#rrggbb" in (color_problem("red") or "")
