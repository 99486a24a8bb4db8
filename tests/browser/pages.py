"""Small page helpers shared by the browser tests (not fixtures)."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect


def open_labeling(page: Page, live_server, article) -> None:
    page.goto(f"{live_server.url}/articles/{article.pk}/label/")
    page.wait_for_selector("html[data-labeling-ready='true']")


def route_api(page: Page, pattern: str, handler, probe_url: str, *, timeout: float = 10.0) -> None:
    """``page.route(pattern, handler)``, returning only once the route is seen in effect.

    The route is registered asynchronously in the browser, and a request sent
    before it took effect would reach the real server (seen as a rare flake).
    A probe request to ``probe_url`` (which must match ``pattern``) is
    answered by the route itself, never by ``handler``.
    """

    def routed(route):
        if route.request.headers.get("x-route-probe"):
            route.fulfill(status=204, headers={"x-route-probe": "seen"})
        else:
            handler(route)

    page.route(pattern, routed)
    probe = (
        "url => fetch(url, {cache: 'no-store', headers: {'x-route-probe': '1'}})"
        ".then(r => r.headers.get('x-route-probe'), () => null)"
    )
    deadline = time.monotonic() + timeout
    while page.evaluate(probe, probe_url) != "seen":
        assert time.monotonic() < deadline, f"the route {pattern} never took effect"
        page.wait_for_timeout(50)


def block_api(page: Page) -> None:
    """Make every API request of the page fail as if the server were unreachable."""
    route_api(page, "**/api/**", lambda route: route.abort("connectionrefused"), "/api/corpora/")


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
