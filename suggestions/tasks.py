"""Celery tasks of suggestions: thin wrappers that load by id and call a service."""

from __future__ import annotations

from celery import shared_task

from annotator.queue import TRANSIENT_ERRORS
from annotator.task_limits import BoundedTask
from suggestions.services import model_mark_failed, model_train, training_defer, training_wait


class TrainTask(BoundedTask):
    def give_up(self, task_id: str, args: tuple, reason: str) -> None:
        model_mark_failed(model_id=args[0], reason=reason)


@shared_task(bind=True, base=TrainTask, acks_late=True, reject_on_worker_lost=True, max_retries=3)
def train_suggestion_model(self, model_id: int) -> str:
    """Train one queued model of a corpus; a duplicate delivery finds it taken or done.

    A training that labels asked for waits until labeling pauses (``training_wait``).
    """
    try:
        wait = training_wait(model_id=model_id)
        if wait > 0:
            training_defer(model_id=model_id, seconds=wait)
            return f"waiting {wait:.0f} s for labeling to pause"
        model = model_train(model_id=model_id)
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc
    return "skipped" if model is None else f"{model.display_name}: {model.training_size} labels"
