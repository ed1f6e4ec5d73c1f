"""Batches sent to the metrology station with their manifest and certificates; the switch
register and its monthly billing-test watch.
covers: INS-03, INS-04, INS-07"""
import re
import subprocess

import pytest
from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.instruments import events
from qms.instruments import gate as ins
from qms.instruments.models import Instrument
from qms.records import service
from qms.records import spec as specs
from tests import factories as F
from tests.instruments.helpers import attach_certificate, loan, notices, register, register_switch, sweep
from tests.support.clock import clock
from tests.support.records import fill, sign


def state(inst):
    db.session.expire_all()
    return db.session.get(Instrument, inst.id)


def sendout(user, asset_nos, **values):
    data = {"agency": "市通信计量站", "sent_on": "2026-11-02", "expected_back_on": "2026-11-20",
            "asset_nos": asset_nos, "carrier": "李强", **values}
    rec = service.create(specs.get("INS-SENDOUT"), user, MultiDict(data), "zh_CN")
    db.session.commit()
    return rec


def test_ins03_batch_send_out_manifest_certificates_and_return(app, client, tmp_path, staff):
    s = staff
    clock(11, 2)
    a = register(s.tech, asset_no="MT-A", serial_no="SN-111")
    b = register(s.tech, asset_no="MT-B")
    c = register(s.tech, asset_no="MT-C")
    on_loan = loan(s.clerk, c, s)
    sign(on_loan, s.clerk)
    sign(on_loan, s.tech)
    # Every wrong number is named: unknown, listed twice, out on loan; only 技术发展部 sends.
    with pytest.raises(service.ValidationFailed) as exc:
        sendout(s.tech, "MT-A\nMT-A, MT-C、NOPE-9")
    text = " ".join(exc.value.errors["asset_nos"])
    assert "MT-A" in text and "NOPE-9" in text and "MT-C" in text and on_loan.number in text
    db.session.rollback()
    from werkzeug.exceptions import Forbidden
    with pytest.raises(Forbidden):
        sendout(s.csd_head, "MT-A")
    db.session.rollback()
    clock(11, 3)
    batch = sign(sendout(s.tech, "MT-A\nMT-B"), s.tech)
    assert state(a).sendout_id == batch.id and state(b).sendout_id == batch.id and state(c).sendout_id is None
    # Away: the gate refuses it, the file says where it went.
    assert batch.number in ins.refusals(state(a))[0]
    with pytest.raises(service.ValidationFailed):
        loan(s.clerk, a, s, checked_out_on="2026-11-03")
    db.session.rollback()
    assert events.page(a.id)[0].kind == "sent_out"
    # The printout is the manifest that goes with the meters.
    F.login(client, s.tech)
    pdf = tmp_path / "manifest.pdf"
    pdf.write_bytes(client.get(f"/r/INS-SENDOUT/{batch.id}.pdf").data)
    assert "WenQuanYi" in subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    printed = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
    assert "仪器、仪表送检清单" in printed and "MT-A" in printed and "MT-B" in printed and "SN-111" in printed
    assert "MT-C" not in printed and "本批送检仪器(2)" in printed

    # Each comes back with its own calibration record, linked to the batch, reviewed with its certificate.
    clock(11, 18)
    base = {"batch": batch.number, "agency": "市通信计量站", "sent_on": "2026-11-03", "returned_on": "2026-11-18",
            "calibrated_on": "2026-11-15", "certificate_no": "JL-2026-77", "result": "pass"}
    with pytest.raises(service.ValidationFailed) as exc:
        service.create(specs.get("INS-CAL"), s.tech, MultiDict({**base, "instrument": f"#{c.id}"}), "zh_CN")
    assert batch.number in exc.value.errors["batch"][0]
    db.session.rollback()
    cal = service.create(specs.get("INS-CAL"), s.tech, MultiDict({**base, "instrument": f"#{a.id}"}), "zh_CN")
    db.session.commit()
    sign(cal, s.tech)
    with pytest.raises(service.SignatureRefused, match="检定证书"):
        service.sign(cal, s.tdd_head, F.PASSWORD)
    db.session.rollback()
    F.login(client, s.tdd_head)
    page = client.get(f"/r/INS-CAL/{cal.id}").get_data(as_text=True)
    assert "检定证书" in page  # said before the password is asked
    attach_certificate(cal, s.tech)
    sign(cal, s.tdd_head)
    panel = client.get(f"/r/INS-SENDOUT/{batch.id}").get_data(as_text=True)
    assert cal.number in panel and "登记检定结果" in panel  # B still waits for its result
    # Received back: both are home; A is calibrated to 2028, B keeps its old due date.
    fill(batch, s.tech, returned_on="2026-11-18")
    sign(batch, s.tech)
    assert state(a).sendout_id is None and state(b).sendout_id is None
    assert str(state(a).next_due_on) == "2028-11-15" and ins.refusals(state(a)) == []


def test_ins07_switch_register_and_a_month_without_a_test_is_reminded_then_escalated(app):
    swt = F.user("technician", "SWT", name="周工")
    swt_head = F.user("department_head", "SWT", name="郑主任")
    quality = F.user("quality_manager", "EMD", name="陈芳")
    clock(11, 2)
    switch = register_switch(swt)
    # The test names a switch of the register, not a typed name.
    with pytest.raises(service.ValidationFailed) as exc:
        service.create(specs.get("INS-BILLING"), swt, MultiDict({
            "switch": "YQ-2026-0001", "test_month": "2026-11", "tested_on": "2026-11-02", "calls_tested": "10",
            "calls_correct": "10"}), "zh_CN")
    assert "switch" in exc.value.errors
    db.session.rollback()

    def got(user):
        return notices(user, "ins07-switch-test")

    sweep(11, 20)
    assert got(swt) == []
    sweep(11, 26)  # five days before the month ends
    assert got(swt) == ["lead:5"]
    sweep(12, 1)
    sweep(12, 2)
    assert "overdue" in got(swt) and got(swt_head) == ["escalate:1"] and got(quality) == []
    sweep(12, 4)
    assert got(quality) == ["escalate:2"]
    # November's test signed (late): the next deadline is the end of December, nothing overdue now.
    clock(12, 4)
    rec = service.create(specs.get("INS-BILLING"), swt, MultiDict({
        "switch": switch.number, "test_month": "2026-11", "tested_on": "2026-12-04", "calls_tested": "20000",
        "calls_correct": "20000"}), "zh_CN")
    db.session.commit()
    sign(rec, swt)
    from qms.instruments import switches
    assert switches.next_deadline(switch).isoformat() == "2026-12-31"
    before = len(got(swt))
    sweep(12, 10)
    assert len(got(swt)) == before
    assert switches.untested("2026-11") == [] and switches.untested("2026-12") == [switch]


def test_ins03_ins05_ins07_the_api_meets_the_same_rules(app, client, staff):
    """Refusals through the API are 422s naming the field, as on the web."""
    from tests.support.api import token_for
    s = staff
    swt = F.user("technician", "SWT", name="周工")
    clock(11, 2)
    a = register(s.tech, asset_no="API-A")
    held = loan(s.clerk, a, s)
    sign(held, s.clerk)
    sign(held, s.tech)
    h = token_for(s.tech)
    # A batch with a loaned meter.
    resp = client.post("/api/v1/forms/INS-SENDOUT/records", headers=h, json={"values": {
        "agency": "市通信计量站", "sent_on": "2026-11-02", "expected_back_on": "2026-11-20", "asset_nos": "API-A"}})
    assert resp.status_code == 422 and held.number in resp.json["fields"]["asset_nos"][0]
    # Maintenance of a public instrument signed by another department.
    resp = client.post("/api/v1/forms/INS-MAINT/records", headers=token_for(s.clerk), json={"values": {
        "instrument": a.number, "maintained_on": "2026-11-02", "work": ["dust"], "result": "normal"}})
    assert resp.status_code == 201
    resp = client.post(f"/api/v1/records/{resp.json['id']}/sign", headers=token_for(s.clerk), json={"password": F.PASSWORD})
    assert resp.status_code == 422 and "技术发展部" in str(resp.json)
    # A billing test of a switch that is not in the register.
    resp = client.post("/api/v1/forms/INS-BILLING/records", headers=token_for(swt), json={"values": {
        "switch": a.number, "test_month": "2026-11", "tested_on": "2026-11-02", "calls_tested": 10, "calls_correct": 10}})
    assert resp.status_code == 422 and "switch" in resp.json["fields"]
    # A calibration reviewed without its certificate.
    cal = client.post("/api/v1/forms/INS-CAL/records", headers=h, json={"values": {
        "instrument": a.number, "agency": "市通信计量站", "sent_on": "2026-11-01", "returned_on": "2026-11-02",
        "calibrated_on": "2026-11-02", "certificate_no": "C-1", "result": "pass"}})
    assert cal.status_code == 201
    assert client.post(f"/api/v1/records/{cal.json['id']}/sign", headers=h, json={"password": F.PASSWORD}).status_code == 200
    resp = client.post(f"/api/v1/records/{cal.json['id']}/sign", headers=token_for(s.tdd_head), json={"password": F.PASSWORD})
    assert resp.status_code == 422 and "检定证书" in str(resp.json)
