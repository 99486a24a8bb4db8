from __future__ import annotations

from rest_framework.pagination import CursorPagination, PageNumberPagination


class ArticlePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class DatasetCursorPagination(CursorPagination):
    """Keyset pagination by sentence id: stable while rows are added or changed."""

    ordering = "pk"
    page_size = 200
    page_size_query_param = "page_size"
    max_page_size = 2000
