"""Django's async-unsafe guard stays on outside the browser tests (tests/plugins/browser.py).

Playwright's sync API marks an event loop as running in the test's thread; only a test
holding the ``browser`` fixture may make ORM calls beside it.
"""

from __future__ import annotations

import asyncio
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import SynchronousOnlyOperation

pytestmark = pytest.mark.django_db


def _count_users_from_a_coroutine() -> int:
    async def count() -> int:
        return get_user_model().objects.count()

    return asyncio.run(count())


def test_a_test_without_the_browser_keeps_djangos_guard():
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ
    with pytest.raises(SynchronousOnlyOperation):
        _count_users_from_a_coroutine()


def test_the_guard_holds_while_chromium_runs_in_this_process_for_other_tests(chromium_session):
    """Chromium is up (as after an earlier browser test), but this test does not hold it."""
    assert asyncio._get_running_loop() is None
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ
    assert get_user_model().objects.count() == 0
    with pytest.raises(SynchronousOnlyOperation):
        _count_users_from_a_coroutine()


def test_a_browser_test_may_use_the_orm_beside_playwrights_loop(browser, make_user):
    assert asyncio._get_running_loop() is not None
    assert os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] == "true"
    make_user("bea")
    assert get_user_model().objects.count() == 1
    context = browser.new_context()
    context.close()
