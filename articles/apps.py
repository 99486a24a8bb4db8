from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"

    def ready(self) -> None:
        from articles.services.articles import articles_reconcile
        from ops.services import sweep_register

        sweep_register("articles", articles_reconcile)
