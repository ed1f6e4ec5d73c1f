"""Helpers for the fee-complaint tests: the people of a hall, 核算室, 数据班 and 监控室, and each step of a
TS-FEE record through the records service."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.records import customer_sign, service
from qms.records import spec as specs
from tests import factories as F
from tests.records.customer_sign_helpers import data_url, drawing
from tests.support.records import fill, sign

ACCEPT = {"received_at": "2026-11-19T09:30", "channel": "counter", "customer_name": "陈建国",
          "phone_number": "13902221234", "repeat": "first", "flow": "ts003", "dispute_type": "service",
          "disputed_amount": "30.00", "content": "客户称未订制彩铃业务却被收取功能费,要求退还。",
          "handling_department": "CSD"}
FOUND = {"findings": "营业员误为客户开通彩铃", "cause": "operator", "responsible_department": "CSD",
         "responsible_person": "王静", "error_type": "unrequested", "error_components": "feature",
         "correct_charge": "0", "wrong_charge": "30", "liability": "clerk"}
CASH = {"route": "refund", "solution": "退还误收功能费", "resolved_on": "2026-11-19", "refund_kind": "refund",
        "refund_amount": "30.00", "receipts": "charges", "refund_method": "cash"}
REPLY = {"replied_at": "2026-11-19T15:00", "reply_method": "face", "reply_content": "已退还功能费30元"}


class People:
    """A hall (CSD) with clerk and head; 核算室, 数据班 and 监控室 clerks; 市场部's clerk; a quality manager."""

    def __init__(self):
        self.clerk = F.user("clerk", "CSD", name="王静")
        self.head = F.user("department_head", "CSD", name="张明")
        self.billing = F.user("clerk", "BIL", name="黄中伟")
        self.data = F.user("clerk", "DAT", name="周开锋")
        self.monitor = F.user("technician", "MON", name="监控员")
        self.market = F.user("clerk", "MKT", name="周美芳")
        self.quality = F.user("quality_manager", "EMD", name="陈芳")


def accept(user, **values):
    """A TS-FEE record accepted (created and its accept step signed)."""
    rec = service.create(specs.get("TS-FEE"), user, MultiDict({**ACCEPT, **values}), "zh_CN")
    db.session.commit()
    return sign(rec, user)


def step(rec, user, **values):
    """Fill the waiting step's fields (if any) and sign it."""
    if values:
        fill(rec, user, **values)
    return sign(rec, user)


def customer_signs(rec, user, name="陈建国"):
    customer_sign.capture_drawn(rec, user, name, data_url(drawing()))
    db.session.commit()
