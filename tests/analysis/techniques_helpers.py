"""Helpers of the techniques tests (DA-04): complaints on the three complaint forms and nonconformities,
each submitted (its first step signed) through the records service."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from tests import factories as F

INQ = {"channel": "phone", "customer_name": "陈建国", "phone_number": "0756-2212345", "category": "billing",
       "severity": "general", "content": "话费异常偏高", "place": "电话查询台", "outcome": "dispatch",
       "cause": "operator", "handling_department": "BIL"}
FEE = {"channel": "counter", "customer_name": "李明", "phone_number": "13902221234", "flow": "ts003",
       "dispute_type": "service", "disputed_amount": "30.00", "content": "未订制彩铃却被收费", "handling_department": "CSD"}
NET = {"channel": "phone", "customer_name": "王芳", "phone_number": "13800138000", "category": "roaming",
       "content": "漫游后无法正常使用手机"}
NC = {"source": "complaint", "severity": "general", "description": "投诉处理超时", "requirement": "QP-CS 4.0"}


def _made(code: str, user, values: dict, submit: bool = True):
    rec = service.create(specs.get(code), user, MultiDict(values), "zh_CN")
    db.session.commit()
    if submit:
        service.sign(rec, user, F.PASSWORD)
        db.session.commit()
    return rec


def inquiry(user, received_at: str, submit: bool = True, **values):
    """A CS-INQ complaint received at ``received_at``, dispatched (submitted unless ``submit`` is false)."""
    return _made("CS-INQ", user, {**INQ, "received_at": received_at, **values}, submit)


def fee(user, received_at: str, **values):
    """A TS-FEE fee dispute accepted (its cause comes later, at investigation)."""
    return _made("TS-FEE", user, {**FEE, "received_at": received_at, **values})


def network(user, received_at: str, **values):
    """A CS-NET network complaint taken and dispatched by ``user``'s department."""
    return _made("CS-NET", user, {**NET, "received_at": received_at, **values})


def nonconformity(user, found_on: str, **values):
    """A CA-NC reported and signed."""
    return _made("CA-NC", user, {**NC, "found_on": found_on, **values})
