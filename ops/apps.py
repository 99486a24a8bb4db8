from django.apps import AppConfig


class OpsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Connect to Celery's signals: the heartbeat and the reconciler run in
        # each worker's main process, the memory cap in each child.
        from ops import heartbeat, reconciler, worker_limits  # noqa: F401
