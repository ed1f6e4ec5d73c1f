"""Steps of the satisfaction survey (DA-02) through the records service: a campaign planned and signed
by 企业管理部, responses entered and signed, the results taken and the campaign closed."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from qms.analysis import survey_service
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from tests import factories as F
from tests.support.records import sign


class People:
    """企业管理部's clerk and head, and a 客户服务部 clerk who enters responses."""

    def __init__(self):
        self.emd_clerk = F.user("clerk", "EMD", name="周敏")
        self.emd_head = F.user("department_head", "EMD", name="郑国强")
        self.quality = F.user("quality_manager", "EMD", name="梁质量")
        self.csd_clerk = F.user("clerk", "CSD", name="林小红")


def campaign(p: People, year: int = 2026, submit: bool = True, **values):
    """A campaign for ``year``, planned and (by default) signed: it takes responses."""
    data = {"year": year, "method": "both", "sample_size": 400, "sampling": "按客户类别分层随机抽取", **values}
    rec = service.create(specs.get("DA-SURVEY"), p.emd_clerk, MultiDict(data), "zh_CN")
    db.session.commit()
    return sign(rec, p.emd_clerk) if submit else rec


def response(p: People, camp, scores: dict, phone: str = "0756-2210001", signed: bool = True, **values):
    """A response to ``camp`` with ``scores`` ({"e1": 5, ...}; others blank), signed by default."""
    data = {"campaign": f"#{camp.id}", "customer": "陈建国", "phone": phone, "method": "phone",
            "answered_on": "2026-11-20", **{k: str(v) for k, v in scores.items()}, **values}
    rec = service.create(specs.get("DA-RESPONSE"), p.csd_clerk, MultiDict(data), "zh_CN")
    db.session.commit()
    return sign(rec, p.csd_clerk) if signed else rec


def all_elements(score: int) -> dict:
    return {f"e{i}": score for i in range(1, 12)}


def close(p: People, camp):
    """Take the results and close the campaign with its conclusion (企业管理部's head)."""
    survey_service.take_results(camp, p.emd_head, "zh_CN")
    db.session.commit()
    service.update(camp, p.emd_head, MultiDict({**_formdata(camp), "conclusion": "总体满意，收费项目需改进。"}),
                   "zh_CN", camp.version)
    db.session.commit()
    return sign(camp, p.emd_head)


def _formdata(camp) -> dict:
    from qms.records.webforms import to_formdata
    return to_formdata(specs.by_revision(camp.form_revision_id), camp.values).to_dict()
