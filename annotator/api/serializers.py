"""Shapes every API shares: refusal of unknown fields, the error body, id limits."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotator.validation import with_text_validator

MAX_ID = 2**63 - 1  # the largest bigint: a larger id cannot exist, and would reach SQL as an error
MAX_VERSION = 2**31 - 1
BULK_MAX_ITEMS = 1000


def _strings_only(field: serializers.CharField) -> None:
    """Make the field refuse a value that is not a string: DRF's CharField turns a
    number into its digits (``-11`` stored as ``"-11"``) where the schema says string."""
    convert = field.to_internal_value

    def to_internal_value(data):
        if not isinstance(data, str):
            field.fail("invalid")
        return convert(data)

    field.to_internal_value = to_internal_value  # type: ignore[method-assign]


def _check_text(field: serializers.Field, name: str) -> None:
    if isinstance(field, serializers.CharField):
        field.validators = with_text_validator(field.validators, name)
        _strings_only(field)
    elif isinstance(field, serializers.ListField | serializers.DictField):
        _check_text(field.child, name)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, naming them, instead of silently ignoring them.

    Every CharField also refuses control characters, naming the field and the
    character's position (``annotator.validation``: one rule for every entry),
    and a value that is not a string (``_strings_only``).
    """

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            _check_text(field, name)
        return fields

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                allowed = ", ".join(name for name, f in self.fields.items() if not f.read_only)
                raise serializers.ValidationError(
                    {key: [f"Unknown field; the fields are: {allowed}."] for key in unknown}
                )
        return super().to_internal_value(data)


class QuerySerializer(serializers.Serializer):
    """Query parameters as the schema declares them: each given once, never empty.

    DRF reads an empty optional parameter (``?status=``) as absent and a
    repeated one (``?page_size=1&page_size=x``) by its last value; the schema
    allows neither, so both are refused, naming the parameter. Unknown
    parameters are ignored. CharFields refuse control characters as in
    ``StrictSerializer``.
    """

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            _check_text(field, name)
            if isinstance(field, serializers.BooleanField):
                # DRF reads a boolean missing from a query (an unticked checkbox) as
                # false; here a missing parameter is absent, so no filter applies.
                field.default_empty_html = serializers.empty
        return fields

    def to_internal_value(self, data):
        if hasattr(data, "getlist"):
            problems = {}
            for name in self.fields:
                values = data.getlist(name)
                if len(values) > 1:
                    problems[name] = [f"Give {name} once, not {len(values)} times."]
                elif values and values[0] == "":
                    problems[name] = [f"Give {name} a value, or leave the parameter out."]
            if problems:
                raise serializers.ValidationError(problems)
        return super().to_internal_value(data)


# --- errors (for the schema) ----------------------------------------------------


class CursorQuerySerializer(QuerySerializer):
    """The query parameters of a cursor-paginated listing (``annotator.api.pagination``):
    declared here so they are checked and published."""

    cursor = serializers.CharField(
        required=False, max_length=1000, help_text="From the previous page's `next`."
    )
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=2000, help_text="Up to 2000; 200 by default."
    )


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable, e.g. invalid, not_found.")
    message = serializers.CharField(help_text="What went wrong and what to do about it.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors only: each field with what to fix.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


def validated(serializer_class, data, **kwargs) -> dict:
    """The serializer's validated data, or a ValidationError (answered as 400)."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class QuickValidation:
    """``validated(serializer_class, data)`` with a shortcut for bodies that plainly pass.

    For a hot endpoint whose serializer costs more than the rest of the
    request's Python (a DRF serializer copies its fields on every use). The
    shortcut is derived from the serializer's own declared fields, so the
    rules stay in one place: a flat body of plain values (str for a
    CharField, int for an IntegerField, no unknown keys) is trimmed as the
    field trims it and run through the field's own validators (its limits);
    anything else, and any value a validator refuses, goes to the serializer,
    which gives its own errors. Serializers with anything more than that
    (other field types, validate methods, serializer validators, sources)
    always go to the serializer.
    """

    def __init__(self, serializer_class: type[serializers.Serializer]) -> None:
        self.serializer_class = serializer_class
        self._fields: list[tuple] | None = None
        self._quick: bool | None = None

    def __call__(self, data) -> dict:
        if self._quick is None:
            self._prepare()
        if self._quick and isinstance(data, dict) and data.keys() <= self._names:
            body = self._plain(data)
            if body is not None:
                return body
        return validated(self.serializer_class, data)

    def quick_path_applies(self) -> bool:
        """Does the shortcut apply to this serializer at all (or is every body sent to it)?"""
        if self._quick is None:
            self._prepare()
        return bool(self._quick)

    def _prepare(self) -> None:
        serializer = self.serializer_class()
        fields = []
        quick = type(serializer).validate is serializers.Serializer.validate and not getattr(
            serializer, "validators", None
        )
        for name, field in serializer.fields.items():
            validators = list(field.validators)
            quick = quick and (
                type(field) in (serializers.CharField, serializers.IntegerField)
                and field.source == name
                and not field.read_only
                and not field.allow_null
                # ``empty`` (no default) is a class, hence callable: only a real
                # callable default needs the serializer.
                and (field.default is serializers.empty or not callable(field.default))
                and not hasattr(serializer, f"validate_{name}")
                and not any(getattr(v, "requires_context", False) for v in validators)
                # Beyond this many digits DRF refuses an integer as a string.
                and (type(field) is serializers.CharField or field.max_value is not None)
            )
            fields.append((name, field, validators))
        self._fields, self._names = fields, serializer.fields.keys()
        self._quick = quick

    def _plain(self, data: dict) -> dict | None:
        body = {}
        for name, field, validators in self._fields:
            if name not in data:
                if field.required:
                    return None
                if field.default is not serializers.empty:
                    body[name] = field.default
                continue
            value = data[name]
            if type(field) is serializers.CharField:
                if type(value) is not str:
                    return None
                if field.trim_whitespace:
                    value = value.strip()
                if value == "":
                    if not field.allow_blank:
                        return None
                    body[name] = value  # DRF runs no validator on a blank value
                    continue
            elif type(value) is not int:  # IntegerField; bool is refused by DRF
                return None
            try:
                for validator in validators:
                    validator(value)
            except (serializers.ValidationError, DjangoValidationError):
                return None
            body[name] = value
        return body


# URLs that Django's URLValidator(schemes=["http", "https"]) accepts, as the schema
# states them for clients: the common shape (host names of ASCII letters and digits,
# a port, a printable-ASCII path). The server accepts every URL the validator does.
HTTP_URL_PATTERN = (
    r"^(https?://[A-Za-z0-9]{1,20}([.-][A-Za-z0-9]{1,20}){0,2}\.[A-Za-z]{2,20}"
    r"(:[0-9]{1,5})?([/?#][!-~]{0,1000})?)?$"
)


@extend_schema_field({"type": "string", "pattern": HTTP_URL_PATTERN})
class HttpUrlTextField(serializers.CharField):
    """A CharField for an optional http(s) URL that a service checks (empty: none)."""
