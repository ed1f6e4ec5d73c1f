"""Steps of a work order through the records service (CP-WO, CP-03/IT-03): a signed business acceptance
slip, the work order issued from it, the lineman's self-check, the customer's signature and evaluation,
the inspection. The clock is the test clock (tests/support/clock.py)."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.records import customer_sign, service
from qms.records import spec as specs
from tests import factories as F
from tests.records.customer_sign_helpers import drawing
from tests.support.records import fill, sign

PHONE, CUSTOMER = "0756-2216688", "珠海海天贸易有限公司"
SLIP = {"accepted_at": "2026-11-20T09:00", "customer_name": CUSTOMER, "phone_number": PHONE,
        "address": "珠海市香洲区海天路 8 号", "business_type": "install", "request": "新装电话一部、传真一部"}
PHONE_ROW = {"kind": "telephone", "model": "HCD007(6238)TSD", "licence_mark": "yes", "licence_no": "02-5711-012345",
             "performance": "pass", "connected": "yes"}
FAX_ROW = {"kind": "fax_g3", "model": "KX-FT862CN", "licence_mark": "yes", "licence_no": "02-5711-067890",
           "performance": "pass", "connected": "yes"}


class People:
    """A business-hall clerk, a 终端服务部 lineman and his head, 企业管理部's quality manager."""

    def __init__(self):
        self.clerk = F.user("clerk", "CSD", name="王静")
        self.lineman = F.user("technician", "TSD", name="黄立新")
        self.tsd_head = F.user("department_head", "TSD", name="林国栋")
        self.quality = F.user("quality_manager", "EMD", name="陈芳")


def slip(clerk, signed=True, **values):
    rec = service.create(specs.get("IT-BIZ"), clerk, MultiDict({**SLIP, **values}), "zh_CN")
    db.session.commit()
    return sign(rec, clerk) if signed else rec


def rows(*devices) -> dict:
    """Table cells as the form posts them."""
    return {f"devices-{i}-{k}": v for i, row in enumerate(devices) for k, v in row.items()}


def issue(clerk, biz, **values):
    """A work order issued (signed) from slip ``biz``."""
    rec = service.create(specs.get("CP-WO"), clerk, MultiDict({"biz_slip": f"#{biz.id}", "area": "urban",
                                                               "issued_at": "2026-11-20T10:00", **values}), "zh_CN")
    db.session.commit()
    return sign(rec, clerk)


def self_check(rec, lineman, *devices, completed_at="2026-11-21T15:00", work_done="装机完毕，通话测试正常"):
    fill(rec, lineman, completed_at=completed_at, work_done=work_done, **rows(*(devices or (PHONE_ROW,))))
    return sign(rec, lineman)


def customer_signs(rec, lineman, attitude="satisfied", time_limit="satisfied", comment=""):
    fill(rec, lineman, eval_attitude=attitude, eval_time_limit=time_limit, eval_comment=comment)
    customer_sign.capture_drawn(rec, lineman, CUSTOMER, drawing())
    db.session.commit()
    return sign(rec, lineman)


def inspect(rec, head, result="pass", note=""):
    fill(rec, head, inspection_result=result, inspection_note=note)
    return sign(rec, head)
