from django.apps import AppConfig


class ImportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from imports.services import import_jobs_reconcile
        from ops.services import sweep_register

        sweep_register("imports", import_jobs_reconcile)
