"""Steps of a network-quality complaint (CS-NET) through the records service, for the CS-15 tests."""
from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from tests import factories as F

NET = "CS-NET"
BASE = {"received_at": "2026-12-01T09:55", "channel": "phone", "customer_name": "陈建国",
        "phone_number": "13800138000", "category": "roaming", "content": "漫游后无法正常使用手机"}


@dataclass
class Cast:
    """The people of a network complaint: the billing centre, the monitoring room, the rooms."""

    clerk: object
    mon: object
    mon_head: object
    switch: object
    switch_head: object
    radio: object
    eng: object
    quality: object
    admin: object


def cast() -> Cast:
    return Cast(clerk=F.user("clerk", "ACC"), mon=F.user("technician", "MON"), mon_head=F.user("department_head", "MON"),
                switch=F.user("technician", "SWT"), switch_head=F.user("department_head", "SWT"),
                radio=F.user("technician", "RAD"), eng=F.user("technician", "ENG"),
                quality=F.user("quality_manager", "EMD"), admin=F.user("admin", "EMD"))


def dispatched(clerk, **values):
    """A complaint created and dispatched (its first step signed) by the billing-centre clerk."""
    rec = service.create(specs.get(NET), clerk, MultiDict({**BASE, **values}), "zh_CN")
    db.session.commit()
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    return rec


def step(rec, user, **values):
    """Fill the waiting step's fields as ``user`` and sign it."""
    md = MultiDict()
    for k, v in values.items():
        for item in (v if isinstance(v, list) else [v]):
            md.add(k, item)
    service.update(rec, user, md, "zh_CN", rec.version)
    service.sign(rec, user, F.PASSWORD)
    db.session.commit()
    return rec


def confirmed(rec, mon, at="2026-12-01T10:10"):
    return step(rec, mon, confirmed_at=at, confirm_reply="已确认故障，已回复营帐部门。")


def preprocessed(rec, mon, at="2026-12-01T11:00", **values):
    return step(rec, mon, preprocess_result="已核查用户数据。", preprocessed_at=at, **values)
