from django.apps import AppConfig


class ReviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = "Assignment, agreement and adjudication"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from articles.selectors.listing import article_filter_register
        from articles.signals import labels_changed
        from review.selectors.article_filters import (
            articles_agreement_below,
            articles_assigned_to,
        )
        from review.services.assignment import user_deleted_receiver
        from review.services.workflow import labels_changed_receiver

        # The core announces label changes; review queues the corpus's refresh.
        labels_changed.connect(labels_changed_receiver, dispatch_uid="review-refresh")
        # A deleted user's assignments cascade around the assignment services:
        # the articles' holder counts follow (docs/architecture.md, "Derived counts").
        pre_delete.connect(
            user_deleted_receiver, sender=get_user_model(), dispatch_uid="review-user-deleted"
        )
        # The core's article list filters on review's data through these
        # (articles.selectors.listing: the core never imports a feature).
        article_filter_register("assigned_to", articles_assigned_to)
        article_filter_register("agreement_below", articles_agreement_below)
