"""Chromium on a phone (390×844, touch): a 终端服务部 lineman closes a repair work order on site — the device
row filled and the self-check signed, the customer's evaluation saved, the customer signs with a finger on
the screen, the lineman signs the customer step; the work order then waits for its inspection, the device is
on the customer-property register and nothing scrolls sideways. Screenshots are kept in the test's folder.
covers: IT-03, CP-03"""
import os

import pytest
from sqlalchemy import select

from qms.core import timeutil
from qms.customer_property import register as reg
from qms.extensions import db
from qms.records.customer_sign_models import CustomerSignature
from qms.records.models import Record
from tests import factories as F
from tests.customer_property.workorders_helpers import People, issue, slip
from tests.support.clock import at

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("QMS_SHOTS")  # a folder: keep the screenshots to look at
STROKES = ([(0.1, 0.7), (0.25, 0.2), (0.4, 0.75), (0.55, 0.25)], [(0.6, 0.6), (0.75, 0.3), (0.9, 0.65)])


def _phone(browser, live_server, username):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
                                  device_scale_factor=3)
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("#f_username", username)
    page.fill("#f_password", F.PASSWORD)
    page.click("button.primary")
    page.wait_for_url(live_server + "/")
    return page


def _finger(page):
    """The customer's signature drawn with a finger (touch events, as a phone's screen sends them)."""
    page.locator("#cs-canvas").scroll_into_view_if_needed()
    box = page.locator("#cs-canvas").bounding_box()
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    cdp = page.context.new_cdp_session(page)
    for stroke in STROKES:
        points = [(x0 + w * fx, y0 + h * fy) for fx, fy in stroke]
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": points[0][0], "y": points[0][1]}]})
        for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
            for i in range(1, 9):
                cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [
                    {"x": ax + (bx - ax) * i / 8, "y": ay + (by - ay) * i / 8}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def _shot(page, tmp_path, name):
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _wide(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_it03_a_lineman_closes_a_repair_on_a_phone_with_the_customers_signature_on_screen(app, live_server, browser,
                                                                                           tmp_path):
    timeutil.set_clock(at(11, 25, 12))
    try:
        p = People()
        wo = issue(p.clerk, slip(p.clerk, business_type="repair", accepted_at="2026-11-24T08:00"),
                   issued_at="2026-11-24T08:30")
        wo_id, username = wo.id, p.lineman.username
        db.session.remove()  # the test's session holds no lock while the server works
        errors = []
        page = _phone(browser, live_server, username)
        page.on("pageerror", lambda e: errors.append(str(e)))
        # The self-check: the device row, the completion, signed with the password on the same page.
        page.goto(f"{live_server}/r/CP-WO/{wo_id}/edit")
        page.fill("#f_completed_at", "2026-11-25T11:20")
        page.fill("#f_work_done", "更换话机，拨测正常")
        page.select_option("#devices-0-kind", "telephone")
        page.fill("#devices-0-model", "HCD007(6238)TSD")
        page.select_option("#devices-0-licence_mark", "yes")
        page.fill("#devices-0-licence_no", "02-5711-012345")
        page.select_option("#devices-0-performance", "pass")
        page.select_option("#devices-0-connected", "yes")
        assert _wide(page) <= 1, _wide(page)
        _shot(page, tmp_path, "wo-phone-self-check")
        page.fill("#sign-password", F.PASSWORD)
        page.click("#save-and-sign")
        page.wait_for_load_state()
        assert "已保存并签名" in page.content(), page.locator(".flash, .error").all_inner_texts()
        # The customer's evaluation, then the customer signs with a finger, then the lineman signs.
        page.goto(f"{live_server}/r/CP-WO/{wo_id}/edit")
        page.select_option("#f_eval_attitude", "satisfied")
        page.select_option("#f_eval_time_limit", "fair")
        page.fill("#f_eval_comment", "维修及时")
        page.focus("#save-draft")  # (the emulated phone's select picker may still cover the button)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "已保存" in page.content(), page.locator(".flash, .error").all_inner_texts()
        page.goto(f"{live_server}/r/CP-WO/{wo_id}")
        assert page.locator("#sign-blockers").is_visible() and page.locator("#sign-password").count() == 0
        assert page.locator("#cs-pad").is_visible()
        assert page.locator("#cs-canvas").bounding_box()["width"] <= 390
        page.fill("#cs-name", "李海天")
        _finger(page)
        _shot(page, tmp_path, "wo-phone-customer-pad")
        page.click("#cs-save")
        page.wait_for_load_state()
        assert "已记录客户签名" in page.content(), page.locator(".flash, .error").all_inner_texts()
        page.fill("#sign-password", F.PASSWORD)
        page.click("#sign-form button")
        page.wait_for_load_state()
        assert "已签名" in page.content(), page.locator(".flash").all_inner_texts()
        assert _wide(page) <= 1, _wide(page)
        assert page.locator("#wo-panel").is_visible() and "在用" in page.locator("#wo-panel").inner_text()
        _shot(page, tmp_path, "wo-phone-done")
        db.session.remove()
        rec = db.session.get(Record, wo_id)
        assert rec.current_step == "inspect" and [s.step for s in rec.signatures] == ["issue", "self_check", "customer"]
        cs = db.session.execute(select(CustomerSignature).where(CustomerSignature.record_id == wo_id)).scalar_one()
        assert cs.kind == "drawn" and cs.customer_name == "李海天"
        assert [(i.kind, i.state) for i in reg.items_of_record(wo_id)] == [("telephone", reg.IN_USE)]
        assert errors == [], errors
    finally:
        timeutil.set_clock(None)
