from django.apps import AppConfig


class ReviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = "Assignment, agreement and adjudication"

    def ready(self) -> None:
        from articles.signals import labels_changed
        from review.services.workflow import labels_changed_receiver

        # The core announces label changes; review queues the corpus's refresh.
        labels_changed.connect(labels_changed_receiver, dispatch_uid="review-refresh")
