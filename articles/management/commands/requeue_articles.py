"""Queue segmentation again for failed articles and stuck ones."""

from django.core.management.base import BaseCommand

from articles.services.articles import articles_requeue


class Command(BaseCommand):
    help = (
        "Re-queue segmentation of failed articles and of articles left pending or "
        "segmenting longer than WORK_STUCK_AFTER_SECONDS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stuck-only", action="store_true", help="Leave failed articles alone."
        )

    def handle(self, *args, stuck_only=False, **options):
        ids = articles_requeue(include_failed=not stuck_only)
        self.stdout.write(f"Re-queued {len(ids)} article(s)" + (f": {ids}" if ids else "."))
