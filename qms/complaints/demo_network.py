"""Demo network-quality complaints (CS-15), DEMO ONLY: one in each state of the flow, so ``make run``
shows the monitoring room's 20 minutes running late, a fault with the radio room, a remote fault
with its chase log, and one solved at pre-processing and told to the customer.

The steps are signed at moments a little in the past (the demo moves the clock while it signs and
puts it back), so the clocks show time spent and a missed limit.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from werkzeug.datastructures import MultiDict

from ..core import timeutil
from ..records import service
from ..records import spec as specs
from ..records.demo_support import user as _user
from . import network_clock
from .network_table import FORM

CUSTOMER = {"channel": "phone", "customer_name": "林晓东", "phone_number": "13902221234"}
# (minutes ago the complaint came in, category, content, steps: [(minutes ago, who, step values)], chases)
CASES = [
    (55, "roaming", "漫游到澳门后无法正常使用手机", [], []),
    (300, "coverage", "此前有信号，近一周家中没有信号（信号漂移）", [
        (290, "mon", {"confirmed_at": -290, "confirm_reply": "已确认为基站覆盖问题，已回复营帐部门。"}),
        (240, "mon", {"causes": ["signal_drift"], "preprocess_result": "执行故障闭环管理流程，发现基站告警。",
                      "preprocessed_at": -240, "outcome": "room", "duty": "rad_bs_fault", "room": "RAD"}),
    ], []),
    (200, "interconnect", "拨打联通号码经常无法接通", [
        (185, "mon", {"confirmed_at": -185, "confirm_reply": "已确认，正在查对端。"}),
        (150, "mon", {"causes": ["user_misuse"], "preprocess_result": "本端局数据正常，对端局无响应。",
                      "preprocessed_at": -150, "outcome": "remote", "duty": "remote_peer"}),
    ], [(120, "联通监控室：正在查对端局数据"), (85, "联通监控室：对端中继故障，抢修中")]),
    (400, "sms", "收短信有延时、重复", [
        (390, "mon", {"confirmed_at": -390, "confirm_reply": "已确认，指导客户检查设置。"}),
        (360, "mon", {"causes": ["user_settings"], "preprocess_result": "短信中心号码设置错误，已指导客户改正。",
                      "preprocessed_at": -360, "outcome": "solved"}),
        (340, "clerk", {"customer_reply": "已电话告知客户设置方法，客户确认正常。", "replied_at": -340}),
    ], []),
]




def _form(values: dict, now) -> MultiDict:
    """Step values with minutes-ago numbers written as local times."""
    md = MultiDict()
    for key, value in values.items():
        if isinstance(value, int):
            value = timeutil.local(now + timedelta(minutes=value)).strftime("%Y-%m-%dT%H:%M")
        for item in value if isinstance(value, list) else [value]:
            md.add(key, item)
    return md


def load() -> int:
    """Create the demo complaints (needs the demo users ``clerk`` and ``mon``); returns how many."""
    clerk, mon = _user("clerk"), _user("mon")
    if clerk is None or mon is None:
        return 0
    people = {"clerk": clerk, "mon": mon}
    now, spec = timeutil.utcnow(), specs.get(FORM)
    made = 0
    try:
        for ago, category, content, steps, chases in CASES:
            timeutil.set_clock(now - timedelta(minutes=ago))
            values = {**CUSTOMER, "category": category, "content": content, "received_at": -ago}
            record = service.create(spec, clerk, _form(values, now), "zh_CN")
            # Demo shortcut: the demo users' passwords are not at hand here; the example is signed
            # as they would sign it.
            service.sign_verified(record, clerk)
            for when, who, step_values in steps:
                timeutil.set_clock(now - timedelta(minutes=when))
                service.update(record, people[who], _form(step_values, now), "zh_CN", record.version)
                service.sign_verified(record, people[who])
            for when, note in chases:
                timeutil.set_clock(now - timedelta(minutes=when))
                network_clock.log_chase(record, mon, note)
            made += 1
    finally:  # the clock as it was: real time, or QMS_FAKE_NOW's fixed moment
        fake = current_app.config.get("QMS_FAKE_NOW")
        timeutil.set_clock(now if fake else None)
    return made
