"""Terminal service records by 终端服务部 with the customer's signature (CS-05); callbacks, questionnaires
and visits, where a dissatisfied customer opens a nonconformity for improvement (CS-09).
covers: CS-05, CS-09, CA-01"""
import base64
import io

import pytest
from PIL import Image, ImageDraw
from werkzeug.datastructures import MultiDict

from qms.core import timeutil
from qms.extensions import db
from qms.records import customer_sign, policy, service
from qms.records import spec as specs
from tests import factories as F
from tests.complaints.keycust_helpers import People, key_service, listed, nonconformities
from tests.support.clock import at

TERM = {"customer_name": "港湾实业有限公司", "phone_number": "0756-3318888", "terminal": "华为 MA5620 数据终端 SN2201",
        "request": "终端无法上网,上门检修", "service_on": "2026-11-21"}
VISIT = {"method": "callback", "customer_name": "港湾实业有限公司", "phone_number": "0756-3318888",
         "contacted_on": "2026-11-24", "content": "回访分机安装:客户反映施工拖延两天,现场未清理。"}


def _drawing() -> str:
    img = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(img).line([(30, 150), (140, 40), (260, 160), (560, 140)], fill=(11, 31, 77, 255), width=4)
    out = io.BytesIO()
    img.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _create(code, user, values):
    rec = service.create(specs.get(code), user, MultiDict(values), "zh_CN")
    db.session.commit()
    return rec


def test_cs05_terminal_service_is_refused_without_the_customers_signature(app):
    p = People()
    timeutil.set_clock(at(11, 21, 15))
    spec = specs.get("CS-TERM")
    assert not policy.can(p.clerk, "create", spec) and policy.can(p.tsd, "create", spec)  # 终端服务部 only
    rec = _create("CS-TERM", p.tsd, TERM)
    service.sign(rec, p.tsd, F.PASSWORD)
    service.update(rec, p.tsd, MultiDict({"completion": "更换电源模块,测试上网正常。", "completed_on": "2026-11-21"}),
                   "zh_CN", rec.version)
    db.session.commit()
    with pytest.raises(service.SignatureRefused):
        service.sign(rec, p.tsd, F.PASSWORD)
    db.session.rollback()
    assert rec.status == "in_progress" and rec.current_step == "complete"
    customer_sign.capture_drawn(rec, p.tsd, "李经理", _drawing())
    service.sign(rec, p.tsd, F.PASSWORD)
    db.session.commit()
    assert rec.status == "closed" and rec.values["completion"].startswith("更换电源模块")


def test_cs05_completion_before_the_service_date_is_refused(app):
    p = People()
    timeutil.set_clock(at(11, 21, 15))
    rec = _create("CS-TERM", p.tsd, TERM)
    service.sign(rec, p.tsd, F.PASSWORD)
    db.session.commit()
    with pytest.raises(service.ValidationFailed) as exc:
        service.update(rec, p.tsd, MultiDict({"completion": "已修复", "completed_on": "2026-11-20"}), "zh_CN",
                       rec.version)
    assert "completed_on" in exc.value.errors


def test_cs09_a_dissatisfied_callback_raises_one_nonconformity(app):
    p = People()
    listed(p.clerk)
    key = key_service(p.clerk, target_department="TDD")
    timeutil.set_clock(at(11, 24, 16))
    visit = _create("CS-VISIT", p.clerk, {**VISIT, "about": key.number, "score": "2", "satisfaction": "dissatisfied"})
    assert nonconformities("survey") == []  # a draft raises nothing yet
    service.sign(visit, p.clerk, F.PASSWORD)
    db.session.commit()
    [nc] = nonconformities("survey")
    # The department whose service was followed up answers for it (the key-customer record's department to act).
    assert nc.values["source_record"] == visit.id and nc.department.code == "TDD"
    assert "不满意" in nc.values["description"] and key.display_number in nc.values["description"]
    assert nc.status == "in_progress" and nc.current_step == "close"  # waits for 企业管理部
    service.void(visit, p.head, "录入重复", F.PASSWORD)  # a later change does not raise a second one
    db.session.commit()
    assert len(nonconformities("survey")) == 1


def test_cs09_a_low_score_must_be_marked_dissatisfied_and_a_fair_result_raises_nothing(app, client):
    p = People()
    timeutil.set_clock(at(11, 24, 16))
    with pytest.raises(service.ValidationFailed) as exc:
        _create("CS-VISIT", p.clerk, {**VISIT, "score": "1", "satisfaction": "satisfied"})
    assert "satisfaction" in exc.value.errors
    db.session.rollback()
    fair = _create("CS-VISIT", p.clerk, {**VISIT, "method": "questionnaire", "score": "3", "satisfaction": "fair"})
    service.sign(fair, p.clerk, F.PASSWORD)
    db.session.commit()
    assert nonconformities("survey") == []
    # The record page offers the nonconformity by hand (as the identification check does).
    F.login(client, p.clerk)
    page = client.get(f"/r/CS-VISIT/{fair.id}").get_data(as_text=True)
    assert 'id="raise-nc"' in page and "source=survey" in page and f"source_record={fair.number}" in page
