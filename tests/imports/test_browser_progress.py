"""The import progress page in real Chromium: it says when no worker runs, then
follows a real worker's progress live, without a reload."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.worker]


@pytest.mark.django_db(transaction=True)
def test_the_progress_bar_follows_the_worker_live(
    live_server,
    page,
    sign_in,
    owner,
    corpus,
    worker_factory,
):
    from playwright.sync_api import expect

    from ops.models import WorkerHeartbeat

    WorkerHeartbeat.objects.all().delete()  # no sign of life left by an earlier test's worker
    rows = [json.dumps({"text": f"Browser row {i}. It says things."}) for i in range(300)]
    rows[4] = '{"text": "broken"'
    sign_in(page, owner)
    page.goto(f"{live_server.url}/corpora/{corpus.slug}/import/")
    page.set_input_files(
        "#import-file",
        files=[
            {
                "name": "rows.jsonl",
                "mimeType": "application/x-ndjson",
                "buffer": "\n".join(rows).encode(),
            }
        ],
    )
    page.get_by_role("button", name="Import file").click()
    page.wait_for_url(re.compile(r".*/imports/\d+/$"))

    # No worker yet: the page says so instead of spinning.
    expect(page.locator("#import-worker-missing")).to_be_visible(timeout=15_000)
    expect(page.locator("#import-message")).to_contain_text("No worker is running")

    worker_factory()
    expect(page.locator("#import-message")).to_have_text(
        re.compile(r"Imported 299 of 300\..*1 failed"), timeout=60_000
    )
    expect(page.locator("#import-worker-missing")).to_be_hidden()
    bar = page.locator("#import-bar")
    assert bar.evaluate("el => [el.value, el.max]") == [300, 300]
    expect(page.locator("#count-failed")).to_have_text("1")
    expect(page.locator("#failures-table tbody tr")).to_have_count(1)
    expect(page.locator("#failures-table tbody tr td").first).to_have_text("5")
    expect(page.locator("#import-done-links")).to_be_visible()
    assert page.js_errors == []
