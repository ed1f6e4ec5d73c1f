"""Helpers for the instruments tests: the staff, and intake, loans, calibrations, switches and
the reminder sweep through the services."""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.instruments.models import Instrument
from qms.records import service
from qms.records import spec as specs
from tests import factories as F
from tests.support.records import sign

INTAKE = {"asset_no": "TDD-0001", "name": "数字万用表", "model": "FLUKE-17B", "category": "public",
          "custodian_department": "TDD", "location": "技术发展部仪表室", "intake_on": "2026-01-05",
          "calibrated_on": "2025-12-20", "interval_months": "24"}


class Staff:
    def __init__(self):
        self.tech = F.user("technician", "TDD", name="李强")
        self.tdd_head = F.user("department_head", "TDD", name="孙涛")
        self.clerk = F.user("clerk", "CSD", name="王静")
        self.csd_head = F.user("department_head", "CSD", name="张明")
        self.other_head = F.user("department_head", "TSD", name="吴刚")
        self.quality = F.user("quality_manager", "EMD", name="陈芳")


def register(tech, **values):
    rec = service.create(specs.get("INS-INTAKE"), tech, MultiDict({**INTAKE, **values}), "zh_CN")
    db.session.commit()
    sign(rec, tech)
    return db.session.get(Instrument, rec.id)


def loan(user, inst, staff, **values):
    data = {"instrument": f"#{inst.id}", "loan_type": "short", "borrower": str(staff.clerk.id),
            "borrowing_department": "CSD", "checked_out_on": "2026-11-02", "return_due_on": "2026-11-20",
            "purpose": "用户线路测试", "manual_ack": "y", **values}
    rec = service.create(specs.get("INS-USAGE"), user, MultiDict(data), "zh_CN")
    db.session.commit()
    return rec


def calibrate(staff, inst, result="pass", on="2026-11-10", **values):
    data = {"instrument": f"#{inst.id}", "agency": "市通信计量站", "sent_on": on, "returned_on": on,
            "calibrated_on": on, "certificate_no": "JL-88", "result": result, **values}
    rec = service.create(specs.get("INS-CAL"), staff.tech, MultiDict(data), "zh_CN")
    db.session.commit()
    sign(rec, staff.tech)
    attach_certificate(rec, staff.tech)
    return sign(rec, staff.tdd_head)


CERTIFICATE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def attach_certificate(rec, user):
    """The certificate scan every calibration is reviewed with (INS-03)."""
    import io
    service.attach(rec, user, io.BytesIO(CERTIFICATE), "certificate.pdf")
    db.session.commit()


def register_switch(user, name="端局 C&C08-1", switch_type="program_controlled", **values):
    data = {"name": name, "switch_type": switch_type, "location": "一号机楼", "in_service_on": "2020-01-01", **values}
    rec = service.create(specs.get("INS-SWITCH"), user, MultiDict(data), "zh_CN")
    db.session.commit()
    sign(rec, user)
    return rec


def notices(user, rule_id):
    """The stages of ``rule_id``'s notices ``user`` received, oldest first."""
    from qms.reminders.models import Notification
    db.session.expire_all()
    return [n.stage for n in db.session.execute(select(Notification).where(
        Notification.recipient_id == user.id, Notification.rule_id == rule_id)).scalars()]


def sweep(m, d, y=2026):
    """The reminder sweep at 10:00 Shanghai time of that day."""
    from datetime import datetime

    from qms.reminders import engine, rules
    from tests.support.clock import SH
    engine.sweep(rules.by_id(), now=datetime(y, m, d, 10, tzinfo=SH))
