"""Demo records of the self-built works and maintenance agreements (CP-05, CP-06), so ``make run``
shows the flow on the chain's demo number 0756-2216688 (珠海海天贸易有限公司): the works agreement
signed with the customer and its two documents, a first acceptance round that failed (its
rectification letter printable), a second that passed, service opened; and a maintenance agreement
covering the works, ending in 20 days (its reminder already due).

Signed with ``sign_verified``: a demo has no one to type the password (the demo users' passwords are
the app layer's, ``qms.seed``)."""
from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image, ImageDraw
from werkzeug.datastructures import MultiDict

from ..auth.models import User
from ..core.timeutil import today
from ..records import customer_sign, service
from ..records import spec as specs
from ..records.demo_support import ink
from ..records.demo_support import user as _user
from . import works

PHONE, CUSTOMER = "0756-2216688", "珠海海天贸易有限公司"
AGREEMENT = {"customer_name": CUSTOMER, "phone_number": PHONE, "contact_person": "陈经理",
             "works_name": "海天大厦内部通信管线工程", "works_address": "珠海市香洲区海天路 8 号",
             "description": "大厦配线间至局端人井:新建 2 孔管道 180 米,敷设 HYA 300 对电缆一条,大楼内分线箱 12 个。",
             "contractor": "珠海通建工程有限公司", "agreement_kind": "both",
             "terms": "我公司按国家通信标准验收,合格后开通业务;此后由我公司代维(见设备代维协议)。"}
FAILED = {"接地与防雷": "分线箱接地电阻实测 12Ω,超过设计值 4Ω", "标识": "3 楼至 8 楼分线箱无编号标识"}




def _ink() -> bytes:
    return ink([(40, 120), (140, 60), (230, 150), (360, 70), (520, 140)])


def _pdf(title: str) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", (600, 800), (255, 255, 255))
    ImageDraw.Draw(img).rectangle([(40, 40), (560, 760)], outline=(0, 0, 0), width=3)
    img.save(out, "PDF", title=title)
    return out.getvalue()


def _round(tech: User, head: User, agreement, on, failed: dict, conclusion: str):
    data = MultiDict({"agreement": agreement.number, "accepted_on": on.isoformat(), "conclusion": conclusion})
    data.setlist("participants", ["CSD", "TSD", "OMD"])
    for n, row in enumerate(works.default_checklist()):
        data[f"items-{n}-item"], data[f"items-{n}-standard"] = row["item"], row["standard"]
        data[f"items-{n}-result"] = "fail" if row["item"] in failed else "pass"
        data[f"items-{n}-note"] = failed.get(row["item"], "符合")
    rec = service.create(specs.get(works.ROUND), tech, data, "zh_CN")
    service.sign_verified(rec, tech)
    service.sign_verified(rec, head)
    return rec


def load() -> int:
    """Create the demo records (the demo users exist); returns how many were made."""
    clerk, tech, tdhead, tsd = _user("clerk"), _user("tech"), _user("tdhead"), _user("tsd")
    if None in (clerk, tech, tdhead, tsd) or specs.get(works.WORKS) is None:
        return 0
    day = today()
    agreement = service.create(specs.get(works.WORKS), clerk,
                               MultiDict({**AGREEMENT, "signed_on": (day - timedelta(days=40)).isoformat()}), "zh_CN")
    customer_sign.capture_drawn(agreement, clerk, "陈经理", _ink())
    service.sign_verified(agreement, clerk)
    for kind, name in (("design", "海天大厦管线施工图.pdf"), ("report", "珠海通建测试报告.pdf")):
        service.attach(agreement, clerk, io.BytesIO(_pdf(name)), f"{works.DOCUMENTS[kind]}-{name}")
    _round(tech, tdhead, agreement, day - timedelta(days=30), FAILED, "接地与标识两项不合格,请限期整改后申请再次验收。")
    _round(tech, tdhead, agreement, day - timedelta(days=12), {}, "整改完毕,复验全部合格,准予开通业务。")
    item = works.works_item(agreement)
    opened = {"works_item": item.code, "opened_on": (day - timedelta(days=10)).isoformat(),
              "opened_note": "专线及 120 门分机开通。"}
    service.update(agreement, clerk, MultiDict(opened), "zh_CN", agreement.version)
    service.sign_verified(agreement, clerk)
    data = MultiDict({"customer_name": CUSTOMER, "phone_number": PHONE, "contact_person": "陈经理",
                      "scope": "大厦内部管线及分线箱每季度巡检一次;故障 24 小时内修复;不含客户自行改动造成的损坏。",
                      "fee_terms": "每年 3600 元", "start_on": (day - timedelta(days=9)).isoformat(),
                      "end_on": (day + timedelta(days=20)).isoformat(),
                      "items-0-item_code": item.code, "items-0-description": AGREEMENT["works_name"],
                      "items-0-location": AGREEMENT["works_address"]})
    maint = service.create(specs.get("CP-MAINT"), tsd, data, "zh_CN")
    customer_sign.capture_drawn(maint, tsd, "陈经理", _ink())
    service.sign_verified(maint, tsd)
    return 4
