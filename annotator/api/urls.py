"""The REST API, mounted at /api/: each app's routes, the schema and docs, and a JSON 404.

See docs/api.md and /api/docs/; docs/architecture.md maps each route to its
view, service and models.
"""

from django.urls import include, path, re_path

from annotator.api import converters  # noqa: F401  (registers the <id:> converter)
from annotator.api.docs import DocsView, SchemaView
from annotator.api.errors import api_not_found

urlpatterns = [
    path("", include("corpora.api.urls")),
    path("", include("articles.api.urls")),
    path("", include("imports.api.urls")),
    path("", include("datasets.api.urls")),
    path("", include("suggestions.api.urls")),
    path("", include("review.api.urls")),
    path("", include("accounts.api.urls")),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    # [\s\S] rather than the (?s) flag: it matches newlines too, and reverse()
    # (which reads every pattern) cannot handle inline flags.
    re_path(r"^[\s\S]*$", api_not_found),
]
