from django.urls import path

from articles.views import corpora, labeling, reading, recheck, retry

urlpatterns = [
    path("", corpora.home, name="home"),
    path("corpora/<slug:slug>/", corpora.corpus_detail, name="corpus_detail"),
    path(
        "corpora/<slug:slug>/status.json",
        corpora.corpus_article_status,
        name="corpus_article_status",
    ),
    path("corpora/<slug:slug>/recheck/", recheck.corpus_recheck, name="corpus_recheck"),
    path("articles/<int:pk>/label/", labeling.label_article, name="label_article"),
    path("articles/<int:pk>/read/", reading.read_article, name="read_article"),
    path("articles/<int:pk>/retry/", retry.retry_article, name="retry_article"),
]
