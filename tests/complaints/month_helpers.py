"""Helpers of the month tests (CS-06, CS-07): people, complaints and milestone records through the service."""
from __future__ import annotations

from datetime import datetime, timedelta

from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from tests import factories as F
from tests.support.records import sign

INQ = {"channel": "phone", "customer_name": "陈建国", "phone_number": "0756-2212345", "category": "billing",
       "severity": "general", "content": "话费异常偏高", "place": "电话查询台", "outcome": "dispatch",
       "cause": "operator"}


class MonthPeople:
    """核算室 clerk and head, 电脑网络部 clerk and head, 客户服务部 clerk and head, 企业管理部 quality manager."""

    def __init__(self):
        self.bil_clerk = F.user("clerk", "BIL", name="黄中伟")
        self.bil_head = F.user("department_head", "BIL", name="周美芳")
        self.itn_clerk = F.user("clerk", "ITN", name="吴强")
        self.itn_head = F.user("department_head", "ITN", name="郑辉")
        self.csd_clerk = F.user("clerk", "CSD", name="王静")
        self.csd_head = F.user("department_head", "CSD", name="张明")
        self.quality = F.user("quality_manager", "EMD", name="陈芳")


def complaint(user, received_at: str, handled: bool = False, head=None, **values):
    """A CS-INQ (revision B) received by ``user`` and dispatched to ``user``'s own department (unless
    ``handling_department`` says otherwise), handled by ``user`` when asked (the customer told an hour
    after receipt), closed when ``head`` reviews it. Its reply date is derived: received_at plus the
    category's hours (24; a fault 48)."""
    data = {**INQ, "handling_department": user.department.code, "received_at": received_at, **values}
    c180 = data["channel"] == "c180"  # a ticket from the 180 centre: its number, and a written reply
    if c180:
        data.setdefault("c180_ticket", "ZH-180-0001")
    rec = service.create(specs.get("CS-INQ"), user, MultiDict(data), "zh_CN")
    db.session.commit()
    sign(rec, user)
    if handled:
        told = (datetime.fromisoformat(received_at) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        service.update(rec, user, MultiDict({"handling": "已核查并答复客户", "told_how": "phone", "told_at": told,
                                                 **({"c180_reply": "已书面回复180投诉中心"} if c180 else {})}),
                       "zh_CN", rec.version)
        db.session.commit()
        sign(rec, user)
        if head is not None:
            service.update(rec, head, MultiDict({"satisfaction": "satisfied", "complete": "y"}), "zh_CN", rec.version)
            db.session.commit()
            sign(rec, head)
    return rec


def milestone(user, month: str, kind: str, **values):
    """A CS-BILLMONTH draft of ``kind`` (bills, notices, online) for ``month``, ticked and dated."""
    base = {"milestone": kind, "month": month}
    if kind == "bills":
        base.update(bills_done_on=f"{month}-25", bills_checked="y")
    elif kind == "notices":
        base.update(first_return_on=f"{month}-01", handed_on=f"{month}-02", invoices_printed="y",
                    dunning_started="y", notices_count="1200", delivery_company="珠海邮政")
    else:
        base.update(online_on=f"{month}-02", web_one_year="y", platform_three_months="y")
    rec = service.create(specs.get("CS-BILLMONTH"), user, MultiDict({**base, **values}), "zh_CN")
    db.session.commit()
    return rec
