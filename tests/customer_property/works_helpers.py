"""Helpers for the self-built works and maintenance tests (CP-05, CP-06): the people, an agreement
signed with the customer and its documents, a round judged and signed, and a maintenance agreement."""
from __future__ import annotations

import io

from werkzeug.datastructures import MultiDict

from qms.customer_property import works
from qms.extensions import db
from qms.records import customer_sign, service
from qms.records import spec as specs
from tests import factories as F
from tests.records.customer_sign_helpers import data_url, drawing, pdf_page
from tests.support.records import fill, sign

AGREEMENT = {"customer_name": "珠海海天贸易有限公司", "phone_number": "0756-2216688", "contact_person": "陈经理",
             "works_name": "海天大厦内部通信管线工程", "works_address": "珠海市香洲区海天路 8 号",
             "description": "大厦至局端 300 对电缆及管道 2 孔,施工单位珠海通建。", "agreement_kind": "both",
             "signed_on": "2026-11-02"}


class People:
    """客户服务部 (clerk, head), 技术发展部 (technician, head), 终端服务部 technician."""

    def __init__(self):
        self.clerk = F.user("clerk", "CSD", name="王静")
        self.head = F.user("department_head", "CSD", name="张明")
        self.tech = F.user("technician", "TDD", name="李强")
        self.tdhead = F.user("department_head", "TDD", name="孙涛")
        self.tsd = F.user("technician", "TSD", name="黄立新")


def customer_signs(rec, user, name="陈经理"):
    customer_sign.capture_drawn(rec, user, name, data_url(drawing()))
    db.session.commit()


def agreement(p: People, documents: bool = True, **values):
    """A works agreement signed by 客户服务部 and the customer, with both documents attached."""
    rec = service.create(specs.get(works.WORKS), p.clerk, MultiDict({**AGREEMENT, **values}), "zh_CN")
    db.session.commit()
    customer_signs(rec, p.clerk)
    sign(rec, p.clerk)
    if documents:
        attach(rec, p.clerk, "design")
        attach(rec, p.clerk, "report")
    return rec


def attach(rec, user, kind: str):
    service.attach(rec, user, io.BytesIO(pdf_page()), f"{works.DOCUMENTS[kind]}-{kind}.pdf")
    db.session.commit()


def round_values(agreement_rec, fail: tuple = (), accepted_on="2026-11-10", **values) -> dict:
    """A round's form data: the default checklist, the rows named in ``fail`` failed, the rest passed."""
    data = {"agreement": agreement_rec.number, "accepted_on": accepted_on, "participants": ["CSD", "TSD"], **values}
    for n, row in enumerate(works.default_checklist()):
        data[f"items-{n}-item"], data[f"items-{n}-standard"] = row["item"], row["standard"]
        data[f"items-{n}-result"] = "fail" if row["item"] in fail else "pass"
        if row["item"] in fail:
            data[f"items-{n}-note"] = f"{row['item']}不符合要求"
    return data


def new_round(p: People, agreement_rec, fail: tuple = (), **values):
    rec = service.create(specs.get(works.ROUND), p.tech, MultiDict(round_values(agreement_rec, fail, **values)),
                         "zh_CN")
    db.session.commit()
    return rec


def closed_round(p: People, agreement_rec, fail: tuple = (), **values):
    """A round judged by 技术发展部's technician and reviewed by its head."""
    rec = new_round(p, agreement_rec, fail, **values)
    sign(rec, p.tech)
    return sign(rec, p.tdhead)


def open_service(p: People, agreement_rec, code: str, opened_on="2026-11-20"):
    fill(agreement_rec, p.clerk, works_item=code, opened_on=opened_on)
    return sign(agreement_rec, p.clerk)


def maintenance(user, codes: list[str], start_on="2026-11-20", end_on="2027-11-19", signed: bool = True, **values):
    data = {"customer_name": "珠海海天贸易有限公司", "phone_number": "0756-2216688", "scope": "线路巡检、故障 24 小时修复",
            "start_on": start_on, "end_on": end_on, **values}
    for n, code in enumerate(codes):
        data[f"items-{n}-item_code"] = code
    rec = service.create(specs.get("CP-MAINT"), user, MultiDict(data), "zh_CN")
    db.session.commit()
    if signed:
        customer_signs(rec, user)
        sign(rec, user)
    return rec
