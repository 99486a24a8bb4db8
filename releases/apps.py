from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "releases"
    verbose_name = "Dataset releases"

    def ready(self) -> None:
        from ops.services import sweep_register
        from releases.services.releases import releases_reconcile

        sweep_register("releases", releases_reconcile)
