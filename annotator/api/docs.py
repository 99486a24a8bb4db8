"""The OpenAPI schema and its Swagger UI (served from static files, no CDN).

Errors here use the API's JSON error shape too, not the schema's YAML renderer.
"""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer


class _JSONErrors:
    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class SchemaView(_JSONErrors, SpectacularAPIView):
    pass


class DocsView(_JSONErrors, SpectacularSwaggerSplitView):
    pass
