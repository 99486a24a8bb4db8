"""Publishing and downloading a release in real Chromium, with a real worker: the
progress bar follows the build, the files download with their checksums, the pages
pass axe at 390 and 1440 pixels wide, and a diff page shows what changed."""

from __future__ import annotations

import hashlib
import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from articles.models import Sentence
from releases.models import Release
from tests.browser.pages import serious_violations
from tests.releases.conftest import label

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def publish_in_page(page, live_server, corpus, version: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/corpora/{corpus.slug}/releases/")
    page.get_by_label("Version", exact=True).fill(version)
    page.get_by_label("Gold and every annotator's labels").check()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(rf".*/releases/{re.escape(version)}/$"))
    expect(page.locator("#files-table")).to_be_visible(timeout=90_000)


@pytest.mark.django_db(transaction=True)
def test_an_owner_publishes_two_versions_and_a_researcher_downloads_and_compares(
    live_server, page, sign_in, owner, annotator, labeled_corpus, celery_worker
):
    from playwright.sync_api import expect

    sign_in(page, owner)
    page.goto(f"{live_server.url}/corpora/{labeled_corpus.slug}/")
    page.get_by_role("link", name="Releases").click()
    # A bad licence is a form error naming it, and nothing is published.
    page.get_by_label("Version", exact=True).fill("1.0")
    page.get_by_label("Licence (SPDX identifier)").fill("free")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#release-errors")).to_contain_text("SPDX")
    assert not Release.objects.exists()
    page.get_by_label("Licence (SPDX identifier)").fill("CC-BY-4.0")
    page.get_by_label("Gold and every annotator's labels").check()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r".*/releases/1\.0/$"))
    expect(page.locator("#release-message")).to_contain_text("Published", timeout=90_000)
    expect(page.locator("#files-table")).to_be_visible()
    release = Release.objects.get(version="1.0")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="data/gold/train.parquet").click()
    data = open(download_info.value.path(), "rb").read()  # noqa: SIM115
    expected = release.manifest["files"]["data/gold/train.parquet"]["sha256"]
    assert hashlib.sha256(data).hexdigest() == expected

    for width in (390, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        assert serious_violations(Axe().run(page)) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1

    sentence = Sentence.objects.filter(
        article__corpus=labeled_corpus, annotations__isnull=True
    ).first()
    label(annotator, sentence, "claim")
    publish_in_page(page, live_server, labeled_corpus, "1.1")
    page.get_by_label("What changed since").select_option("1.0")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator('#diff-summary [data-key="labels_added"]')).to_have_text("1")
    for width in (390, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        assert serious_violations(Axe().run(page)) == []
    page.goto(f"{live_server.url}/corpora/{labeled_corpus.slug}/releases/")
    assert serious_violations(Axe().run(page)) == []
