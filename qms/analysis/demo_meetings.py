"""Demo data of the monthly meetings (DA-03): the four meetings for each of the last eleven months
reviewed (2026-01..2026-11 when run in December 2026), recorded by the organising department and signed
by the chair on the day they were held, with minutes, decisions and actions — most done, the last
months' still open, one late (October's O&M action) — and the 2025 management review with its actions.
The clock is set to each day in turn, so the duties show as done in time and the actions' ladder as
it would have run."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import current_app

from ..core import timeutil
from ..core.timeutil import today
from ..records import service
from ..records import spec as specs
from ..records.demo_support import user as _user
from ..records.webforms import to_formdata
from ..reminders.workcal import add_months
from .actions import open_actions_of

# type -> (recorder, chair, day of the month held, departments present, minutes, decisions, action, owner)
MEETINGS = {
    "business": ("quality", "gm", 3, ["LDR", "EMD", "CSD", "MKT", "FIN", "BIL"],
                 "{m}各项业务目标基本完成；质量目标统计显示话费争议24小时处理率略低于目标，财务回款正常。竞争对手推出宽带包年优惠。",
                 "1. 市场部研究宽带包年对策；2. 客户服务部分析话费争议处理超时原因。",
                 "分析{m}话费争议超时原因并提出改进措施", "clerk"),
    "engineering": ("tech", "tdhead", 4, ["TDD", "OMD", "SWT", "FIN"],
                    "{m}外包线路工程进度正常，质量抽查合格；交换机扩容设备已到货，管线建设受雨季影响略有滞后。",
                    "技术发展部督促施工单位按计划完成管线建设，每周报进度。",
                    "跟踪{m}管线建设进度，提交周报", "tech"),
    "om": ("omd", "gm", 5, ["LDR", "OMD", "SWT", "TDD", "ITN"],
           "{m}交换机实占容量78%，各项运行指标正常；机房空调一台故障已修复，供电供水正常。",
           "运行维护部制定空调设备定期检查计划；交换传输室跟踪容量增长。",
           "制定{m}后机房空调定期检查计划", "omd"),
    "coordination": ("clerk", "head", 6, ["CSD", "MKT", "BIL", "TSD", "EMD"],
                     "{m}服务中出现的主要问题：话费查询等候时间长、装机时限个别超时；讨论了新业务推广的宣传口径。",
                     "客户服务部优化话费查询流程；终端服务部落实装机时限。",
                     "优化话费查询受理流程（{m}问题）", "clerk"),
}
REVIEW = {"period_from": "2025-01-01", "period_to": "2025-12-31", "held_on": "2026-01-20",
          "attendees": "总经理、各部门负责人、企业管理部",
          "decisions": "质量管理体系总体适宜、充分、有效。顾客满意度较上年提高；话费争议和装机时限仍为主要改进方向。"
                       "决定修订投诉处理流程，加强计费稽核。",
          "resource_needs": "增加计费稽核人员1名；更新机房空调2台。"}
REVIEW_ACTIONS = [("修订投诉处理流程，缩短话费争议处理时间", "clerk", "2026-03-31", "2026-03-20"),
                  ("增配计费稽核人员并培训", "bil", "2026-06-30", "2026-06-15"),
                  ("更新机房空调设备", "omd", "2026-12-31", None)]


def load() -> int:
    """Create the meetings and the review (needs the demo users); returns how many records."""
    if any(_user(u) is None for u in ("quality", "gm", "tech", "tdhead", "omd", "clerk", "head", "bil")):
        return 0
    now, this = timeutil.utcnow(), today()
    made = 0
    try:
        made += _review(this)
        first = this.replace(day=1)
        for back in range(11, 0, -1):
            reviewed = add_months(first, -back)
            for kind in MEETINGS:
                made += _meeting(kind, reviewed, this)
    finally:  # the clock as it was: real time, or QMS_FAKE_NOW's fixed moment
        timeutil.set_clock(now if current_app.config.get("QMS_FAKE_NOW") else None)
    return made


def _at(day: date, hour: int = 16) -> None:
    timeutil.set_clock(datetime.combine(day, time(hour), timeutil.tz()))


def _meeting(kind: str, reviewed: date, this: date) -> int:
    recorder, chair, day, depts, minutes, decisions, action, owner = MEETINGS[kind]
    held = min(add_months(reviewed, 1).replace(day=day), this)
    label = f"{reviewed.month}月"
    due = held + timedelta(days=14)
    values = {"meeting_type": kind, "month": reviewed.strftime("%Y-%m"), "held_on": held.isoformat(),
              "chair": _user(chair).id, "departments": depts, "agenda": _agenda(kind),
              "minutes": minutes.format(m=label), "decisions": decisions.format(m=label),
              "actions": [{"title": action.format(m=label), "owner": _user(owner).id, "due_on": due.isoformat()}]}
    if kind == "om":
        values["facility_notes"] = "交换机实占容量78%；供电、供水正常；机房空调一台故障已修复（见设施检修记录）。"
    if kind == "engineering" and reviewed.month % 3:  # not every meeting decides an action
        values["actions"] = []
    _at(held)
    spec = specs.get("DA-MEETING")
    rec = service.create(spec, _user(recorder), to_formdata(spec, values), "zh_CN")
    service.sign_verified(rec, _user(recorder))
    service.sign_verified(rec, _user(chair))
    # Done two days before the due day, when that has passed; October's O&M action is left late.
    late = kind == "om" and add_months(reviewed, 2) == this.replace(day=1)
    for a in open_actions_of(rec):
        done = due - timedelta(days=2)
        if done < this and not late:
            _complete(a, owner, done, "已按期完成，见附件。")
    return 1 + len(open_actions_of(rec))


def _review(this: date) -> int:
    held = date.fromisoformat(REVIEW["held_on"])
    if held > this:
        return 0
    _at(held)
    spec = specs.get("DA-REVIEW")
    values = {**REVIEW, "chair": _user("gm").id,
              "actions": [{"title": t, "owner": _user(o).id, "due_on": d} for t, o, d, _done in REVIEW_ACTIONS]}
    rec = service.create(spec, _user("quality"), to_formdata(spec, values), "zh_CN")
    service.sign_verified(rec, _user("quality"))
    service.sign_verified(rec, _user("gm"))
    made = open_actions_of(rec)
    for a, (_t, owner, _d, done) in zip(made, REVIEW_ACTIONS, strict=True):
        if done and date.fromisoformat(done) < this:
            _complete(a, owner, date.fromisoformat(done), "已完成，记录见附件。")
    return 1 + len(made)


def _complete(action, owner: str, day: date, result: str) -> None:
    """The owner records the completion and signs (demo: as they would, on that day)."""
    _at(day)
    spec = specs.get("DA-ACTION")
    service.update(action, _user(owner), to_formdata(spec, {"done_on": day.isoformat(), "result": result}),
                   "zh_CN", action.version)
    service.sign_verified(action, _user(owner))


def _agenda(kind: str) -> str:
    """The agenda the form prefills for the type (the seed's paragraph)."""
    return specs.get("DA-MEETING").field_map["agenda"].default["values"][kind]
