"""The import form's preview and the job page's states in real Chromium, at a
desktop (1440 px) and a phone (390 px) width, with axe finding no serious or
critical violation."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from imports.models import ImportFailure, ImportJob
from tests.browser.pages import serious_violations

pytestmark = pytest.mark.browser

WIDTHS = (1440, 390)
PASTED = (
    "Why the Budget Talks Failed\n\n"
    "The council met on Monday. It argued about the budget.\n\nNobody agreed on anything."
)


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_import_form_previews_title_and_sentences_before_importing(
    live_server, page, sign_in, owner, corpus, width, screenshot
):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, owner)
    page.goto(f"{live_server.url}/corpora/{corpus.slug}/import/")
    axe = Axe()

    page.get_by_label("Text", exact=True).fill(PASTED)
    preview = page.locator("#text-preview")
    expect(preview).to_be_visible()
    expect(preview.locator("dd").first).to_have_text("Why the Budget Talks Failed")
    expect(preview.locator("li").first).to_have_text("The council met on Monday.")
    expect(preview).to_contain_text("Keep the first line in the text")
    assert serious_violations(axe.run(page)) == []

    # The importer says the first line is not a headline: it is a sentence again.
    page.locator("#text-keep-first-line").check()
    expect(preview.locator("dd").first).to_have_text("Untitled article")
    expect(preview.locator("li").first).to_have_text("Why the Budget Talks Failed")

    # A file is previewed from the same extraction (here Markdown, as clean text).
    page.set_input_files(
        "#import-file",
        files=[
            {
                "name": "op-ed.md",
                "mimeType": "text/markdown",
                "buffer": b"# The *Budget* Fight\n\nA **bold** claim. Another [one](https://x.org).\n",
            }
        ],
    )
    file_preview = page.locator("#file-preview")
    expect(file_preview.locator("dd").first).to_have_text("The Budget Fight")
    expect(file_preview.locator("li")).to_have_text(["A bold claim.", "Another one."])
    assert serious_violations(axe.run(page)) == []
    assert _no_horizontal_scroll(page)
    page.locator("#text-preview").scroll_into_view_if_needed()
    screenshot(page, f"import-preview-{width}")
    assert ImportJob.objects.count() == 0

    # The form still imports: the job is created with the choice made.
    page.get_by_role("button", name="Import text").click()
    page.wait_for_url("**/imports/*/")
    job = ImportJob.objects.get(kind="text")
    assert job.options == {"keep_first_line": True}
    assert page.js_errors == []


def _job(corpus, *, status: str, kind: str, failures: int = 0, **fields) -> ImportJob:
    job = ImportJob.objects.create(corpus=corpus, kind=kind, status=status, **fields)
    for line in range(1, failures + 1):
        ImportFailure.objects.create(job=job, line=line, reason=f"Line {line} is not JSON.")
    return job


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_every_job_status_renders_sensibly(
    live_server, page, sign_in, owner, corpus, width, screenshot
):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, owner)
    axe = Axe()
    failed_url = _job(
        corpus,
        status="failed",
        kind="url",
        total=1,
        failed=1,
        failures=1,
        source_url="https://example.org/gone",
        error="The page answered 404 Not Found.",
    )
    done_batch = _job(corpus, status="done", kind="bulk", total=3, done=3)
    done_with_failures = _job(
        corpus, status="done", kind="bulk", total=3, done=1, failed=2, failures=2
    )
    running = _job(corpus, status="running", kind="bulk", total=10, done=4)
    cases = [
        (failed_url, "Failed", "The page answered 404", None),
        (done_batch, "Done", "Imported 3 of 3.", "Every line was imported."),
        (done_with_failures, "Done", "2 failed", None),
        (running, "Running", "Imported 4 of 10", "None so far."),
    ]
    for job, label, message, note in cases:
        page.goto(f"{live_server.url}/corpora/{corpus.slug}/imports/{job.pk}/")
        expect(page.locator("#import-state")).to_have_text(label)
        expect(page.locator("#import-message")).to_contain_text(message)
        bar = page.locator("#import-bar")
        assert bar.get_attribute("data-state") == job.status
        if note:
            expect(page.locator("#failures-empty")).to_have_text(note)
        else:
            expect(page.locator("#failures-table tbody tr")).to_have_count(job.failed)
        violations = serious_violations(axe.run(page))
        assert violations == [], (label, violations)
        screenshot(page, f"import-job-{job.status}-{job.pk}-{width}")
        assert _no_horizontal_scroll(page), label

    # The failed bar is drawn in the danger colour, not a full green one.
    page.goto(f"{live_server.url}/corpora/{corpus.slug}/imports/{failed_url.pk}/")
    colour = page.locator("#import-bar").evaluate("el => getComputedStyle(el).accentColor")
    danger = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--danger').trim()"
    )
    assert danger and colour == page.evaluate(
        "(c) => { const s = document.createElement('span'); s.style.color = c; "
        "document.body.append(s); const v = getComputedStyle(s).color; s.remove(); return v; }",
        danger,
    )
    assert page.js_errors == []
