"""What the running system records about itself."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """Last sign of life of a Celery worker, so pages can tell when none is running."""

    hostname = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.hostname} at {self.seen_at}"
