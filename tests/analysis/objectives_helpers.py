"""Helpers of the objectives tests (DA-01): people, objectives and figures through the records service."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from tests import factories as F
from tests.support.records import sign


class People:
    """企业管理部's quality manager and head, 客户服务部's clerk and head, 终端服务部's clerk."""

    def __init__(self):
        self.quality = F.user("quality_manager", "EMD", name="陈芳")
        self.emd_head = F.user("department_head", "EMD", name="刘洋")
        self.csd_clerk = F.user("clerk", "CSD", name="王静")
        self.csd_head = F.user("department_head", "CSD", name="张明")
        self.tsd_clerk = F.user("clerk", "TSD", name="林立")


def objective_values(p: People, **kw) -> dict:
    values = {"control_point": "投诉处理", "name": "话费争议处理及时率", "target": "95", "unit": "%",
              "direction": "at_least", "period": "month", "owner": str(p.csd_head.id), "source": "entered"}
    values.update(kw)
    return {k: v for k, v in values.items() if v is not None}


def objective(p: People, dept: str = "CSD", **kw):
    """An objective issued (signed) by 企业管理部 for department ``dept``."""
    rec = service.create(specs.get("DA-OBJECTIVE"), p.quality, MultiDict(objective_values(p, **kw)), "zh_CN",
                         department_id=F.dept(dept).id)
    db.session.commit()
    return sign(rec, p.quality)


def figure(user, obj, month: str, value: str, signed: bool = True):
    """A department's figure for ``obj`` and ``month``, signed by ``user`` unless ``signed`` is false."""
    rec = service.create(specs.get("DA-FIGURE"), user, MultiDict(
        {"objective": f"#{obj.id}", "month": month, "value": value, "note": "部门台账统计"}), "zh_CN")
    db.session.commit()
    return sign(rec, user) if signed else rec
