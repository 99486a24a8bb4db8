"""pytest plugins: the machinery the tests run on, loaded by tests/conftest.py.

- ``tests.plugins.database``: the ``postgres`` marker (skip outside PostgreSQL, fail in CI).
- ``tests.plugins.worker``: a real Celery worker subprocess, a queue per test process,
  the ``worker`` marker.
- ``tests.plugins.browser``: real Chromium through Playwright, the ``browser`` marker, and
  Django's async-unsafe allowance for the browser tests only.
- ``tests.plugins.api``: DRF clients for each persona.
- ``tests.plugins.servers``: private Redis and PostgreSQL servers for the fault tests
  (``private_redis``, ``private_postgres``), the ``faults`` marker.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
