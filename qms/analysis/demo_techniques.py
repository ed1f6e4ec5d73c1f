"""Demo records of the statistical techniques (DA-04), DEMO ONLY: a year of complaints (2026-01 .. 2026-11)
and nonconformities, so the Pareto charts and the check sheets of ``make run`` have a history, and a
corrective action whose root-cause analysis lists causes by 人/机/料/法/环/测 (the fishbone).

Every record goes through the records service as people would fill it; each is signed at a moment in
its month (the demo moves the clock while it signs and puts it back). The complaints are closed
(settled on the spot, or handled and evaluated) and the nonconformities closed after their
corrective action was verified, so the year leaves nothing waiting in anybody's inbox.
"""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from werkzeug.datastructures import MultiDict

from ..core import timeutil
from ..records import service
from ..records import spec as specs
from ..records.demo_support import user as _user

INQ, NC, CAPA, ACTION = "CS-INQ", "CA-NC", "CA-CAPA", "CA-ACTION"
MONTHS = range(1, 12)  # January to November 2026
PER_MONTH = 6  # complaints a month
# Weighted draws, so a Pareto has a head and a tail (billing disputes and the operator's own faults lead).
CATEGORIES = ["billing"] * 5 + ["fault"] * 3 + ["complaint"] * 2 + ["inquiry"]
CAUSES = ["operator"] * 5 + ["customer"] * 3 + ["collection"] * 2 + ["social", "special"]
HANDLERS = [("BIL", "bil")] * 4 + [("TSD", "tsd")] * 2 + [("ITN", "itn"), ("SWT", "swt"), ("TDD", "tech")]
CONTENT = {"billing": "客户对本月话费有疑问，要求核查清单。", "fault": "电话无拨号音，要求尽快修复。",
           "complaint": "客户投诉营业员解释不清。", "inquiry": "查询新资费套餐办理方法。"}
NC_CASES = [  # (month, source, severity, description)
    (1, "complaint", "general", "话费争议未在24小时内答复客户。"),
    (2, "audit", "minor", "营业厅服务记录填写不完整。"),
    (3, "complaint", "general", "同一客户一个月内三次投诉线路故障。"),
    (4, "calibration", "general", "光功率计超期未送检。"),
    (5, "identification", "minor", "机房设备标识脱落。"),
    (6, "complaint", "general", "故障申告超过48小时未修复。"),
    (7, "billing_test", "general", "计费准确率检测发现长话批价错误。"),
    (8, "audit", "minor", "工单未按规定归档。"),
    (9, "complaint", "general", "客户投诉营业员服务态度差。"),
    (10, "identification", "minor", "营业厅资费标识与现行资费不符。"),
]
FISHBONE = {"why_1": "营业员按旧资费表解释", "why_2": "资费调整后未及时培训", "why_3": "资费变更通知没有传达到班组",
            "cause_category": "method", "root_cause": "资费变更没有规定传达和培训的流程",
            "causes-0-category": "people", "causes-0-cause": "新营业员未经资费培训",
            "causes-1-category": "machine", "causes-1-cause": "营业系统资费提示未更新",
            "causes-2-category": "material", "causes-2-cause": "宣传单仍为旧版",
            "causes-3-category": "environment", "causes-3-cause": "高峰期窗口排队过长",
            "causes-4-category": "measurement", "causes-4-cause": "服务质量检查未覆盖资费解释",
            "causes-5-category": "people", "causes-5-cause": "班长未复核解释口径"}


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timeutil.tz()).astimezone(UTC)


def _step(record, user, moment: datetime, **values) -> None:
    """Fill the waiting step as ``user`` and sign it at ``moment`` (demo shortcut: no password)."""
    timeutil.set_clock(moment)
    if values:
        service.update(record, user, MultiDict(values), "zh_CN", record.version)
    service.sign_verified(record, user)


def _complaint(rng: random.Random, day: date, n: int, people: dict) -> None:
    received = _at(day, 9 + n % 8, 10 * (n % 6))
    category = rng.choice(CATEGORIES)
    on_spot = category == "inquiry" or rng.random() < 0.3
    values = {"received_at": f"{day.isoformat()}T{9 + n % 8:02d}:{10 * (n % 6):02d}", "channel": rng.choice(
        ["counter", "phone", "phone", "c180", "visit"]), "place": "营业前台", "customer_name": f"客户{n:03d}",
        "phone_number": f"0756-22{n:05d}", "category": category, "severity": rng.choice(["minor", "general", "major"]),
        "content": CONTENT[category], "cause": rng.choice(CAUSES)}
    if values["channel"] == "c180":
        values["c180_ticket"] = f"180-{day:%Y%m%d}-{n:03d}"
    timeutil.set_clock(received)
    if on_spot:
        values.update(outcome="on_spot", on_spot_answer="当场向客户解释清楚，客户认可。")
        record = service.create(specs.get(INQ), people["clerk"], MultiDict(values), "zh_CN")
        service.sign_verified(record, people["clerk"])
        return
    dept, handler = rng.choice(HANDLERS)
    values.update(outcome="dispatch", handling_department=dept)
    record = service.create(specs.get(INQ), people["clerk"], MultiDict(values), "zh_CN")
    service.sign_verified(record, people["clerk"])
    told = received + timedelta(hours=5)
    _step(record, people[handler], told, handling="已核查处理并答复客户。", told_how="phone",
          told_at=timeutil.local(told).strftime("%Y-%m-%dT%H:%M"),
          **({"c180_reply": "已书面回复180投诉中心。"} if values["channel"] == "c180" else {}))
    _step(record, people["head"], told + timedelta(hours=20), satisfaction="satisfied", complete="y")


def _closed_nc(month: int, source: str, severity: str, text: str, people: dict, causes: dict | None = None) -> int:
    """A nonconformity of 客户服务部 taken through one corrective action round to closure (verified
    effective); ``causes`` replaces the plain root-cause analysis. Returns the records made."""
    found = date(2026, month, 3)
    timeutil.set_clock(_at(found, 10))
    nc = service.create(specs.get(NC), people["clerk"], MultiDict(
        {"source": source, "severity": severity, "found_on": found.isoformat(), "description": text}), "zh_CN")
    service.sign_verified(nc, people["clerk"])
    capa = service.create(specs.get(CAPA), people["quality"], MultiDict(
        {"nonconformity": f"#{nc.id}", "finding": text, "reply_due_on": (found + timedelta(days=7)).isoformat(),
         "verify_after_days": "7"}), "zh_CN", department_id=nc.department_id)
    service.sign_verified(capa, people["quality"])
    _step(capa, people["head"], _at(found, 14))
    _step(capa, people["clerk"], _at(found + timedelta(days=1), 10), correction="当即纠正，已向客户致歉。",
          corrected_on=(found + timedelta(days=1)).isoformat())
    _step(capa, people["head"], _at(found + timedelta(days=2), 10), **(causes or {
        "why_1": "执行不到位", "cause_category": "people", "root_cause": "岗位培训不足"}))
    action = service.create(specs.get(ACTION), people["head"], MultiDict(
        {"capa": f"#{capa.id}", "kind": "corrective", "description": "组织相关岗位培训并考核",
         "owner": str(people["clerk"].id), "due_on": (found + timedelta(days=10)).isoformat()}), "zh_CN")
    service.sign_verified(action, people["head"])
    _step(capa, people["head"], _at(found + timedelta(days=2), 15))
    done = found + timedelta(days=6)
    _step(action, people["clerk"], _at(done, 10), done_on=done.isoformat(), evidence="培训签到表及考核成绩已上传。")
    _step(capa, people["head"], _at(done, 16), implemented_on=done.isoformat(), implementation_summary="培训已完成。")
    verified = done + timedelta(days=8)
    _step(capa, people["quality"], _at(verified, 10), verified_on=verified.isoformat(), effective="yes",
          verification_note="抽查复核，未再发生。")
    _step(nc, people["quality"], _at(verified, 11), close_note="纠正措施经验证有效，关闭。")
    return 3


def load() -> int:
    """Create the year of demo records (needs the demo users); returns how many were made."""
    names = ("clerk", "head", "quality", "bil", "tsd", "itn", "swt", "tech")
    people = {n: _user(n) for n in names}
    if any(u is None for u in people.values()):
        return 0
    rng = random.Random(15)  # the same demo every time
    now = timeutil.utcnow()
    made = 0
    try:
        for month in MONTHS:
            for n in range(PER_MONTH):
                _complaint(rng, date(2026, month, 2 + (n * 5) % 26), month * 100 + n, people)
                made += 1
        for month, source, severity, text in NC_CASES:
            made += _closed_nc(month, source, severity, text, people)
        # The fishbone: a round analysed by the six Ms (November), closed like the others.
        made += _closed_nc(11, "complaint", "general", "营业员按旧资费向客户解释，引起话费争议投诉。", people, FISHBONE)
    finally:  # the clock as it was: real time, or QMS_FAKE_NOW's fixed moment
        fake = current_app.config.get("QMS_FAKE_NOW")
        timeutil.set_clock(now if fake else None)
    return made
