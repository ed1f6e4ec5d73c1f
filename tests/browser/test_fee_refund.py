"""Chromium: a counter clerk takes a fee dispute (TS-FEE, flow TS-003) and sees it through — accepted
and signed in one step, investigated (the error amount works itself out as the charges are typed),
resolved as a cash refund (a refund over the disputed amount is refused next to its field), the
customer signs on the screen before the clerk may sign the payment, and the customer is answered.
covers: CS-10, CS-11, CS-13"""
import re

import pytest
from sqlalchemy import select

from qms.extensions import db
from qms.records.models import Record, Status
from tests import factories as F
from tests.support.browser import login

pytestmark = pytest.mark.browser

STROKES = [[(0.1, 0.7), (0.25, 0.3), (0.4, 0.75), (0.55, 0.3), (0.7, 0.7)], [(0.75, 0.5), (0.9, 0.45)]]


def _draw(page):
    page.locator("#cs-canvas").scroll_into_view_if_needed()
    box = page.locator("#cs-canvas").bounding_box()
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    for stroke in STROKES:
        page.mouse.move(x0 + w * stroke[0][0], y0 + h * stroke[0][1])
        page.mouse.down()
        for fx, fy in stroke[1:]:
            page.mouse.move(x0 + w * fx, y0 + h * fy, steps=8)
        page.mouse.up()


def _save_and_sign(page):
    page.fill("#sign-password", F.PASSWORD)
    page.click("#save-and-sign")
    page.wait_for_load_state()


def _fill_step(page):
    page.locator("a.button", has_text="填写本步骤").first.click()
    page.wait_for_load_state()


def test_counter_clerk_takes_a_fee_dispute_to_a_cash_refund_signed_by_the_customer(app, live_server, browser, tmp_path):
    username = F.user("clerk", "CSD", name="王静").username
    db.session.remove()
    errors = []
    page = login(browser, live_server, username)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server + "/r/TS-FEE/new")
    page.fill("#f_customer_name", "陈建国")
    page.fill("#f_phone_number", "139 0222 1234")
    page.select_option("#f_dispute_type", "service")
    page.fill("#f_disputed_amount", "30")
    page.fill("#f_content", "客户称未订制彩铃业务却被收取功能费,要求退还。")
    _save_and_sign(page)
    page.screenshot(path=str(tmp_path / "accepted.png"), full_page=True)
    assert page.locator(".field.has-error").count() == 0, page.locator(".field.has-error, .flash").all_inner_texts()
    page.wait_for_url(re.compile(r".*/r/TS-FEE/\d+"))
    assert page.locator(".number").first.inner_text().strip().startswith("FY-")
    assert page.locator("#fee-clocks").is_visible()  # the 24-hour limit on the page
    # 派单查证: the operator's error, traced to a person; the amount and its direction computed.
    _fill_step(page)
    page.fill("#f_findings", "营业员误为客户开通彩铃")
    page.select_option("#f_cause", "operator")
    page.select_option("#f_responsible_department", "CSD")
    page.fill("#f_responsible_person", "王静")
    page.select_option("#f_error_type", "unrequested")
    page.fill("#f_correct_charge", "0")
    page.fill("#f_wrong_charge", "30")
    page.locator('[data-computed="error_amount"]').filter(has_text="30.00").wait_for()
    page.select_option("#f_liability", "clerk")
    _save_and_sign(page)
    # 解决: a refund over the disputed amount is refused next to its field, then the right one.
    _fill_step(page)
    page.select_option("#f_route", "refund")
    page.fill("#f_solution", "退还误收彩铃功能费")
    page.select_option("#f_refund_kind", "refund")
    page.fill("#f_refund_amount", "50")
    page.select_option("#f_refund_method", "cash")
    _save_and_sign(page)
    error = page.locator(".field.has-error .error")
    assert "不得超过争议金额" in error.first.inner_text()
    page.screenshot(path=str(tmp_path / "refund-refused.png"), full_page=True)
    page.fill("#f_refund_amount", "30")
    _save_and_sign(page)
    assert page.locator("#sign-blockers").is_visible()  # the customer signs first
    # 退现: the customer signs on the screen, then the clerk fills the step and signs.
    page.fill("#cs-name", "陈建国")
    _draw(page)
    page.click("#cs-save")
    page.wait_for_load_state()
    assert "已记录客户签名" in page.content(), page.locator(".flash, .error").all_inner_texts()
    _fill_step(page)
    page.check("#f_receipts_collected")
    _save_and_sign(page)
    # 回复: told face to face; the record closes.
    _fill_step(page)
    page.select_option("#f_reply_method", "face")
    page.fill("#f_reply_content", "已当面退还功能费30元")
    _save_and_sign(page)
    page.screenshot(path=str(tmp_path / "closed.png"), full_page=True)
    db.session.expire_all()
    rec = db.session.execute(select(Record).where(Record.form_code == "TS-FEE")).scalar_one()
    assert rec.status == Status.CLOSED and rec.values["refund_amount"] == "30"
    assert page.locator(".sig.valid").count() == 6  # five steps and the customer
    assert errors == [], errors
