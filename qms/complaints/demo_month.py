"""Demo data of the month (CS-06, CS-07): last month's complaints (so the summary has figures), its
summary signed by 客户服务部 and waiting for 企业管理部, and the billing-month milestones confirmed by
核算室 and 电脑网络部 (this month's long-distance records still to do, so its reminder shows)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from werkzeug.datastructures import MultiDict

from ..core.timeutil import today
from ..records import service
from ..records import spec as specs
from ..records.demo_support import user as _user
from ..records.webforms import to_formdata
from ..reminders.workcal import add_months
from . import month_summary

# (category, channel, severity, handled): cycled over last month's days.
PATTERN = [("billing", "phone", "general", True), ("billing", "counter", "minor", True),
           ("complaint", "c180", "major", True), ("fault", "phone", "general", True),
           ("billing", "phone", "serious", False), ("inquiry", "counter", "minor", True),
           ("billing", "letter", "general", True), ("complaint", "visit", "general", False)]
# Eight customers, each with three complaints: the desk shows them as repeat customers.
NAMES = ["陈建国", "李海燕", "王志明", "张丽华", "刘德才", "黄美玲", "周文斌", "吴秀英"]




def _sign(record, username: str) -> None:
    # Demo data only: the demo users' passwords are published (qms.seed), so the password step is
    # skipped here; every other rule of a signature applies (service.sign_verified).
    service.sign_verified(record, _user(username), "zh_CN")


def load() -> int:
    """Create the month's demo records; returns how many."""
    if _user("clerk") is None or _user("bil") is None:
        return 0
    first = add_months(today().replace(day=1), -1)
    made = _complaints(first) + _milestones(first)
    summary = month_summary.generate(first.strftime("%Y-%m"), _user("clerk"), "zh_CN")
    analysis = "话费争议占比最高，主要集中在长途和漫游费用；180转来的投诉均已书面回复。建议核算室复核长途计费。"
    data = to_formdata(specs.get("CS-SUMMARY"), {**summary.values, "analysis": analysis})
    service.update(summary, _user("clerk"), data, "zh_CN", summary.version)
    _sign(summary, "clerk")
    return made + 1


def _complaints(first) -> int:
    """Last month's complaints (CS-INQ revision B): received by the clerk, dispatched to 客户服务部
    (the reply date follows from the category), most answered two hours later and evaluated."""
    spec = specs.get("CS-INQ")
    made = 0
    for i in range(24):
        category, channel, severity, handled = PATTERN[i % len(PATTERN)]
        day = first + timedelta(days=i % 27)
        received = datetime.combine(day, time(9 + i % 8, 15))
        values = {"received_at": received.strftime("%Y-%m-%dT%H:%M"), "channel": channel, "place": "光大营业厅",
                  "customer_name": NAMES[i % len(NAMES)], "phone_number": f"0756-33{i % len(NAMES):02d}100",
                  "category": category, "severity": severity, "content": "客户反映话费与实际使用不符，要求核查。",
                  "outcome": "dispatch", "cause": "operator", "handling_department": "CSD"}
        if channel == "c180":
            values["c180_ticket"] = f"ZH180-{first:%Y%m}-{i:03d}"
        record = service.create(spec, _user("clerk"), MultiDict(values), "zh_CN")
        _sign(record, "clerk")
        if handled:
            told = (received + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
            answer = {"handling": "已核查清单并答复客户。", "told_how": "phone", "told_at": told}
            if channel == "c180":
                answer["c180_reply"] = "已核查并书面回复180投诉中心。"
            service.update(record, _user("clerk"), MultiDict(answer), "zh_CN", record.version)
            _sign(record, "clerk")
            service.update(record, _user("head"), MultiDict({"satisfaction": "satisfied", "complete": "y"}),
                           "zh_CN", record.version)
            _sign(record, "head")
        made += 1
    return made


def _milestones(first) -> int:
    spec = specs.get("CS-BILLMONTH")
    month, nxt = first.strftime("%Y-%m"), add_months(first, 1)
    rows = [
        ("bil", "bilhead", {"milestone": "bills", "month": month, "bills_done_on": f"{month}-27",
                            "bills_checked": "y"}),
        ("bil", "bilhead", {"milestone": "notices", "month": nxt.strftime("%Y-%m"),
                            "first_return_on": nxt.isoformat(), "handed_on": nxt.isoformat(),
                            "invoices_printed": "y", "dunning_started": "y", "notices_count": "3860",
                            "delivery_company": "珠海市邮政投递公司"}),
    ]
    made = 0
    for clerk, head, values in rows:
        if values.get("handed_on", "") > today().isoformat():
            continue  # not yet: today is before the day it would have happened
        record = service.create(spec, _user(clerk), MultiDict(values), "zh_CN")
        _sign(record, clerk)
        _sign(record, head)
        made += 1
    return made
