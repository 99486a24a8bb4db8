"""The sign-in lockout as a person sees it: an alert on the sign-in page, not an error page."""

from __future__ import annotations


def test_the_lockout_is_shown_on_the_sign_in_page(page, live_server, annotator, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 2
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 15

    def attempt(password: str) -> str:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("anna")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        return page.get_by_role("alert").inner_text()

    assert "correct username and password" in attempt("guess")
    assert "correct username and password" in attempt("guess again")
    alert = attempt("pw-anna")
    assert "Too many failed sign-ins for this account; try again in 15 minutes." in alert
    assert page.url == f"{live_server.url}/accounts/login/"
    assert page.get_by_label("Username").input_value() == "anna"  # the form is kept
