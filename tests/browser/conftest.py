"""Browser tests: the fixtures (Chromium through Playwright, sign-in,
screenshots) live in tests/conftest.py, shared with the other folders."""

from __future__ import annotations

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, INSTALL_HINT, SCREENSHOTS  # noqa: F401


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
