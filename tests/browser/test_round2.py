"""Chromium, the engine's second round in one sitting: a clerk fills an installation order's device
rows and watches the fee work itself out, saves it, has the customer sign on the screen with the
pointer, signs, and finds the order on the customer's page by the phone number typed with spaces.
covers: REC-01, IT-07"""
import pytest

from qms.extensions import db
from tests import factories as F
from tests.browser.test_customer_sign import _draw_with_mouse
from tests.support.browser import login, sign_here

pytestmark = pytest.mark.browser


def test_table_computed_value_customer_signature_and_customer_page(app, live_server, browser):
    username = F.user("clerk", name="王静").username
    db.session.remove()
    errors = []
    page = login(browser, live_server, username)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server + "/r/TEST-ORDER/new")
    page.fill("#f_customer_name", "陈建国")
    page.fill("#f_phone_number", "0756-2212345")
    page.select_option("#devices-0-kind", "phone")
    page.fill("#devices-0-quantity", "2")
    page.fill("#devices-0-unit_fee", "35")
    page.locator('output[data-cell="devices-0-fee"]').filter(has_text="70.00").wait_for()
    page.click(".row-add")
    page.select_option("#devices-1-kind", "modem")
    page.fill("#devices-1-quantity", "1")
    page.fill("#devices-1-unit_fee", "120.5")
    page.locator('[data-computed="total_fee"]').filter(has_text="190.50").wait_for()
    page.click("#save-draft")
    page.wait_for_load_state()
    assert "草稿已保存" in page.content(), page.locator(".flash").all_inner_texts()
    # The customer signs on the screen before the clerk may sign the step.
    assert page.locator("#sign-blockers").is_visible()
    page.fill("#cs-name", "陈建国")
    _draw_with_mouse(page)
    page.click("#cs-save")
    page.wait_for_load_state()
    assert "已记录客户签名" in page.content(), page.locator(".flash, .error").all_inner_texts()
    sign_here(page)
    number = page.locator(".number").first.inner_text().strip()
    assert number.startswith("TO-")
    # From the phone number, typed the way people say it, to the customer's records.
    page.goto(live_server + "/customers")
    page.fill("#customer-search input[name=q]", "0756 221 2345")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.locator("table.customers a", has_text="0756").first.click()
    page.wait_for_load_state()
    assert number in page.content() and "装机工单（测试）" in page.content()
    page.locator("a", has_text=number).first.click()
    page.wait_for_load_state()
    rows = page.locator("table.lines tbody tr").all_inner_texts()
    assert len(rows) == 2 and "70.00" in rows[0] and "120.50" in rows[1]
    assert errors == [], errors
