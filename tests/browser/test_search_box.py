"""The header's search box in Chromium: on a desk it sits in the header, on a 390 px phone a search link
keeps the header one line; the results are grouped by form and lead to the record; nothing scrolls
sideways. Screenshots are kept in the test's temporary folder.
covers: REC-02 (issue #12 item 6)"""
import os
import shutil

import pytest

from qms.extensions import db
from qms.records import service
from tests import factories as F
from tests.support.browser import login

pytestmark = pytest.mark.browser


def test_search_from_the_header_on_a_desk_and_on_a_phone(app, live_server, browser, tmp_path):
    clerk = F.user("clerk")
    chen = F.record(clerk, "TEST-REC", customer_name="陈建国", phone_number="0756-2212345", content="宽带无法上网")
    service.sign(chen, clerk, F.PASSWORD)
    for i in range(6):
        F.record(clerk, "TEST-REC", customer_name=f"陈建国{i}", phone_number=f"0756-33{i:05d}", content="套餐变更未生效，要求退还多扣费用" * 3)
    F.record(clerk, "TEST-ROUTE", request="陈建国来电：宽带无法上网", target_department="TDD")
    username, number, chen_id = clerk.username, chen.number, chen.id
    db.session.commit()  # and no more reads here: SQLite's write lock stays free for the live server

    desk = login(browser, live_server, username, viewport=(1366, 900))
    desk.fill("header .header-search input[name=q]", "0756 221 2345")
    desk.press("header .header-search input[name=q]", "Enter")
    desk.wait_for_url("**/search?q=*")
    group = desk.locator("#found-TEST-REC")
    assert group.locator(".search-hits li").count() == 1 and number in group.inner_text()
    desk.click(f"#found-TEST-REC a[href$='/r/TEST-REC/{chen_id}']")
    desk.wait_for_url(f"**/r/TEST-REC/{chen_id}")
    desk.goto(live_server + "/search?q=陈建国")
    assert desk.locator(".search-group").count() == 2
    assert desk.locator("#found-TEST-REC .search-hits li").count() == 5
    assert "在登记簿中查看更多" in desk.locator("#found-TEST-REC a.more").inner_text()
    desk.screenshot(path=str(tmp_path / "search-1366.png"), full_page=True)
    desk.close()

    phone = login(browser, live_server, username, viewport=(390, 844))
    assert phone.locator("header .header-search").is_hidden() and phone.locator(".search-link").is_visible()
    assert phone.locator("header.top").bounding_box()["height"] < 60
    phone.click(".search-link")
    phone.fill("#search-q", "陈建国")
    phone.click(".search-page button")
    phone.wait_for_url("**/search?q=*")
    assert phone.locator(".search-group").count() == 2
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    phone.screenshot(path=str(tmp_path / "search-390.png"), full_page=True)
    phone.close()
    keep = os.environ.get("QMS_SCREENSHOTS")
    if keep:
        for name in ("search-1366.png", "search-390.png"):
            shutil.copy(tmp_path / name, keep)
