from django.urls import path

from articles.api.views import annotations, articles, segmentation, sentences

urlpatterns = [
    path(
        "corpora/<slug:slug>/articles/",
        articles.CorpusArticlesView.as_view(),
        name="api-corpus-articles",
    ),
    path(
        "corpora/<slug:slug>/history/",
        annotations.CorpusHistoryView.as_view(),
        name="api-corpus-history",
    ),
    path(
        "corpora/<slug:slug>/gold-history/",
        annotations.CorpusGoldHistoryView.as_view(),
        name="api-corpus-gold-history",
    ),
    path("articles/<id:pk>/", articles.ArticleDetailView.as_view(), name="api-article"),
    path(
        "articles/<id:pk>/sentences/",
        sentences.ArticleSentencesView.as_view(),
        name="api-article-sentences",
    ),
    path(
        "articles/<id:pk>/segmentation/",
        segmentation.ArticleSegmentationView.as_view(),
        name="api-article-segmentation",
    ),
    path(
        "articles/<id:pk>/segmentation/<id:edit_id>/undo/",
        segmentation.SegmentationUndoView.as_view(),
        name="api-article-segmentation-undo",
    ),
    path("articles/<id:pk>/text/", segmentation.ArticleTextView.as_view(), name="api-article-text"),
    path("articles/<id:pk>/retry/", articles.ArticleRetryView.as_view(), name="api-article-retry"),
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
]
