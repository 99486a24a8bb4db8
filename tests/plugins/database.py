"""The ``postgres`` marker: tests that need PostgreSQL's locking or concurrency.

Outside PostgreSQL they are skipped, except in CI, where a missing server is a failure.
"""

from __future__ import annotations

import pytest
from django.db import connection

from tests.plugins import IN_CI


def requires_postgres() -> None:
    if connection.vendor != "postgresql":
        message = "needs PostgreSQL: set DATABASE_URL=postgres://..."
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        requires_postgres()
