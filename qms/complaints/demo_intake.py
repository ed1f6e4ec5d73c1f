"""Demo complaints of the intake part (``make run``): settled on the spot by a technician, dispatched
and handled with the progress told, a repeat of it, a 180-centre ticket with its written reply, and a
serious case waiting for 企业管理部. Called once by ``qms.demo.records``."""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..auth.models import User
from ..extensions import db
from ..records import service
from ..records import spec as specs
from .intake import INQ


def _user(username: str) -> User | None:
    return db.session.execute(select(User).where(User.username == username)).scalar()


def _step(record, username: str, **values) -> None:
    """Fill the waiting step as ``username`` and sign it. Demo shortcut: the demo users' passwords
    are not checked again here (``sign_verified``), as a real signature would be."""
    user = _user(username)
    if values:
        service.update(record, user, MultiDict(values), "zh_CN", record.version)
    service.sign_verified(record, user)


def _new(username: str, **values):
    base = {"channel": "counter", "severity": "general", "category": "complaint", "place": "客户服务部营业前台"}
    return service.create(specs.get(INQ), _user(username), MultiDict({**base, **values}), "zh_CN")


def load() -> int:
    """Create the demo complaints; returns how many."""
    if specs.get(INQ) is None or any(_user(u) is None for u in ("clerk", "head", "tech", "swt", "quality")):
        return 0
    on_spot = _new("tech", received_at="2026-11-24T10:20", channel="field", place="香洲区紫荆路线路现场",
                   customer_name="黄先生", phone_number="13902221234", category="inquiry", severity="minor",
                   content="询问宽带报装进度", outcome="on_spot",
                   on_spot_answer="已告知客户装机排期为本周五，客户满意。")
    _step(on_spot, "tech")
    first = _new("clerk", received_at="2026-11-25T09:30", customer_name="陈建国", phone_number="0756-2212345",
                 category="billing", content="本月长话费比平时高出一倍，要求核查长话清单。", outcome="dispatch",
                 cause="operator", handling_department="SWT")
    _step(first, "clerk")
    _step(first, "swt", handling="核查交换机话单，发现中继计费数据重复，已更正并退还多收话费。", company_fault="y",
          told_how="phone", told_at="2026-11-25T17:40",
          **{"progress-0-told_at": "2026-11-25T11:00", "progress-0-how": "phone",
             "progress-0-note": "已转交换传输室核查话单，今日内答复"})
    _step(first, "head", satisfaction="dissatisfied", complete="y", follow_up="客户认为退款金额不足，需回访")
    again = _new("clerk", received_at="2026-12-01T14:05", customer_name="陈建国", phone_number="0756 221 2345",
                 category="billing", content="对上次退款金额仍有异议，再次投诉。", outcome="dispatch", cause="operator",
                 handling_department="TDD", dissatisfied_before="y")
    _step(again, "clerk")
    ticket = _new("clerk", received_at="2026-11-28T15:00", channel="c180", c180_ticket="180-20261128-031",
                  place="客户服务部", customer_name="林晓梅", phone_number="13800138000", category="fault",
                  content="宽带频繁掉线，已向180投诉。", outcome="dispatch", cause="operator",
                  handling_department="TDD")
    _step(ticket, "clerk")
    _step(ticket, "tech", handling="更换分线盒并调整端口，测试连续24小时无掉线。", told_how="visit",
          told_at="2026-11-29T16:00", c180_reply="经上门检修，系分线盒老化，已更换，线路恢复正常，客户认可。")
    serious = _new("clerk", received_at="2026-12-02T08:40", customer_name="港湾实业有限公司",
                   phone_number="0756-3318888", severity="serious", category="fault",
                   content="企业专线中断超过4小时，影响营业，要求赔偿。", outcome="dispatch", cause="operator",
                   handling_department="SWT")
    _step(serious, "clerk")
    return 5
