"""Steps of a PBX application, its inspection, its re-inspection rounds and a loss report, through
the records service (the customer-property register's tests)."""
from __future__ import annotations

import io
from datetime import timedelta

from werkzeug.datastructures import MultiDict

from qms.core.timeutil import today
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from tests import factories as F
from tests.support.records import fill, sign

LICENCE = b"%PDF-1.4\n% a scan of the network-access licence\n"


def day(n: int) -> str:
    """``n`` days before today, ISO."""
    return (today() - timedelta(days=n)).isoformat()


def people() -> dict:
    """客户服务部: a clerk who accepts, another who inspects, the head who approves."""
    return {"clerk": F.user("clerk", "CSD"), "inspector": F.user("clerk", "CSD"),
            "head": F.user("department_head", "CSD")}


APPLICATION = {"customer_name": "珠海海天贸易有限公司", "contact_phone": "0756-2216688", "device_model": "HJD-8100",
               "licence_no": "02-5678-991234", "capacity_lines": "96", "switching_system": "程控",
               "connection_mode": "中继", "power_supply": "-48V", "auxiliary_equipment": "话务台 1 台",
               "trunks_needed": "8", "install_address": "珠海市香洲区海天大厦 3 楼"}


def application(clerk, attach: bool = True, **over):
    """A submitted application (the licence copy attached), applied for 20 days ago."""
    rec = service.create(specs.get("CP-PBX"), clerk, MultiDict({**APPLICATION, "applied_on": day(20)} | over),
                         "zh_CN")
    if attach:
        service.attach(rec, clerk, io.BytesIO(LICENCE), "licence.pdf")
    db.session.commit()
    return sign(rec, clerk)


def inspect(rec, inspector, result: str, installed: int = 15, inspected: int = 10, notes: str = "中继接口不合格"):
    """The on-site inspection filled and signed."""
    fill(rec, inspector, installed_on=day(installed), inspected_on=day(inspected),
         inspection_departments=["CSD", "TSD"], inspection_result=result,
         inspection_notes=notes if result == "fail" else "")
    return sign(rec, inspector)


def round_(app_rec, user, result: str, inspected: int = 5, submit: bool = True):
    """A re-inspection round of ``app_rec``: a draft, then signed when ``submit``."""
    rec = service.create(specs.get("CP-PBX-RE"), user, MultiDict({
        "application": app_rec.number, "customer_name": app_rec.values["customer_name"],
        "contact_phone": app_rec.values["contact_phone"], "rectification": "更换中继板",
        "inspected_on": day(inspected), "inspection_departments": ["CSD", "SWT"], "result": result,
        "notes": "仍有杂音" if result == "fail" else ""}), "zh_CN")
    db.session.commit()
    return sign(rec, user) if submit else rec
