"""Chromium: a clerk fills line items, sees the computed amount and totals follow the typing, adds a
row with the script, removes one, saves and signs; the record page shows the rows.
covers: REC-01"""
import os

from qms.extensions import db
from tests import factories as F
from tests.support.browser import login

SHOTS = os.environ.get("QMS_SHOTS")  # a folder: keep screenshots to look at


def test_fill_a_table_and_watch_the_computed_values(app, live_server, browser):
    username = F.user("clerk", name="王静").username
    db.session.commit()  # the test's read transaction ends before the server writes
    page = login(browser, live_server, username)
    page.goto(live_server + "/r/TEST-LINES/new")
    page.fill("#f_customer_name", "陈建国")
    page.select_option("#f_grade", "A")
    page.select_option("#items-0-service", "local")
    page.fill("#items-0-quantity", "3")
    page.fill("#items-0-price", "1.5")
    amount = page.locator('output[data-cell="items-0-amount"]')
    amount.filter(has_text="4.50").wait_for()
    page.locator('[data-computed="total"]').filter(has_text="4.50").wait_for()
    page.locator('[data-computed="reward"]').filter(has_text="50").wait_for()
    page.check("#f_repeat")
    page.locator('[data-computed="reward"]').filter(has_text="100").wait_for()
    # A second row, added by the script (no round trip), then a third removed again.
    page.click(".row-add")
    page.select_option("#items-1-service", "data")
    page.fill("#items-1-quantity", "2")
    page.fill("#items-1-price", "0.25")
    page.locator('[data-total="items-amount"]').filter(has_text="5.00").wait_for()
    page.click(".row-add")
    assert page.locator("table.lines-edit tbody tr").count() == 3
    page.locator("table.lines-edit tbody tr").nth(2).locator(".row-remove").click()
    assert page.locator("table.lines-edit tbody tr").count() == 2
    page.fill("#f_divisor", "0")
    page.locator('[data-compute-error="share"]').filter(has_text="除数为零").wait_for()
    page.fill("#f_divisor", "2")
    page.locator('[data-computed="share"]').filter(has_text="2.50").wait_for()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/lines-form.png", full_page=True)
    page.fill("#sign-password", F.PASSWORD)
    page.click("#save-and-sign")
    page.wait_for_load_state()
    body = page.content()
    assert "已保存并签名" in body or "Saved and signed" in body, page.locator(".flash").all_inner_texts()
    cells = page.locator("table.lines tbody tr").all_inner_texts()
    assert len(cells) == 2 and "4.50" in cells[0] and "0.50" in cells[1]
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/lines-record.png", full_page=True)
    phone = login(browser, live_server, username, viewport=(390, 844))
    phone.goto(live_server + "/r/TEST-LINES/new")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    if SHOTS:
        phone.screenshot(path=f"{SHOTS}/lines-phone.png", full_page=True)
