"""Helpers for the reminder tests: a key-customer record (CS-KEY) with a due date, and its people."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from qms.core import timeutil
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from tests import factories as F
from tests.support.clock import at

KEY = {"customer_name": "港湾实业", "phone_number": "0756-3318888", "request": "新增分机",
       "target_department": "TSD", "notified_at": "2026-11-20T10:00", "due_on": "2026-11-25"}


def key_record(clerk, **values):
    timeutil.set_clock(at(11, 20))
    rec = service.create(specs.get("CS-KEY"), clerk, MultiDict({**KEY, **values}), "zh_CN")
    db.session.commit()
    return rec


def people():
    return (F.user("clerk", "CSD"), F.user("department_head", "CSD"), F.user("quality_manager", "EMD"),
            F.user("general_manager", "LDR"))
