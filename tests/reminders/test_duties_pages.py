"""The admin reminders page and the owner's home page show each calendar duty per period: done
(with the record that did it), not yet due, overdue; duties with no form yet as reminders only.
covers: CS-07, DA-02"""
import re

import pytest

import qms
from qms.core import timeutil
from qms.records import service
from qms.records.procedures import Procedure, load
from qms.reminders import engine, rules
from tests import factories as F
from tests.reminders.helpers import MONTHLY, YEARLY, summary
from tests.support.clock import at
from tests.support.records import sign

PROCEDURES = (*load(qms.PROCEDURES), Procedure("QP-TEST-DUTIES", reminders=(MONTHLY, YEARLY)))


def _cell(html, rule_title, period):
    """The text of one period's cell in the row of ``rule_title``."""
    row = re.search(r"<tr><td>" + re.escape(rule_title) + r".*?</tr>", html, re.S)
    assert row, rule_title
    cell = re.search(r'data-period="' + re.escape(period) + r'">(.*?)</div>\s*(?:<div class="duty |</div>)',
                     row.group(0), re.S)
    assert cell, period
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell.group(1))).strip(), cell.group(0)


@pytest.fixture
def filed(app):
    """November done (signed late, on 2 December), October never filed, December not yet due."""
    clerk, head = F.user("clerk", "CSD"), F.user("department_head", "CSD")
    for month in (10, 11, 12):  # the sweep has watched these months since October
        engine.ensure_calendar_watches(rules.all_rules(), at(month, 1))
    timeutil.set_clock(at(12, 1))
    rec = sign(summary(clerk, month="2026-11"), clerk)
    timeutil.set_clock(at(12, 2))
    sign(rec, head)
    void = sign(summary(clerk, month="2026-10"), clerk)
    service.void(void, head, "重复填写")
    timeutil.set_clock(at(12, 3))
    return clerk, rec


def test_the_admin_page_shows_each_duty_per_period(filed, client):
    clerk, rec = filed
    F.login(client, F.user("admin"))
    html = client.get("/admin/reminders").get_data(as_text=True)
    assert 'id="calendar-duties"' in html
    text, raw = _cell(html, "测试月度汇总", "2026-11")
    assert text.startswith("2026-11 已完成 · 逾期完成") and "2026-11-10" in text and rec.display_number in text
    assert f'href="/r/TEST-PERIOD/{rec.id}"' in raw and "2026-12-02" in text
    text, raw = _cell(html, "测试月度汇总", "2026-10")
    assert text.startswith("2026-10 已逾期") and "去填写" in text  # the voided record does not count
    assert 'href="/r/TEST-PERIOD/new?month=2026-10"' in raw
    text, _raw = _cell(html, "测试月度汇总", "2026-12")
    assert text.startswith("2026-12 未到期") and "2026-12-10" in text
    # The yearly one (by a date in the year) and a rule with no form yet.
    assert _cell(html, "测试年度征询", "2026")[0].startswith("2026 未到期")
    assert 'href="/r/TEST-PERIOD/new?held_on=2026-01-01"' in html
    # Last year was never watched (the system started in October): not called overdue.
    assert _cell(html, "测试年度征询", "2025")[0].startswith("2025 提醒启用前 截止 2025-12-15")
    # 「每月28日(除节假日)」: 28 November 2026 is a Saturday, so the Friday before.
    # (done by a CS-BILLMONTH record since issue #13: none was signed, so overdue once its watch ran)
    assert _cell(html, "核算室每月28日前处理完话费", "2026-11")[0] == "2026-11 已逾期 截止 2026-11-27 去填写"
    # Since issue #15 every calendar duty is done by a record of its own form (none is reminders only).
    assert "遇节假日提前至前一个工作日" in html and "尚无表单：仅提醒" not in html
    english = client.get("/admin/reminders?lang=en").get_data(as_text=True)
    assert _cell(english, "Test monthly summary", "2026-11")[0].startswith("2026-11 Done · late")


def test_the_owners_home_shows_their_duties_only(filed, client):
    clerk, rec = filed
    F.login(client, clerk)
    html = client.get("/").get_data(as_text=True)
    assert 'id="my-duties"' in html and "我的定期工作" in html
    assert _cell(html, "测试月度汇总", "2026-11")[0].startswith("2026-11 已完成")
    assert _cell(html, "测试月度汇总", "2026-10")[0].startswith("2026-10 已逾期")
    assert "测试年度征询" not in html  # the quality manager's, not a clerk's
    assert "核算室每月28日前处理完话费" not in html  # 核算室's (BIL), not 客户服务部's
    # "去填写" opens the closing form with the period filled in.
    form = client.get("/r/TEST-PERIOD/new?month=2026-10").get_data(as_text=True)
    assert re.search(r'name="month"[^>]*value="2026-10"|value="2026-10"[^>]*name="month"', form)
    F.login(client, F.user("quality_manager", "EMD"))
    html = client.get("/").get_data(as_text=True)
    assert _cell(html, "测试年度征询", "2026")[0].startswith("2026 未到期")
    assert "<tr><td>测试月度汇总<" not in html and ">测试月度汇总表</a>" in html  # the closing form, by its title
    F.login(client, F.user("technician", "TSD"))
    assert 'id="my-duties"' not in client.get("/").get_data(as_text=True)  # no duties: no card
