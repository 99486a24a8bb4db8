"""Run the reconciler's sweeps once (every worker also runs them periodically)."""

from django.core.management.base import BaseCommand

from ops.services import sweep_all


class Command(BaseCommand):
    help = (
        "Send again the background work whose message was lost: articles and import jobs "
        "left queued or running past their thresholds (workers do this every "
        "RECONCILE_EVERY_SECONDS by themselves)."
    )

    def handle(self, *args, **options):
        sent = sweep_all()
        summary = ", ".join(f"{name}: {count}" for name, count in sent.items()) or "nothing"
        self.stdout.write(f"Sent again: {summary}.")
