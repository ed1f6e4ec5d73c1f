"""Demo data of the quality objectives (DA-01): example objectives for several departments (the manual
states no figure: these targets are examples for 企业管理部 to set), the departments' signed monthly
figures for the entered ones, and a year of monthly statistics (2026-01 to last month) generated and
signed by 企业管理部, with one missed objective's nonconformity raised, so the objectives page shows
its charts."""
from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

from ..auth.models import Department
from ..core.timeutil import today
from ..records import service
from ..records import spec as specs
from ..records.demo_support import dated
from ..records.demo_support import user as _user
from ..records.webforms import to_formdata
from ..reminders.workcal import add_months
from . import objectives_nc, objectives_stats
from .objectives_checks import FIGURE, OBJECTIVE, STATS

# (department, control point, name, target, unit, direction, period, source, indicator, scope, owner)
OBJECTIVES = [
    ("CSD", "投诉处理", "话费争议24小时内处理率", "95", "%", "at_least", "month", "computed", "fee_disputes_24h",
     "company", "head"),
    ("CSD", "投诉处理", "客户服务部受理投诉件数", "30", "件", "at_most", "month", "computed", "complaints",
     "department", "head"),
    ("EMD", "投诉处理", "严重投诉件数", "2", "件", "at_most", "month", "computed", "complaints_serious", "company",
     "quality"),
    ("CSD", "重点客户服务", "重点客户服务按时完成率", "98", "%", "at_least", "month", "computed", "keycust_on_time",
     "company", "head"),
    ("BIL", "计费准确", "计费准确率检测合格率", "99", "%", "at_least", "month", "computed", "billing_passed",
     "company", "bilhead"),
    ("EMD", "计量器具", "计量器具按期检定率", "100", "%", "at_least", "month", "computed", "calibration_on_time",
     "company", "quality"),
    ("EMD", "纠正预防", "不合格项按期关闭率", "90", "%", "at_least", "month", "computed", "nc_closed_on_time",
     "company", "quality"),
    ("TSD", "装移修", "工单时限内完成率", "95", "%", "at_least", "month", "computed", "workorders_in_limit",
     "company", "tsdhead"),
    ("EMD", "顾客满意", "顾客满意度综合得分", "85", "分", "at_least", "year", "computed", "survey_score", "company",
     "quality"),
    ("TSD", "装移修", "电话装机按时完成率", "95", "%", "at_least", "month", "entered", None, None, "tsdhead"),
    ("SWT", "通信质量", "交换机接通率", "99.5", "%", "at_least", "month", "entered", None, None, "swthead"),
    ("BIL", "计费准确", "计费差错率", "0.01", "%", "at_most", "month", "entered", None, None, "bilhead"),
    ("CSD", "营业服务", "营业窗口服务满意率", "90", "%", "at_least", "month", "entered", None, None, "head"),
]
# The monthly figures of the entered objectives, January to November (a miss now and then).
FIGURES = {
    "电话装机按时完成率": ["96.2", "93.8", "95.5", "97.1", "96.0", "94.2", "95.8", "96.9", "97.3", "95.1", "96.4"],
    "交换机接通率": ["99.62", "99.58", "99.71", "99.44", "99.65", "99.70", "99.68", "99.73", "99.52", "99.61", "99.66"],
    "计费差错率": ["0.008", "0.006", "0.012", "0.007", "0.005", "0.009", "0.004", "0.006", "0.008", "0.015", "0.006"],
    "营业窗口服务满意率": ["91.5", "92.0", "89.2", "90.8", "93.1", "92.4", "91.0", "88.7", "90.5", "92.2", "93.0"],
}
# Who enters each department's figures (a clerk or the head: DA-FIGURE's first step).
ENTERS = {"TSD": "tsdhead", "SWT": "swthead", "BIL": "bil", "CSD": "clerk"}


def _sign(record, username: str) -> None:
    # Demo data only: the demo users' passwords are published (qms.seed), so the password step is
    # skipped here; every other rule of a signature applies (service.sign_verified).
    service.sign_verified(record, _user(username), "zh_CN")


def _objectives() -> list:
    spec, quality, made = specs.get(OBJECTIVE), _user("quality"), []
    for dept, point, name, target, unit, direction, period, source, indicator, scope, owner in OBJECTIVES:
        values = {"control_point": point, "name": name, "target": target, "unit": unit, "direction": direction,
                  "period": period, "owner": str(_user(owner).id), "source": source,
                  "note": "示例目标值，由企业管理部根据下达给各部的指标设定。"}
        if indicator:
            values.update(indicator=indicator, scope=scope)
        record = service.create(spec, quality, MultiDict(values), "zh_CN", department_id=Department.by_code(dept).id)
        _sign(record, "quality")
        made.append((dept, name, record))
    return made


def _figures(objectives: list, months: list[str]) -> int:
    spec, made = specs.get(FIGURE), 0
    for dept, name, record in objectives:
        for month, value in zip(months, FIGURES.get(name, ()), strict=False):
            who = ENTERS[dept]
            with dated(_next(month, 3)):  # the department's figure on the 3rd of the month after
                fig = service.create(spec, _user(who), MultiDict({"objective": f"#{record.id}", "month": month,
                                                                 "value": value, "note": "本部门台账统计"}), "zh_CN")
                _sign(fig, who)
            made += 1
    return made


def _statistics(months: list[str]) -> int:
    quality = _user("quality")
    spec = specs.get(STATS)
    for i, month in enumerate(months):
        with dated(_next(month, 6)):  # compiled on the 6th of the month after (due the 10th)
            record = objectives_stats.generate(month, quality, "zh_CN")
            lines = [{**ln, "comment": "已要求责任部门分析原因" if ln["met"] == "no" else None}
                     for ln in record.values["lines"]]
            data = to_formdata(spec, {**record.values, "lines": lines,
                                      "analysis": "各部门目标总体完成，未达标项已在经营分析会上通报。"})
            service.update(record, quality, data, "zh_CN", record.version)
            _sign(record, "quality")
            if i == len(months) - 2:  # last but one month: 企业管理部 raised a nonconformity from a missed line
                missed = next((ln for ln in lines if ln["met"] == "no"), None)
                if missed is not None:
                    objectives_nc.raise_nonconformity(record, quality, missed["objective"], "general",
                                                      f"{month}{missed['name']}未达到目标值，要求责任部门分析原因并采取纠正措施。")
    return len(months)


def _next(month: str, day: int) -> date:
    """Day ``day`` of the month after ``month`` ('2026-10' → 2026-11-day)."""
    return add_months(date(int(month[:4]), int(month[5:]), 1), 1).replace(day=day)


def load() -> int:
    """Create the objectives' demo records; returns how many."""
    if _user("quality") is None or _user("tsdhead") is None:
        return 0
    last = add_months(today().replace(day=1), -1)
    months = [m for m in (f"2026-{n:02d}" for n in range(1, 12)) if m <= last.strftime("%Y-%m")]
    with dated(date(2026, 1, 5)):  # the year's objectives issued in its first week
        objectives = _objectives()
    return len(objectives) + _figures(objectives, months) + _statistics(months)
