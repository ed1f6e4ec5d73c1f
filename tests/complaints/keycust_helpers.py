"""Steps of the key-customer, terminal-service and customer-contact tests (CS-04, CS-05, CS-09):
the people, a customer on the key-customer list, a service record submitted to departments."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from qms.core import timeutil
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from qms.records.models import Record
from tests import factories as F
from tests.support.clock import SH, at

PHONE = "0756-3318888"
ENTRY = {"customer_name": "港湾实业有限公司", "phone_number": PHONE, "account": "ZH-0001", "since": "2026-01-05"}
KEY = {"customer_name": "港湾实业有限公司", "phone_number": "0756 331 8888", "request_type": "install",
       "request": "新增 30 门分机及 2 条中继线", "target_department": "TSD", "notified_at": "2026-11-20T10:00"}


class People:
    """客户服务部 clerk and head, 终端服务部 and 技术发展部 technicians, 企业管理部, the general manager."""

    def __init__(self):
        self.clerk = F.user("clerk", "CSD")
        self.head = F.user("department_head", "CSD")
        self.tsd = F.user("technician", "TSD")
        self.tdd = F.user("technician", "TDD")
        self.quality = F.user("quality_manager", "EMD")
        self.gm = F.user("general_manager", "LDR")


def listed(clerk, **values) -> Record:
    """The customer registered on the key-customer list (CS-KEYCUST), signed."""
    timeutil.set_clock(at(11, 20, 9))
    rec = service.create(specs.get("CS-KEYCUST"), clerk, MultiDict({**ENTRY, **values}), "zh_CN")
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    return rec


def key_service(clerk, submit: bool = True, **values) -> Record:
    """A key-customer service record filled at 10:00 on 20 November, submitted unless told not to."""
    timeutil.set_clock(at(11, 20, 10))
    rec = service.create(specs.get("CS-KEY"), clerk, MultiDict({**KEY, **values}), "zh_CN")
    if submit:
        service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    return rec


def complete(rec, user, when: str = "2026-11-22T15:00", result: str = "已完成安装调试,客户确认。") -> Record:
    """The department to act fills in its completion and signs it, an hour after it finished."""
    timeutil.set_clock(datetime.fromisoformat(when).replace(tzinfo=SH) + timedelta(hours=1))
    service.update(rec, user, MultiDict({"completed_at": when, "result": result}), "zh_CN", rec.version)
    service.sign(rec, user, F.PASSWORD)
    db.session.commit()
    return rec


def nonconformities(source: str) -> list[Record]:
    """Every nonconformity of ``source``, oldest first."""
    rows = db.session.execute(select(Record).where(Record.form_code == "CA-NC").order_by(Record.id)).scalars()
    return [r for r in rows if r.values.get("source") == source]
