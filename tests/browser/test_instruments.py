"""Chromium on a phone-sized screen: the label's page -> check out -> a blocked instrument shows
why -> a long loan is signed by the borrowing department's head, then handed out.
covers: INS-02, INS-04"""
import re

import pytest

from qms.extensions import db
from tests.instruments.helpers import Staff, register
from tests.support.browser import login, sign_here
from tests.support.clock import clock

pytestmark = pytest.mark.browser


def phone(browser, live_server, username):
    return login(browser, live_server, username, viewport=(390, 844))


def test_scan_check_out_blocked_and_long_loan(app, live_server, browser, tmp_path):
    clock(11, 2)
    s = Staff()
    good = register(s.tech)
    overdue = register(s.tech, asset_no="TDD-0002", name="光功率计", calibrated_on="2024-10-01")
    ids = good.id, overdue.id
    names = s.clerk.username, s.csd_head.username, s.tech.username
    clerk_id = str(s.clerk.id)
    db.session.remove()

    c = phone(browser, live_server, names[0])
    c.goto(f"{live_server}/r/INS-INTAKE/{ids[1]}")  # what the QR code on the label opens
    assert "停用" in c.locator("#instrument-status").inner_text()
    assert "2026-10-01" in c.locator(".permit-reasons").inner_text() and c.locator("#check-out").count() == 0
    # Typing the blocked one into a loan anyway: refused next to the field, with the reason.
    c.goto(f"{live_server}/r/INS-USAGE/new?instrument=YQ-2026-0002")
    c.select_option("#f_loan_type", "short")
    c.select_option("#f_borrower", clerk_id)
    c.select_option("#f_borrowing_department", "CSD")
    c.fill("#f_checked_out_on", "2026-11-02")
    c.fill("#f_return_due_on", "2026-11-20")
    c.fill("#f_purpose", "线路测试")
    c.check("#f_manual_ack")
    c.click("#save-draft")
    assert "2026-10-01" in c.locator(".field.has-error .error").first.inner_text()

    c.goto(f"{live_server}/r/INS-INTAKE/{ids[0]}")
    c.screenshot(path=str(tmp_path / "scan.png"), full_page=True)
    c.click("#check-out")  # the one-screen short loan; a long loan takes the full form
    c.click("#long-loan")
    c.select_option("#f_loan_type", "long")
    c.select_option("#f_borrower", clerk_id)
    c.select_option("#f_borrowing_department", "CSD")
    c.fill("#f_return_due_on", "2027-03-31")
    c.fill("#f_purpose", "驻点维护")
    c.fill("#f_long_reason", "营业厅驻点维护四个月")
    c.check("#f_manual_ack")
    c.click("#save-draft")
    c.wait_for_url(re.compile(r".*/r/INS-USAGE/\d+$"))
    sign_here(c)
    loan_url = c.url

    h = phone(browser, live_server, names[1])
    h.goto(loan_url)
    assert "借用部门负责人批准" in h.locator("#sign-form").inner_text()
    sign_here(h)

    t = phone(browser, live_server, names[2])
    t.goto(loan_url)
    sign_here(t)  # handed out
    t.goto(f"{live_server}/r/INS-INTAKE/{ids[0]}")
    assert "王静" in t.locator("#instrument-status").inner_text() and t.locator("#return-it").count() == 1
