"""The one check on text that comes in: no control characters a database or a reader chokes on.

Text enters through HTML forms, API serializers, bulk JSONL/CSV rows and
import metadata; each runs the same rule (docs/architecture.md, invariant 8):
a value may not hold NUL or another C0 control character (tab, line feed and
carriage return are allowed), DEL, an unpaired UTF-16 surrogate, or the
noncharacters U+FFFE and U+FFFF. PostgreSQL refuses NUL in text and cannot
encode a surrogate, so without this such a value reaches SQL as a 500, or
stops a background job long after the request was answered.

- ``text_problem(value, field=...)``: the message naming the field and the
  first bad character's position, or None.
- ``TextValidator(field)``: the rule as a Django/DRF validator.
  ``annotator.api.serializers.StrictSerializer`` adds it to every CharField;
  ``CheckedForm`` to every CharField of a form.
- ``CheckedForm``: the base of the HTML forms; also gives its errors with the
  field named, for pages that show them as messages.

Lengths and numeric ranges are declared on the fields themselves
(``max_length``, ``min_value``/``max_value``), so the API schema states them.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.deconstruct import deconstructible

# One C-speed scan, linear in the text (article texts run to megabytes).
DISALLOWED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
CODE = "control_character"


def _describe(char: str) -> str:
    point = ord(char)
    if point == 0:
        return "U+0000 (NUL)"
    if 0xD800 <= point <= 0xDFFF:
        return f"U+{point:04X} (an unpaired surrogate)"
    if point in (0xFFFE, 0xFFFF):
        return f"U+{point:04X} (a noncharacter)"
    return f"U+{point:04X} (a control character)"


def text_problem(value: str, *, field: str) -> str | None:
    """What is wrong with ``value`` as text for ``field``, or None when nothing is."""
    found = DISALLOWED.search(value)
    if found is None:
        return None
    return (
        f"The {field} holds {_describe(found.group())} at character {found.start() + 1}; "
        "remove it (only tab, line feed and carriage return are allowed among control "
        "characters)."
    )


@deconstructible
class TextValidator:
    """Refuses a string holding a disallowed character, naming the field and the position."""

    code = CODE

    def __init__(self, field: str = "value") -> None:
        self.field = field

    def __call__(self, value) -> None:
        if isinstance(value, str):
            problem = text_problem(value, field=self.field)
            if problem:
                raise ValidationError(problem, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, TextValidator) and other.field == self.field


# The NUL-only and surrogate-only checks Django and DRF add to their CharFields:
# the text rule covers both, and gives one message instead of two.
_REPLACED = {
    ProhibitNullCharactersValidator.__name__,
    "ProhibitSurrogateCharactersValidator",
    "TextValidator",
}


def with_text_validator(validators: list, field: str) -> list:
    """``validators`` with the text rule in place of the narrower checks Django and DRF add."""
    kept = [v for v in validators if type(v).__name__ not in _REPLACED]
    return [*kept, TextValidator(field)]


class CheckedForm(forms.Form):
    """Base of every HTML form: each CharField refuses disallowed characters.

    Declare lengths and ranges on the fields; ``named_errors()`` gives each
    error with its field's label for pages that show errors as messages.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                field.validators = with_text_validator(field.validators, name)

    def named_error_dict(self) -> dict[str, list[str]]:
        """Each field's errors, each message led by the field's label."""
        out: dict[str, list[str]] = {}
        for name, errors in self.errors.items():
            field = self.fields.get(name)
            label = (field.label if field else None) or name.replace("_", " ").capitalize()
            out[name] = [f"{label}: {message}" for message in errors]
        return out

    def named_errors(self) -> list[str]:
        return [message for messages in self.named_error_dict().values() for message in messages]
