"""Helpers for the nonconformity/CAPA tests: people, and each step through the records service."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from tests import factories as F
from tests.support.records import fill, sign

NC_VALUES = {"source": "identification", "severity": "general", "found_on": "2026-11-02",
             "description": "营业厅服务指引标识缺失", "requirement": "《服务过程的标识和可追溯性细则》"}


class People:
    """A department (CSD) with clerk, technician and head; 企业管理部 with two quality managers; the GM."""

    def __init__(self):
        self.clerk = F.user("clerk", "CSD", name="王静")
        self.tech = F.user("technician", "CSD", name="李强")
        self.head = F.user("department_head", "CSD", name="张明")
        self.quality = F.user("quality_manager", "EMD", name="陈芳")
        self.quality2 = F.user("quality_manager", "EMD", name="周红")
        self.gm = F.user("general_manager", "LDR", name="刘伟")
        self.other_head = F.user("department_head", "TDD", name="孙涛")


def raise_nc(user, department=None, **values):
    """A nonconformity reported and signed (the raise step)."""
    rec = service.create(specs.get("CA-NC"), user, MultiDict({**NC_VALUES, **values}), "zh_CN",
                         department_id=department.id if department else None)
    db.session.commit()
    return sign(rec, user)


def issue_capa(nc, quality, **values):
    data = {"nonconformity": f"#{nc.id}", "finding": "标识缺失", "reply_due_on": "2026-11-10",
            "verify_after_days": "30", **values}
    rec = service.create(specs.get("CA-CAPA"), quality, MultiDict(data), "zh_CN", department_id=nc.department_id)
    db.session.commit()
    return sign(rec, quality)


def add_action(capa, head, owner, due="2026-11-20", kind="corrective", text="补齐全部营业厅标识"):
    rec = service.create(specs.get("CA-ACTION"), head, MultiDict(
        {"capa": f"#{capa.id}", "kind": kind, "description": text, "owner": str(owner.id), "due_on": due}), "zh_CN")
    db.session.commit()
    return sign(rec, head)


def through_plan(capa, p: People, owners=None):
    """Accept, correct, analyse, add actions (owners), approve the plan. Returns the actions."""
    sign(capa, p.head)
    fill(capa, p.clerk, correction="当日补贴临时标识", corrected_on="2026-11-03")
    sign(capa, p.clerk)
    fill(capa, p.head, why_1="标识脱落未发现", why_2="无定期巡查", cause_category="method",
         root_cause="缺少标识巡查制度")
    sign(capa, p.head)
    actions = [add_action(capa, p.head, o, kind=k) for o, k in zip(owners or [p.clerk, p.tech],
                                                                  ("corrective", "preventive"), strict=False)]
    sign(capa, p.head)
    return actions


def implement(action, owner, done="2026-11-15"):
    fill(action, owner, done_on=done, evidence="已补齐并拍照")
    return sign(action, owner)
