"""Headers on every response, log-in throttling with a clear message, session expiry."""

import pytest

from tests.conftest import PASSWORD, Browser


# Static CSS, JS and icons carry nosniff only: tests/test_static.py.
@pytest.mark.parametrize("path", ["/login", "/no-such-page"])
def test_security_headers_on_every_response(browser, path):
    response = browser.client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    response.close()


def test_no_inline_scripts_in_pages(browser):
    browser.login("obs1")
    for path in ("/login", "/checklists/new", "/checklists", "/checklists/voting/station?q=1"):
        html = browser.client.get(path, follow_redirects=True).text
        assert "<script>" not in html and " onclick=" not in html and 'style="' not in html


def test_failed_logins_are_throttled_per_account_with_a_message(app):
    browser = Browser(app.test_client())
    limit = int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    for _ in range(limit):
        assert browser.login("obs1", "wrong").status_code == 401
    blocked = browser.login("obs1", PASSWORD)
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text
    # Another account from the same address is not locked out by obs1's failures.
    assert browser.login("obs2").status_code == 302


def test_successful_logins_do_not_count(app):
    browser = Browser(app.test_client())
    for _ in range(int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0]) + 2):
        assert browser.login("obs1").status_code == 302


def test_session_cookie_is_httponly_lax_and_expires_when_idle(app):
    browser = Browser(app.test_client())
    response = browser.login("obs1")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert app.permanent_session_lifetime.total_seconds() == \
        app.config["SESSION_IDLE_MINUTES"] * 60
