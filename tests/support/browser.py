"""Chromium through Playwright: log in on the real page, sign the open record."""
from __future__ import annotations

from tests import factories as F


def login(browser, live_server, username, viewport=(1280, 900), password=F.PASSWORD):
    """A new page of ``browser``, logged in as ``username`` through the real login form."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(live_server + "/login")
    page.fill("#f_username", username)
    page.fill("#f_password", password)
    page.click("button.primary")
    page.wait_for_url(live_server + "/")
    return page


def sign_here(page):
    page.fill("#sign-password", F.PASSWORD)
    page.click("#sign-form button")
    page.wait_for_load_state()
    assert "已签名" in page.content(), page.locator(".flash").all_inner_texts()
