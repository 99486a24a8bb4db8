from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "suggestions"
    verbose_name = "Suggestions and model predictions"

    def ready(self) -> None:
        from ops.services import sweep_register
        from suggestions.services import trainings_reconcile

        # A training whose message was lost is sent again by every worker's sweep.
        sweep_register("suggestions", trainings_reconcile)
