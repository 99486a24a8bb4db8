from django.urls import path

from datasets.api import views

urlpatterns = [
    path(
        "corpora/<slug:slug>/export.jsonl",
        views.CorpusExportView.as_view(fmt="jsonl"),
        name="api-corpus-export-jsonl",
    ),
    path(
        "corpora/<slug:slug>/export.csv",
        views.CorpusExportView.as_view(fmt="csv"),
        name="api-corpus-export-csv",
    ),
    path(
        "corpora/<slug:slug>/export.parquet",
        views.CorpusExportView.as_view(fmt="parquet"),
        name="api-corpus-export-parquet",
    ),
    path("datasets/sentences/", views.DatasetSentencesView.as_view(), name="api-dataset"),
]
