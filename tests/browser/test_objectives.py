"""Chromium: 企业管理部 goes to data analysis from the menu, generates November's quality-objective statistics on
the objectives page, finds the department's figure and the miss in its lines, and signs it; the page then charts
the month, and the management review pack counts it (and prints).
covers: DA-01, DA-04"""
import re

import pytest

from qms.extensions import db
from tests.analysis.objectives_helpers import People, figure, objective
from tests.support.browser import login, sign_here
from tests.support.clock import clock

pytestmark = pytest.mark.browser


def test_da01_enterprise_management_generates_and_signs_the_month_in_chromium(app, live_server, browser):
    clock(12, 3)
    p = People()
    met = objective(p, name="话费争议处理及时率", target="95", unit="%")
    missed = objective(p, name="重复投诉件数", target="3", unit="件", direction="at_most")
    figure(p.csd_clerk, met, "2026-11", "96.5")
    figure(p.csd_head, missed, "2026-11", "5")
    quality, ids = p.quality.username, (met.id, missed.id)
    db.session.remove()  # the test thread must not hold SQLite's write lock while the server works

    q = login(browser, live_server, quality)
    q.click("#analysis-link")
    q.click("#hub-objectives")
    assert q.input_value("#stats-month") == "2026-11"
    q.click("#generate")
    q.wait_for_url(re.compile(r".*/r/DA-STATS/\d+$"))
    assert "96.50" in q.content() and "未达标" in q.content()
    sign_here(q)
    assert "已关闭" in q.content()
    assert q.locator(".missed-line").count() == 1
    q.goto(live_server + "/analysis/objectives")
    for oid in ids:
        assert q.locator(f"#trend-{oid} rect.bar").count() == 1
    assert q.locator(f"#objective-{ids[1]} .badge.met-no").count() == 1
    # The management review pack of the year counts the signed month: one objective met, one missed.
    q.click("#analysis-link")
    q.click("#hub-review")
    section = q.locator("#review-objectives")
    assert "1 / 12" in section.inner_text()
    facts = dict(line.split("\t") for line in section.locator("table.review-facts").inner_text().splitlines())
    assert (facts["目标达成（目标×月）"], facts["目标未达成（目标×月）"]) == ("1", "1")
    pdf = q.request.get(live_server + q.locator("#review-pdf").get_attribute("href"))
    assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
