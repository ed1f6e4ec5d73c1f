"""End to end in Chromium: log in, fill with a validation error, fix, sign, PDF, switch language."""
import re

import pytest

from qms.extensions import db
from tests import factories as F

pytestmark = pytest.mark.browser


def test_clerk_fills_signs_prints_and_switches_language(app, live_server, browser, tmp_path):
    username = F.user("clerk", name="王静").username
    db.session.remove()  # the test thread must not hold SQLite's write lock while the server works
    page = browser.new_page(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page.goto(live_server + "/login")
    page.fill("#f_username", username)
    page.fill("#f_password", F.PASSWORD)
    page.click("button.primary")
    page.wait_for_url(live_server + "/")
    assert "待办事项" in page.content()

    page.goto(live_server + "/r/CS-INQ/new")
    page.fill("#f_received_at", "2026-11-20T09:15")
    page.select_option("#f_channel", "phone")
    page.fill("#f_customer_name", "陈建国")
    page.fill("#f_phone_number", "not a phone")  # the validation error
    page.select_option("#f_category", "billing")
    page.select_option("#f_severity", "general")
    page.fill("#f_content", "话费异常偏高，要求核查长话清单。")
    page.fill("#f_place", "电话查询台")
    page.select_option("#f_outcome", "on_spot")  # settled on the spot: the first responder signs alone
    page.fill("#f_on_spot_answer", "已为客户核对长话清单，客户认可。")
    page.click("#save-draft")
    error = page.locator(".field.has-error .error")
    assert error.count() == 1 and "电话号码" in error.first.inner_text()
    page.screenshot(path=str(tmp_path / "validation.png"), full_page=True)

    page.fill("#f_phone_number", "0756-2212345")
    page.click("#save-draft")
    page.wait_for_url(re.compile(r".*/r/CS-INQ/\d+$"))
    assert "草稿已保存" in page.content()

    page.fill("#sign-password", F.PASSWORD)
    page.click("#sign-form button")
    page.wait_for_selector(".sig.valid")
    number = page.locator(".number").inner_text()
    assert re.fullmatch(r"TS-\d{4}-0001", number)
    assert "签名有效" in page.content()

    # The printout opens in the browser (inline, issue #11 item 9), no longer as a download.
    with page.expect_response(lambda r: r.url.endswith(".pdf")) as shown:
        page.click("#pdf-link")
    assert shown.value.headers["content-disposition"].startswith("inline")
    path = tmp_path / "record.pdf"
    path.write_bytes(page.request.get(shown.value.url).body())
    assert path.read_bytes().startswith(b"%PDF")
    page.go_back()
    page.wait_for_load_state()

    page.click("#lang-switch")
    page.wait_for_load_state()
    assert "Signature valid" in page.content() and "签名有效" not in page.content()
    page.screenshot(path=str(tmp_path / "english.png"), full_page=True)
