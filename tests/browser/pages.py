"""Small page helpers shared by the browser tests (not fixtures)."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def open_labeling(page: Page, live_server, article) -> None:
    page.goto(f"{live_server.url}/articles/{article.pk}/label/")
    page.wait_for_selector("html[data-labeling-ready='true']")


def sentence_locator(page: Page):
    return page.locator("#article-text .sentence")


def labels_in_page(page: Page) -> list[str | None]:
    return page.eval_on_selector_all(
        "#article-text .sentence", "els => els.map(e => e.dataset.label || null)"
    )


def wait_saved(page: Page, timeout: float = 15_000) -> None:
    expect(page.locator("#save-status")).to_have_text("All changes saved", timeout=timeout)


def serious_violations(results) -> list[str]:
    """axe's serious and critical violations, one line each with up to three targets."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
