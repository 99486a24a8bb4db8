from django.urls import path

from articles.views import corpora, editing, labeling, reading, retry

urlpatterns = [
    path("", corpora.home, name="home"),
    path("corpora/<slug:slug>/", corpora.corpus_detail, name="corpus_detail"),
    path(
        "corpora/<slug:slug>/status.json",
        corpora.corpus_article_status,
        name="corpus_article_status",
    ),
    path("articles/<int:pk>/label/", labeling.label_article, name="label_article"),
    path("articles/<int:pk>/read/", reading.read_article, name="read_article"),
    path("articles/<int:pk>/retry/", retry.retry_article, name="retry_article"),
    path("articles/<int:pk>/edit/", editing.article_edit, name="article_edit"),
    path("articles/<int:pk>/archive/", editing.article_archive, name="article_archive"),
]
