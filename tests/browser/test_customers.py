"""Chromium: a number typed with spaces finds the customer, their page lists the record, the record
page links back; the procedure page shows the flow contacts; the admin pages show aliases and contacts.
covers: IT-07, CS-12, CS-16"""
import os

from qms.extensions import db
from tests import factories as F
from tests.support.browser import login
from tests.support.records import sign


def _shot(page, name):
    """A screenshot for a person to look at, when QMS_SHOTS names a folder."""
    if os.environ.get("QMS_SHOTS"):
        page.screenshot(path=os.path.join(os.environ["QMS_SHOTS"], name), full_page=True)


def test_a_number_typed_with_spaces_reaches_every_record_of_the_customer(app, live_server, browser):
    clerk = F.user("clerk", "CSD", name="王静")
    inq = sign(F.record(clerk, "CS-INQ", customer_name="陈建国", phone_number="0756-2212345"), clerk)
    sign(F.record(clerk, "CS-KEYCUST", customer_name="陈建国", phone_number="0756-2212345", since="2026-01-05"), clerk)
    key = sign(F.record(clerk, "CS-KEY", customer_name="陈建国", phone_number="+86 756 221 2345",
                        target_department="TDD", notified_at="2026-11-20T10:00", request_type="install",
                        request="专线开通"), clerk)
    sign(F.record(clerk, "CS-INQ", customer_name="陈丽梅", phone_number="13800138000"), clerk)
    numbers, username = (inq.display_number, key.display_number), clerk.username
    db.session.remove()  # the test thread must not hold SQLite's write lock while the server works
    page = login(browser, live_server, username)
    page.click("#customers-link")
    page.fill("#q", "0756 221 2345")
    page.click("#customer-search button")
    page.wait_for_load_state()
    _shot(page, "customers-search.png")
    page.click("a[href='/customers/07562212345']")
    page.wait_for_load_state()
    _shot(page, "customers-show.png")
    rows = page.locator("#customer-records tbody tr").all_inner_texts()
    assert len(rows) == 2 and numbers[1] in rows[0] and numbers[0] in rows[1]
    page.click(f"text={numbers[0]}")
    page.wait_for_load_state()
    assert page.locator("#customer-link").is_visible()
    _shot(page, "record-customer-link.png")
    page.click("#customer-link a")
    page.wait_for_load_state()
    assert page.url.endswith("/customers/07562212345")
    page.goto(live_server + "/customers/?q=---")
    assert "请至少输入电话号码的三位数字" in page.locator("#q-error").inner_text()
    _shot(page, "customers-422.png")


def test_flow_contacts_on_the_procedure_page_and_the_admin_pages(app, live_server, browser):
    username = F.user("admin", "AHR").username
    db.session.remove()
    page = login(browser, live_server, username)
    page.goto(live_server + "/procedures/QP-TS")
    assert "周美芳" in page.locator("#step-secondary-pricing").inner_text()
    page.locator("#step-secondary-pricing").scroll_into_view_if_needed()
    _shot(page, "procedure-contacts.png")
    page.goto(live_server + "/admin/contacts")
    _shot(page, "admin-contacts.png")
    page.goto(live_server + "/admin/departments")
    assert "客户服务中心" in page.content()
    _shot(page, "admin-departments.png")
