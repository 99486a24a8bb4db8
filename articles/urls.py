from django.urls import path

from articles.views import corpora, editing, history, labeling, reading, recheck, retry

urlpatterns = [
    path("", corpora.home, name="home"),
    path("corpora/<slug:slug>/", corpora.corpus_detail, name="corpus_detail"),
    path(
        "corpora/<slug:slug>/status.json",
        corpora.corpus_article_status,
        name="corpus_article_status",
    ),
    path("corpora/<slug:slug>/history/", history.corpus_history_page, name="corpus_history"),
    path("articles/<int:pk>/history/", history.article_history_page, name="article_history"),
    path(
        "articles/<int:pk>/segmentation/<int:edit_id>/undo/",
        history.segmentation_undo,
        name="segmentation_undo",
    ),
    path("sentences/<int:pk>/history/", history.sentence_history_page, name="sentence_history"),
    path("corpora/<slug:slug>/recheck/", recheck.corpus_recheck, name="corpus_recheck"),
    path("articles/<int:pk>/label/", labeling.label_article, name="label_article"),
    path("articles/<int:pk>/read/", reading.read_article, name="read_article"),
    path("articles/<int:pk>/retry/", retry.retry_article, name="retry_article"),
    path("articles/<int:pk>/edit/", editing.article_edit, name="article_edit"),
    path("articles/<int:pk>/text/", editing.article_text_edit, name="article_text"),
    path("articles/<int:pk>/archive/", editing.article_archive, name="article_archive"),
]
