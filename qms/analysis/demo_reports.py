"""Demo data of the reports (DA-01): the monthly reports of 2026 (January to last month) with the bureau's
figures, a few weekly reports of the last weeks, and the review of 2025's reporting methods, each compiled
by 企业管理部 and approved by the general manager."""
from __future__ import annotations

from datetime import date, timedelta

from werkzeug.datastructures import MultiDict

from ..core.timeutil import today
from ..records import service
from ..records import spec as specs
from ..records.demo_support import dated
from ..records.demo_support import user as _user
from ..reminders.workcal import add_months
from .reports_checks import METHOD, REPORT

# The bureau's figures of a month (entered by hand; examples): item, unit, the department of the bureau.
BUREAU = [("本地网话务量", "万分钟", "市电信局网络运行部"), ("新装电话", "户", "市电信局市场部"),
          ("宽带新增用户", "户", "市电信局市场部"), ("局间中继接通率", "%", "市电信局网络运行部")]
BASE = [1850, 420, 310, 99.2]


def _form(values: dict) -> MultiDict:
    md = MultiDict()
    for k, v in values.items():
        for item in (v if isinstance(v, list) else [v]):
            md.add(k, item)
    return md


def _sign(record, *usernames: str) -> None:
    # Demo data only: the demo users' passwords are published (qms.seed), so the password step is
    # skipped here; every other rule of a signature applies (service.sign_verified).
    for name in usernames:
        service.sign_verified(record, _user(name), "zh_CN")


def _report(kind: str, period: str, i: int) -> None:
    values = {"kind": kind, "period": period, "sent_to": ["bureau", "zone"],
              "analysis": "本期投诉以话费争议为主，已全部答复；计费准确率检测均达标。" if i % 3 else
                          "本期严重投诉一件，已开具不合格项并跟踪纠正措施。"}
    if kind == "month":
        for n, ((item, unit, source), base) in enumerate(zip(BUREAU, BASE, strict=True)):
            value = round(base * (1 + ((i * 7 + n * 3) % 11 - 5) / 100), 1 if unit == "%" else 0)
            shown = min(value, 100) if unit == "%" else value
            values.update({f"bureau-{n}-item": item, f"bureau-{n}-value": str(shown), f"bureau-{n}-unit": unit,
                           f"bureau-{n}-source": source})
    record = service.create(specs.get(REPORT), _user("quality"), _form(values), "zh_CN")
    _sign(record, "quality", "gm")


def _method_review() -> None:
    values = {"year": "2025", "reviewed_on": "2026-01-20",
              "findings": "周报、月报按时上报；投诉件数口径与市电信局不一致(未含180转办件)；"
                          "计费准确率按交换机类型设门限更合理。",
              "changes-0-indicator": "投诉件数", "changes-0-change": "含180投诉中心转办件",
              "changes-0-reason": "与市电信局统计口径一致",
              "changes-1-indicator": "计费准确率检测合格率", "changes-1-change": "按交换机类型设门限",
              "changes-1-reason": "程控与软交换的要求不同",
              "decision": "自2026年1月起按调整后的口径统计，周报、月报流程不变。"}
    record = service.create(specs.get(METHOD), _user("quality"), _form(values), "zh_CN")
    _sign(record, "quality", "gm")


def load() -> int:
    """Create the reports' demo records; returns how many."""
    if _user("quality") is None or _user("gm") is None or specs.get(REPORT) is None:
        return 0
    made = 0
    last = add_months(today().replace(day=1), -1)
    month = date(2026, 1, 1)
    while month <= last:
        with dated(add_months(month, 1).replace(day=4)):  # sent on the 4th of the month after (due the 5th)
            _report("month", month.strftime("%Y-%m"), made)
        made += 1
        month = add_months(month, 1)
    monday = today() - timedelta(days=today().weekday())
    for back in (4, 3, 2, 1):  # the last four whole weeks
        y, w, _d = (monday - timedelta(weeks=back)).isocalendar()
        with dated(monday - timedelta(weeks=back - 1)):  # on the Monday after the week
            _report("week", f"{y}-W{w:02d}", made)
        made += 1
    with dated(date(2026, 1, 20)):
        _method_review()
    return made + 1
