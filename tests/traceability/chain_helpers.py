"""Steps of the chain's first links through the records service, for the chain and trace tests:
a business acceptance slip (IT-BIZ) signed by the clerk, a number allocated by 交换传输室 (IT-NUM)."""
from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from tests import factories as F

SLIP = {"accepted_at": "2026-11-20T09:30", "customer_name": "珠海海天贸易有限公司", "phone_number": "0756-2216688",
        "address": "珠海市香洲区海天路1号", "business_type": "install", "request": "新装电话一部"}
NUM = {"number": "0756-2216688", "customer_name": "珠海海天贸易有限公司", "exchange": "香洲端局 C&C08",
       "port": "3框5槽12端口", "allocated_on": "2026-11-20"}


@dataclass
class People:
    clerk: object
    swt: object
    tsd: object  # 终端服务部: another department's technician
    swthead: object  # 交换传输室's head (voids an allocation made in error)

    @classmethod
    def make(cls):
        return cls(F.user("clerk", "CSD"), F.user("technician", "SWT"), F.user("technician", "TSD"),
                   F.user("department_head", "SWT"))


def create(code, user, **values):
    data = {k: v for k, v in values.items() if v is not None}
    rec = service.create(specs.get(code), user, MultiDict(data), "zh_CN")
    db.session.commit()
    return rec


def sign(rec, user):
    service.sign(rec, user, F.PASSWORD)
    db.session.commit()
    return rec


def slip(clerk, **values):
    """A business acceptance slip signed by the clerk (self-check)."""
    return sign(create("IT-BIZ", clerk, **{**SLIP, **values}), clerk)


def allocate(swt, slip_record, **values):
    """The number allocated for ``slip_record`` by 交换传输室, signed."""
    return sign(create("IT-NUM", swt, **{**NUM, "record": slip_record.number, **values}), swt)
