"""Request body parsing that refuses, with a 4xx, whatever it cannot store.

DRF's own JSON parser reads the whole stream with no size limit and lets lone
surrogates ("\\ud800") through, which PostgreSQL then refuses with a 500. This
one caps the body at ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413), decodes strict
UTF-8 and refuses NaN/Infinity and unpaired surrogates (400).
"""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = "The request body is too large."


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON; send a number or null")


class StrictJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        too_large = PayloadTooLarge(
            f"The request body is over {limit:,} bytes; send fewer items per request."
        )
        try:
            if declared and int(declared) > limit:
                raise too_large
        except ValueError:
            pass
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise too_large
        if not body.strip():
            raise ParseError("The request body is empty; send a JSON object.")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError(
                f"The body is not valid UTF-8 (byte {exc.start}); send JSON encoded as UTF-8."
            ) from None
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
            # Unpaired surrogates decode fine but cannot be stored; find them now.
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError(
                "The body holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff)."
            ) from None
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"The body is not valid JSON: {exc}.") from None
        return data
