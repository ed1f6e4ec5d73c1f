"""Steps of a reward record (CS-REWARD) through the records service, for the CS-12 tests."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from qms.complaints import rewards_reviewers
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from tests import factories as F
from tests.support import records as R


def people():
    """A CSD clerk (records), the CSD head named the reward reviewer, a second clerk, a GM."""
    clerk = F.user("clerk", "CSD", name="张受理")
    head = F.user("department_head", "CSD", name="李审核")
    other = F.user("clerk", "CSD", name="王同事")
    gm = F.user("general_manager", "LDR", name="赵总")
    admin = F.user("admin", "EMD", name="管理员")
    rewards_reviewers.save(admin, head.department_id, head.id)
    db.session.commit()
    return {"clerk": clerk, "head": head, "other": other, "gm": gm, "admin": admin}


def complaint(clerk, **values):
    """A submitted complaint (CS-INQ) to reward."""
    rec = F.record(clerk, **values)
    return R.sign(rec, clerk)


def reward_values(complaint_rec, reviewer, **values) -> dict:
    data = {"complaint": complaint_rec.number, "customer_name": "陈建国", "phone_number": "13800138000",
            "content": "营业员漏办业务", "item": "2.2.3", "justified": "yes", "repeat": "first",
            "kind": "feature_fee", "start_on": "2026-11-20", "end_on": "2026-12-19", "reviewer": str(reviewer.id)}
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def reward(clerk, complaint_rec, reviewer, **values):
    """A reward draft created through the service (ValidationFailed when refused)."""
    rec = service.create(specs.get("CS-REWARD"), clerk, MultiDict(reward_values(complaint_rec, reviewer, **values)),
                         "zh_CN")
    db.session.commit()
    return rec


def review(rec, reviewer, at: str = "2026-11-20T10:00"):
    """The designated reviewer fills the review time and signs."""
    R.fill(rec, reviewer, reviewed_at=at)
    return R.sign(rec, reviewer)
