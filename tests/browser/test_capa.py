"""Chromium: 企业管理部 reports a nonconformity for a department, issues the CAPA record; the
department head accepts, analyses and plans; the owner does the action; 企业管理部 verifies after
the period and closes; the desk shows the Pareto chart.
covers: CA-02, CA-03"""
import re

import pytest

from qms.extensions import db
from tests import factories as F
from tests.support.browser import login, sign_here
from tests.support.clock import clock

pytestmark = pytest.mark.browser


def fill_step(page, values: dict, selects: dict | None = None):
    page.click("text=填写本步骤")
    for name, value in values.items():
        page.fill(f"#f_{name}", value)
    for name, value in (selects or {}).items():
        page.select_option(f"#f_{name}", value)
    page.click("#save-draft")
    page.wait_for_load_state()
    assert "已保存" in page.content(), page.locator(".error").all_inner_texts()


def test_ca_flow_in_chromium_with_pareto(app, live_server, browser, tmp_path):
    clock(11, 2)
    quality = F.user("quality_manager", "EMD", name="陈芳")
    head = F.user("department_head", "CSD", name="张明")
    clerk = F.user("clerk", "CSD", name="王静")
    csd = F.dept("CSD").id
    names = quality.username, head.username, clerk.username
    clerk_id = str(clerk.id)
    db.session.remove()  # the test thread must not hold SQLite's write lock while the server works

    q = login(browser, live_server, names[0])
    q.goto(live_server + "/r/CA-NC/new")
    q.select_option("#f__department", str(csd))
    q.select_option("#f_source", "identification")
    q.select_option("#f_severity", "general")
    q.fill("#f_found_on", "2026-11-02")
    q.fill("#f_description", "营业厅服务指引牌缺失")
    q.click("#save-draft")
    q.wait_for_url(re.compile(r".*/r/CA-NC/\d+$"))
    sign_here(q)
    nc_url = q.url
    assert "客户服务部" in q.content()
    q.click("#issue-capa")
    q.wait_for_url(re.compile(r".*/r/CA-CAPA/\d+/edit$"))
    assert q.input_value("#f_finding") == "营业厅服务指引牌缺失" and q.input_value("#f_verify_after_days") == "30"
    q.click("#save-draft")
    q.wait_for_load_state()
    sign_here(q)
    capa_url = q.url

    h = login(browser, live_server, names[1])
    h.goto(capa_url)
    sign_here(h)  # accepted
    fill_step(h, {"correction": "当日补贴临时指引", "corrected_on": "2026-11-03"})
    sign_here(h)
    fill_step(h, {"why_1": "指引牌脱落未发现", "root_cause": "缺少巡查制度"}, {"cause_category": "method"})
    sign_here(h)
    # The plan cannot be signed without an action: the reason is shown before any password.
    assert "请至少添加一项" in h.locator("#sign-blockers").inner_text()
    h.click("#add-action")
    h.select_option("#f_kind", "corrective")
    h.fill("#f_description", "建立营业厅标识周巡查")
    h.select_option("#f_owner", clerk_id)
    h.fill("#f_due_on", "2026-11-20")
    h.click("#save-draft")
    h.wait_for_url(re.compile(r".*/r/CA-ACTION/\d+$"))
    sign_here(h)
    action_url = h.url
    h.goto(capa_url)
    sign_here(h)  # plan approved

    c = login(browser, live_server, names[2])
    c.goto(action_url)
    fill_step(c, {"done_on": "2026-11-10", "evidence": "周巡查表已建立"})
    sign_here(c)
    assert "已关闭" in c.content()

    h.goto(capa_url)
    fill_step(h, {"implemented_on": "2026-11-10", "implementation_summary": "见巡查表"})
    sign_here(h)

    clock(12, 12)  # the 30-day period has passed
    q.goto(capa_url)
    fill_step(q, {"verified_on": "2026-12-12", "verification_note": "抽查三个营业厅均无缺失"}, {"effective": "yes"})
    sign_here(q)
    q.goto(nc_url)
    fill_step(q, {"close_note": "措施有效，关闭"})
    sign_here(q)
    assert "已关闭" in q.locator(".titlebar").inner_text()

    q.goto(live_server + "/capa/desk")
    bars = q.locator("#pareto-causes rect.bar")
    assert bars.count() == 1 and "法" in bars.first.locator("title").text_content()
    assert q.locator("#pareto-departments rect.bar").count() == 1
    assert "客户服务部" in q.locator("#desk-rows").inner_text()
    q.screenshot(path=str(tmp_path / "desk.png"), full_page=True)
