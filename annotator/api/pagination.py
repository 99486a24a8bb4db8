from __future__ import annotations

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

from annotator.api.serializers import MAX_ID


class ArticlePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def __init__(self, django_paginator_class=None) -> None:
        if django_paginator_class is not None:
            self.django_paginator_class = django_paginator_class

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        # A paginator that counts up to a cap says so (articles' search).
        response.data["count_capped"] = bool(getattr(self.page.paginator, "capped", False))
        return response


class IdCursorPagination(CursorPagination):
    """Keyset pagination by id; a cursor it did not write is a 400 that says so.

    DRF answers a cursor it cannot decode with 404, and passes the position
    inside a decodable one (``p=abc``, ``p=1.5``) to the query unchecked, where
    it fails as a 500. The position of a cursor this class wrote is always an id.
    """

    ordering = "pk"
    invalid_cursor_message = (
        "Invalid cursor: pass the cursor from a page's next or previous link as it was given."
    )

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({"cursor": [self.invalid_cursor_message]}) from None
        if cursor is not None and cursor.position is not None:
            position = cursor.position
            if not (position.isascii() and position.isdigit() and int(position) <= MAX_ID):
                raise ValidationError({"cursor": [self.invalid_cursor_message]})
        return cursor


class DatasetCursorPagination(IdCursorPagination):
    """Keyset pagination by sentence id: stable while rows are added or changed."""

    page_size = 200
    page_size_query_param = "page_size"
    max_page_size = 2000


class HistoryPagination(IdCursorPagination):
    """Keyset pagination by event id: oldest first, stable while events are added."""

    page_size = 200
    page_size_query_param = "page_size"
    max_page_size = 2000
