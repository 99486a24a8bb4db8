"""The one text rule (annotator.validation) and where it applies: serializers and forms."""

from __future__ import annotations

import pytest
from django import forms
from rest_framework import serializers

from annotator.api.serializers import StrictSerializer
from annotator.validation import CheckedForm, text_problem


@pytest.mark.parametrize(
    ("value", "shown", "position"),
    [
        ("a\x00b", "U+0000 (NUL)", 2),
        ("\x01", "U+0001 (a control character)", 1),
        ("ok\x0bthen", "U+000B (a control character)", 3),
        ("abc\x1f", "U+001F (a control character)", 4),
        ("x\x7f", "U+007F (a control character)", 2),
        ("lone \ud800 half", "U+D800 (an unpaired surrogate)", 6),
        ("\udfff", "U+DFFF (an unpaired surrogate)", 1),
        ("end\ufffe", "U+FFFE (a noncharacter)", 4),
        ("end\uffff", "U+FFFF (a noncharacter)", 4),
    ],
)
def test_a_disallowed_character_is_named_with_the_field_and_its_position(value, shown, position):
    problem = text_problem(value, field="title")
    assert problem is not None
    assert problem.startswith(f"The title holds {shown} at character {position};")


@pytest.mark.parametrize(
    "value",
    ["", "plain", "tab\tnew\nline\r\n", "émoji 🚀 and 中文", "\u2028\u00a0\ufffd", "\U0010fffd"],
)
def test_ordinary_text_passes(value):
    assert text_problem(value, field="title") is None


def test_the_scan_is_linear_on_a_megabyte():
    import time

    text = "word " * 400_000 + "\x00"
    started = time.perf_counter()
    assert "character 2000001" in text_problem(text, field="text")
    assert time.perf_counter() - started < 0.5


class Body(StrictSerializer):
    title = serializers.CharField(max_length=20)
    tags = serializers.ListField(child=serializers.CharField(), required=False)


def test_every_charfield_of_a_strict_serializer_applies_the_rule_once():
    serializer = Body(data={"title": "a\x00b\x01", "tags": ["ok", "b\x7f"]})
    assert not serializer.is_valid()
    assert serializer.errors["title"] == [
        text_problem("a\x00b\x01", field="title")
    ]  # one message, not DRF's NUL check beside it
    assert "U+007F" in str(serializer.errors["tags"])
    assert Body(data={"title": "fine\ttext"}).is_valid()


class Note(CheckedForm):
    note = forms.CharField(label="Note", max_length=10)
    count = forms.IntegerField(min_value=0, max_value=5)


def test_a_checked_form_names_the_field_in_its_errors():
    form = Note(data={"note": "a\x00", "count": "99999999999999999999"})
    assert not form.is_valid()
    assert form.errors["note"] == [text_problem("a\x00", field="note")]
    named = form.named_errors()
    assert named[0].startswith("Note: The note holds U+0000 (NUL) at character 2")
    assert named[1].startswith("Count: ")
