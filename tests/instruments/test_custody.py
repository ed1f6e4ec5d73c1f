"""Routine maintenance by the keeping department, the monitoring system's equipment, use by the
manual, handover of custody and the usage file that records all of it.
covers: INS-05, INS-06, INS-08, INS-11"""
import re
import subprocess

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.instruments import events
from qms.instruments.models import Instrument, InstrumentEvent
from qms.records import service
from qms.records import spec as specs
from tests import factories as F
from tests.instruments.helpers import calibrate, loan, register
from tests.support.clock import clock
from tests.support.records import fill, sign


def state(inst):
    db.session.expire_all()
    return db.session.get(Instrument, inst.id)


def maintain(user, inst, **values):
    data = {"instrument": f"#{inst.id}", "maintained_on": "2026-11-02", "work": ["power_on", "dust"],
            "result": "normal", **values}
    md = MultiDict()
    for k, v in data.items():
        for x in (v if isinstance(v, list) else [v]):
            md.add(k, x)
    rec = service.create(specs.get("INS-MAINT"), user, md, "zh_CN")
    db.session.commit()
    return rec


def kinds(inst):
    return [e.kind for e in reversed(events.page(inst.id))]


def test_ins05_maintenance_by_the_keeping_department_and_abnormal_stops_it(app, staff):
    s = staff
    tsd_clerk = F.user("clerk", "TSD", name="终端员")
    clock(11, 2)
    public = register(s.tech)  # public: 技术发展部 maintains it
    dedicated = register(s.tech, asset_no="TSD-7", category="dedicated", custodian_department="TSD",
                         custodian=str(tsd_clerk.id))
    # A clerk of 客户服务部 may fill the log but not sign maintenance of a public instrument.
    rec = maintain(s.clerk, public)
    with pytest.raises(service.SignatureRefused, match="技术发展部"):
        service.sign(rec, s.clerk, F.PASSWORD)
    db.session.rollback()
    sign(maintain(s.tech, public), s.tech)
    # The dedicated one: its using department (终端服务部), not 技术发展部.
    rec2 = maintain(s.tech, dedicated)
    with pytest.raises(service.SignatureRefused, match="终端服务部"):
        service.sign(rec2, s.tech, F.PASSWORD)
    db.session.rollback()
    sign(maintain(tsd_clerk, dedicated), tsd_clerk)
    assert kinds(dedicated) == ["intake", "maintenance"]
    line = events.page(dedicated.id)[0]
    assert "通电检查" in line.summary and "除尘清洁" in line.summary and "正常" in line.summary
    # An abnormal maintenance says what was wrong (declared required_if) and stops the instrument.
    with pytest.raises(service.ValidationFailed) as exc:
        maintain(tsd_clerk, dedicated, result="abnormal")
    assert "异常情况" in exc.value.errors["note"][0]
    db.session.rollback()
    sign(maintain(tsd_clerk, dedicated, result="abnormal", note="开机报错 E03"), tsd_clerk)
    assert state(dedicated).condition == "faulty"
    with pytest.raises(service.ValidationFailed):
        loan(s.clerk, dedicated, s)
    db.session.rollback()


def test_ins06_monitoring_equipment_is_kept_and_maintained_by_omd(app, staff):
    s = staff
    omd = F.user("technician", "OMD", name="运维员")
    clock(11, 2)
    with pytest.raises(service.ValidationFailed) as exc:
        register(s.tech, asset_no="CAM-1", category="monitoring", custodian_department="TDD")
    assert "运行维护部" in exc.value.errors["custodian_department"][0]
    db.session.rollback()
    cam = register(s.tech, asset_no="CAM-1", name="监控摄像机", category="monitoring", custodian_department="OMD")
    with pytest.raises(service.SignatureRefused, match="运行维护部"):
        service.sign(maintain(s.tech, cam), s.tech, F.PASSWORD)
    db.session.rollback()
    sign(maintain(omd, cam), omd)
    assert kinds(cam)[-1] == "maintenance"


def test_ins08_a_loan_confirms_use_by_the_manual(app, client, staff):
    s = staff
    clock(11, 2)
    inst = register(s.tech, accessories="使用说明书一本、表笔两支")
    with pytest.raises(service.ValidationFailed) as exc:
        loan(s.clerk, inst, s, manual_ack="")
    assert "说明书" in exc.value.errors["manual_ack"][0]
    db.session.rollback()
    # The scanned page shows what the manual and accessories are.
    F.login(client, s.clerk)
    page = client.get(f"/r/INS-INTAKE/{inst.id}").get_data(as_text=True)
    assert "使用说明书一本" in page and 'id="manual-note"' in page


def test_ins11_handover_moves_custody_after_receipt_and_tdd_confirmation(app, staff):
    from qms.admin import service as admin_service
    from qms.admin.service import ValidationFailed
    s = staff
    admin = F.user("admin", "AHR")
    leaver = F.user("technician", "TSD", name="调岗人")
    successor = F.user("technician", "TSD", name="接任人")
    clock(11, 2)
    inst = register(s.tech, asset_no="TSD-9", category="dedicated", custodian_department="TSD", custodian=str(leaver.id))
    base = {"instrument": f"#{inst.id}", "from_person": str(leaver.id), "to_person": str(successor.id),
            "to_department": "TSD", "handed_on": "2026-11-02", "reason": "job_change", "condition": "完好"}

    def handover(user, **values):
        rec = service.create(specs.get("INS-HANDOVER"), user, MultiDict({**base, **values}), "zh_CN")
        db.session.commit()
        return rec

    # Only the present custodian hands over; the receiver must be in the receiving department.
    with pytest.raises(service.ValidationFailed) as exc:
        handover(leaver, from_person=str(s.clerk.id), to_department="CSD")
    assert set(exc.value.errors) == {"from_person", "to_department"}
    db.session.rollback()
    rec = handover(leaver)
    sign(rec, leaver)
    # Only the named successor signs receipt; 技术发展部 confirms (not the leaver's department head).
    with pytest.raises(service.SignatureRefused):
        service.sign(rec, s.tech, F.PASSWORD)
    db.session.rollback()
    sign(rec, successor)
    tsd_head = F.user("department_head", "TSD")
    with pytest.raises(service.SignatureRefused):  # the confirm step declares departments: [TDD]
        service.sign(rec, tsd_head, F.PASSWORD)
    db.session.rollback()
    # Until then the leaver still keeps it and cannot be moved.
    args = {"full_name": leaver.full_name, "department_id": F.dept("CSD").id, "role": leaver.role,
            "email": leaver.email, "active": True, "reason": "调岗"}
    with pytest.raises(ValidationFailed):
        admin_service.update_user(admin, leaver, **args)
    db.session.rollback()
    sign(rec, s.tech)
    assert rec.status == "closed" and state(inst).custodian_id == successor.id
    admin_service.update_user(admin, db.session.get(type(leaver), leaver.id), **args)  # the transfer goes through
    db.session.commit()
    line = events.page(inst.id)[0]
    assert line.kind == "handover" and "调岗人 → 接任人" in line.summary and line.person_id == successor.id


def test_ins05_usage_file_lists_every_event_pages_and_prints(app, client, tmp_path, staff):
    s = staff
    clock(11, 2)
    inst = register(s.tech, asset_no="FILE-1")
    clock(11, 9)
    for day in range(3, 9):
        rec = loan(s.clerk, inst, s, checked_out_on=f"2026-11-0{day}", return_due_on="2026-11-20", purpose=f"测试{day}")
        sign(rec, s.clerk)
        sign(rec, s.tech)
        fill(rec, s.tech, returned_on=f"2026-11-0{day}", condition_in="good")
        sign(rec, s.tech)
    clock(11, 10)
    calibrate(s, inst, on="2026-11-09")
    sign(maintain(s.tech, inst, maintained_on="2026-11-09"), s.tech)
    assert kinds(inst) == ["intake"] + ["loan_out", "loan_return"] * 6 + ["calibration", "maintenance"]
    # Signing again or a later hook never writes a line twice.
    assert db.session.execute(select(InstrumentEvent).where(InstrumentEvent.instrument_id == inst.id)).all().__len__() == 15
    F.login(client, s.clerk)
    page = client.get(f"/r/INS-INTAKE/{inst.id}").get_data(as_text=True)
    assert "测试8" in page and "王静" in page and 'id="full-file"' in page
    events.PAGE, old = 5, events.PAGE
    try:
        first = client.get(f"/instruments/{inst.id}/file").get_data(as_text=True)
        cursor = re.search(r'id="older" href="[^"]*before=([^"&]+)', first).group(1)
        second = client.get(f"/instruments/{inst.id}/file?before={cursor}").get_data(as_text=True)
    finally:
        events.PAGE = old
    assert "测试8" in first and "测试8" not in second and "测试6" in second
    assert client.get(f"/instruments/{inst.id}/file?before=junk").status_code == 422
    assert client.get(f"/instruments/{inst.id}/file?before=2026-13-01.5").status_code == 422
    assert client.get("/instruments/999999/file").status_code == 404
    pdf = tmp_path / "file.pdf"
    pdf.write_bytes(client.get(f"/instruments/{inst.id}/file.pdf").data)
    assert client.get(f"/instruments/{inst.id}/file.pdf").data == pdf.read_bytes()  # rendered once, kept
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts and " yes " in fonts
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
    assert "仪器、仪表使用档案" in text and "FILE-1" in text and "测试3" in text and "JL-88" in text
