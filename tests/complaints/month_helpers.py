"""Helpers of the month tests (CS-06, CS-07): people, complaints and milestone records through the service."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from tests import factories as F
from tests.support.records import sign

INQ = {"channel": "phone", "customer_name": "陈建国", "phone_number": "0756-2212345", "category": "billing",
       "severity": "general", "content": "话费异常偏高"}


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
    """A CS-INQ submitted (and handled when asked) by ``user``; closed when ``head`` reviews it."""
    data = {**INQ, "received_at": received_at, "reply_due_on": received_at[:10], **values}
    rec = service.create(specs.get("CS-INQ"), user, MultiDict(data), "zh_CN")
    db.session.commit()
    sign(rec, user)
    if handled:
        service.update(rec, user, MultiDict({"handling": "已核查并答复客户", "customer_informed": "y"}), "zh_CN", rec.version)
        db.session.commit()
        sign(rec, user)
        if head is not None:
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
