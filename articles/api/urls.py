"""The REST API, mounted at /api/ (see docs/api.md and /api/docs/)."""

from django.urls import include, path, re_path

from articles.api import (
    converters,  # noqa: F401  (registers the <id:> converter)
    imports,
    members,
    snapshots,
)
from articles.api.errors import api_not_found
from articles.api.views import annotations, articles, corpora, datasets, docs, tokens

urlpatterns = [
    path("corpora/", corpora.CorpusListView.as_view(), name="api-corpora"),
    path("corpora/<slug:slug>/", corpora.CorpusDetailView.as_view(), name="api-corpus"),
    path(
        "corpora/<slug:slug>/members/",
        members.CorpusMembersManageView.as_view(),  # GET as before, plus POST (owners)
        name="api-corpus-members",
    ),
    path(
        "corpora/<slug:slug>/members/<id:user_id>/",
        members.CorpusMemberView.as_view(),
        name="api-corpus-member",
    ),
    path(
        "corpora/<slug:slug>/imports/",
        imports.CorpusImportsView.as_view(),
        name="api-corpus-imports",
    ),
    path("imports/<id:pk>/", imports.ImportDetailView.as_view(), name="api-import"),
    path(
        "corpora/<slug:slug>/articles/",
        articles.CorpusArticlesView.as_view(),
        name="api-corpus-articles",
    ),
    path(
        "corpora/<slug:slug>/export.jsonl",
        datasets.CorpusExportView.as_view(fmt="jsonl"),
        name="api-corpus-export-jsonl",
    ),
    path(
        "corpora/<slug:slug>/export.csv",
        datasets.CorpusExportView.as_view(fmt="csv"),
        name="api-corpus-export-csv",
    ),
    path(
        "corpora/<slug:slug>/export.parquet",
        datasets.CorpusExportView.as_view(fmt="parquet"),
        name="api-corpus-export-parquet",
    ),
    path(
        "corpora/<slug:slug>/history/",
        annotations.CorpusHistoryView.as_view(),
        name="api-corpus-history",
    ),
    path("articles/<id:pk>/", articles.ArticleDetailView.as_view(), name="api-article"),
    path(
        "articles/<id:pk>/snapshot/",
        snapshots.ArticleSnapshotView.as_view(),
        name="api-article-snapshot",
    ),
    path(
        "sentences/<id:pk>/annotation/",
        annotations.SentenceAnnotationView.as_view(),
        name="api-sentence-annotation",
    ),
    path(
        "sentences/<id:pk>/history/",
        annotations.SentenceHistoryView.as_view(),
        name="api-sentence-history",
    ),
    path("annotations/bulk/", annotations.AnnotationBulkView.as_view(), name="api-bulk"),
    path("datasets/sentences/", datasets.DatasetSentencesView.as_view(), name="api-dataset"),
    path("tokens/", tokens.TokenListView.as_view(), name="api-tokens"),
    path("tokens/<id:pk>/", tokens.TokenDetailView.as_view(), name="api-token"),
    path("schema/", docs.SchemaView.as_view(), name="api-schema"),
    path("docs/", docs.DocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("articles.api.workflow_urls")),
    # [\s\S] rather than the (?s) flag: it matches newlines too, and reverse()
    # (which reads every pattern) cannot handle inline flags.
    re_path(r"^[\s\S]*$", api_not_found),
]
