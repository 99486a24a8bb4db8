"""Path converters of the API's routes."""

from django.urls import register_converter


class IdConverter:
    """A positive id that fits a bigint; anything else falls through to a JSON 404."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
