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
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def django_python(code: str, env: dict[str, str], *args: str) -> str:
    """Run ``code`` after ``django.setup()`` in a fresh process; the last line it printed.

    For what only a fresh process shows: module-level settings logic, production mode.
    """
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]
