"""Services queue tasks by their registered name (no import of the tasks modules)."""

import pytest

from annotator.celery import app
from articles.services.articles import SEGMENT_BATCH_TASK, SEGMENT_TASK
from imports.services import IMPORT_TASK
from review.services.workflow import REFRESH_TASK


@pytest.mark.parametrize("name", [SEGMENT_TASK, SEGMENT_BATCH_TASK, IMPORT_TASK, REFRESH_TASK])
def test_every_task_a_service_queues_is_registered_under_that_name(name):
    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    assert name in app.tasks
