"""Instruments: intake, the permit-to-use gate, loans, calibration and its reverse impact.
covers: INS-01, INS-02, INS-03, INS-04"""
import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.instruments import gate as ins
from qms.instruments.models import Instrument
from qms.records import service
from qms.records import spec as specs
from qms.records.models import Record
from tests import factories as F
from tests.instruments.helpers import Staff, calibrate, loan, notices, register, register_switch, sweep
from tests.support.api import token_for
from tests.support.clock import clock
from tests.support.records import fill, sign


def test_ins01_intake_by_tdd_only_and_asset_numbers_unique(app, staff):
    s = staff
    clock(11, 2)
    inst = register(s.tech)
    assert inst.asset_no == "TDD-0001" and str(inst.next_due_on) == "2027-12-20" and inst.condition == "ok"
    with pytest.raises(service.ValidationFailed) as exc:
        register(s.tech)
    assert "asset_no" in exc.value.errors
    db.session.rollback()
    # Only 技术发展部 registers (declared in the form): others are refused, and see no New button.
    from werkzeug.exceptions import Forbidden

    from qms.records import policy
    other = F.user("technician", "TSD")
    with pytest.raises(Forbidden):
        register(other, asset_no="TSD-9")
    db.session.rollback()
    assert not policy.can(other, "create", specs.get("INS-INTAKE")) and policy.can(s.tech, "create", specs.get("INS-INTAKE"))


def test_ins02_short_loan_handed_out_and_returned(app, staff):
    s = staff
    clock(11, 2)
    inst = register(s.tech)
    rec = loan(s.clerk, inst, s)
    sign(rec, s.clerk)
    assert rec.current_step == "hand_out"  # a short loan needs no head's approval
    sign(rec, s.tech)
    db.session.expire_all()
    inst = db.session.get(Instrument, inst.id)
    assert inst.loan_id == rec.id and inst.holder_id == s.clerk.id
    # On loan: nobody else can borrow it.
    with pytest.raises(service.ValidationFailed) as exc:
        loan(s.clerk, inst, s)
    assert rec.number in " ".join(exc.value.errors["instrument"])
    db.session.rollback()
    clock(11, 18)
    fill(rec, s.tech, returned_on="2026-11-18", condition_in="good")
    # The return is checked by 技术发展部 or the keeping department, not another department's head.
    with pytest.raises(service.SignatureRefused, match="技术发展部"):
        service.sign(rec, s.other_head, F.PASSWORD)
    db.session.rollback()
    sign(rec, s.tech)
    db.session.expire_all()
    assert rec.status == "closed" and db.session.get(Instrument, inst.id).loan_id is None


def test_ins01_ins02_instrument_typed_by_its_label_and_no_future_dates(app, staff):
    s = staff
    clock(11, 2)
    with pytest.raises(service.ValidationFailed) as exc:
        register(s.tech, intake_on="2026-11-03", calibrated_on="2027-01-01")
    assert set(exc.value.errors) == {"intake_on", "calibrated_on"} and "今天" in exc.value.errors["intake_on"][0]
    db.session.rollback()
    inst = register(s.tech)
    # The asset number printed on the label, in any case, names the instrument as its intake number does.
    for typed in ("TDD-0001", "tdd-0001", inst.number.lower()):
        rec = loan(s.clerk, inst, s, instrument=typed)
        assert rec.values["instrument"] == inst.id
        db.session.rollback()
    with pytest.raises(service.ValidationFailed) as exc:
        loan(s.clerk, inst, s, checked_out_on="2026-11-03", return_due_on="2026-11-20")
    assert "checked_out_on" in exc.value.errors


def test_ins02_loan_rules(app, staff):
    s = staff
    clock(11, 2)
    inst = register(s.tech)
    with pytest.raises(service.ValidationFailed) as exc:
        loan(s.clerk, inst, s, return_due_on="2026-12-15")  # more than a month
    assert "2026-12-02" in exc.value.errors["return_due_on"][0]
    db.session.rollback()
    with pytest.raises(service.ValidationFailed) as exc:
        loan(s.clerk, inst, s, loan_type="long", return_due_on="2027-06-30")
    assert "long_reason" in exc.value.errors
    db.session.rollback()
    rec = loan(s.clerk, inst, s, loan_type="long", return_due_on="2027-06-30", long_reason="驻点维护半年")
    sign(rec, s.clerk)
    assert rec.current_step == "approve"
    # Only the borrowing department's head signs it; the keeper cannot hand it out before.
    for other in (s.other_head, s.tdd_head, s.tech):
        with pytest.raises(service.SignatureRefused):
            service.sign(rec, other, F.PASSWORD)
        db.session.rollback()
    sign(rec, s.csd_head)
    assert rec.current_step == "hand_out"
    sign(rec, s.tech)
    assert rec.current_step == "return"


def test_ins04_the_gate_refuses_with_the_reason(app, client, staff):
    s = staff
    clock(11, 2)
    overdue = register(s.tech, asset_no="TDD-0002", calibrated_on="2024-10-01")
    with pytest.raises(service.ValidationFailed) as exc:
        loan(s.clerk, overdue, s)
    assert "2026-10-01" in exc.value.errors["instrument"][0]
    db.session.rollback()
    # The gate is checked again at hand-out: a calibration that expires meanwhile stops it.
    inst = register(s.tech, asset_no="TDD-0003", calibrated_on="2024-11-20")
    rec = loan(s.clerk, inst, s)
    sign(rec, s.clerk)
    clock(11, 21)
    with pytest.raises(service.SignatureRefused, match="2026-11-20"):
        service.sign(rec, s.tech, F.PASSWORD)
    db.session.rollback()
    # The record page says so before any password is asked for.
    F.login(client, s.tech)
    assert "2026-11-20" in client.get(f"/r/INS-USAGE/{rec.id}").get_data(as_text=True)
    # And the API refuses the same way (422 naming the field).
    resp = client.post("/api/v1/forms/INS-USAGE/records", headers=token_for(s.clerk), json={"values": {
        "instrument": overdue.number, "loan_type": "short", "borrower": s.clerk.id, "borrowing_department": "CSD",
        "checked_out_on": "2026-11-21", "return_due_on": "2026-11-28", "purpose": "测试", "manual_ack": True}})
    assert resp.status_code == 422 and "2026-10-01" in resp.json["fields"]["instrument"][0]


def test_ins03_calibration_pass_restricted_fail_and_reverse_impact(app, staff):
    s = staff
    clock(3, 1)
    inst = register(s.tech, calibrated_on="2026-02-20")
    early = loan(s.clerk, inst, s, checked_out_on="2026-03-01", return_due_on="2026-03-20")
    sign(early, s.clerk)
    sign(early, s.tech)
    clock(3, 10)
    fill(early, s.tech, returned_on="2026-03-10", condition_in="good")
    sign(early, s.tech)
    clock(6, 1)
    calibrate(s, inst, on="2026-06-01")
    db.session.expire_all()
    inst = db.session.get(Instrument, inst.id)
    assert str(inst.next_due_on) == "2028-06-01" and ins.permit_state(inst) == "valid"
    clock(7, 1)
    later = loan(s.clerk, inst, s, checked_out_on="2026-07-01", return_due_on="2026-07-20", purpose="基站电源测试")
    sign(later, s.clerk)
    sign(later, s.tech)
    clock(7, 15)
    fill(later, s.tech, returned_on="2026-07-15", condition_in="good")
    sign(later, s.tech)
    clock(11, 10)
    cal = calibrate(s, inst, result="fail", as_found="直流电压档超差 2%")
    db.session.expire_all()
    inst = db.session.get(Instrument, inst.id)
    assert inst.condition == "quarantined" and ins.permit_state(inst) == "stopped"
    nc = db.session.execute(select(Record).where(Record.form_code == "CA-NC")).scalar_one()
    text = nc.values["description"]
    assert nc.values["source"] == "calibration" and nc.values["source_record"] == cal.id
    assert later.number in text and "基站电源测试" in text and early.number not in text  # since the last pass only
    assert "检定不合格" in text and "自上次合格检定（2026-06-01）" in text
    assert nc.department_id == inst.department_id and nc.status == "in_progress"
    with pytest.raises(service.ValidationFailed):
        loan(s.clerk, inst, s, checked_out_on="2026-11-10", return_due_on="2026-11-20")
    db.session.rollback()
    # A passing calibration returns it to use; a restricted one is usable with its restriction.
    clock(11, 20)
    calibrate(s, inst, result="restricted", on="2026-11-20", restriction="仅限交流电压测量")
    db.session.expire_all()
    inst = db.session.get(Instrument, inst.id)
    assert inst.condition == "ok" and ins.permit_state(inst) == "restricted" and inst.restriction == "仅限交流电压测量"
    assert ins.refusals(inst) == []


def test_ins03_calibration_reminders_per_instrument_with_the_test_clock(app, staff):
    """60/30/7 days before the due date to the custodian, then the ladder; a pass moves it on."""
    from datetime import datetime

    from tests.support.clock import SH
    s = staff
    gm = F.user("general_manager", "LDR")
    clock(11, 2)
    inst = register(s.tech, calibrated_on="2024-12-31", custodian=str(s.tech.id))  # due 2026-12-31

    def cal(user):
        return notices(user, "ins03-calibration")

    sweep(11, 2)
    assert cal(s.tech) == ["lead:60"]
    sweep(12, 1)
    sweep(12, 24)
    assert cal(s.tech) == ["lead:60", "lead:30", "lead:7"]
    sweep(1, 4, 2027)
    assert "overdue" in cal(s.tech) and cal(s.tdd_head) == ["escalate:1"] and cal(gm) == []
    # A passing calibration moves the due date two years on: no more notices for this period.
    from qms.core import timeutil
    timeutil.set_clock(datetime(2027, 1, 5, 10, tzinfo=SH))
    calibrate(s, inst, on="2027-01-05")
    before = len(cal(s.tech))
    sweep(1, 20, 2027)
    assert len(cal(s.tech)) == before


def test_ins02_overdue_loan_climbs_borrower_head_then_tdd(app, staff):
    s = staff
    clock(11, 2)
    inst = register(s.tech)
    rec = loan(s.clerk, inst, s, return_due_on="2026-11-20")
    sign(rec, s.clerk)
    sign(rec, s.tech)

    def got(user):
        return notices(user, "ins02-loan-return")

    for day in (17, 21, 22, 24):
        sweep(11, day)
    assert got(s.clerk) == ["lead:3", "overdue", "overdue", "overdue"]  # the borrower; catch-up sends the latest once
    assert got(s.csd_head) == ["escalate:1"]
    assert got(s.tdd_head) == ["escalate:2"] and got(s.tech) == ["escalate:3"]
    assert got(s.other_head) == []


def test_ins07_billing_test_below_threshold_opens_a_nonconformity(app, client, tmp_path):
    import re
    import subprocess
    swt = F.user("technician", "SWT", name="周工")
    swt_head = F.user("department_head", "SWT", name="郑主任")
    s = Staff()
    clock(11, 2)
    meter = register(s.tech, asset_no="SWT-1", custodian_department="SWT")
    switch = register_switch(swt)
    base = {"switch": switch.number, "test_month": "2026-11",
            "tested_on": "2026-11-02", "instrument": f"#{meter.id}", "calls_tested": "20000"}

    def test(**values):
        rec = service.create(specs.get("INS-BILLING"), swt, MultiDict({**base, **values}), "zh_CN")
        db.session.commit()
        sign(rec, swt)
        return sign(rec, swt_head)

    with pytest.raises(service.ValidationFailed) as exc:
        test(calls_correct="20001")
    assert "calls_correct" in exc.value.errors
    db.session.rollback()
    test(calls_correct="19999")  # 99.995%: meets 99.99
    assert db.session.execute(select(Record).where(Record.form_code == "CA-NC")).first() is None
    bad = test(calls_correct="19990", findings="夜间时段计费时长少计")  # 99.95%
    nc = db.session.execute(select(Record).where(Record.form_code == "CA-NC")).scalar_one()
    assert nc.values["source"] == "billing_test" and nc.values["source_record"] == bad.id
    assert "99.9500%" in nc.values["description"] and "99.99" in nc.values["description"]
    assert nc.values["requirement"] == "计费准确率不低于 99.99%（INS-BILLING 版本 B）"  # the basis, printed
    assert nc.department_id == swt.department_id
    # The printout shows the computed accuracy beside the requirement.
    F.login(client, swt_head)
    path = tmp_path / "billing.pdf"
    path.write_bytes(client.get(f"/r/INS-BILLING/{bad.id}.pdf").data)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout)
    assert "99.9500%" in text and "99.99%" in text
    # The test counts as a use of the meter: a later failed calibration lists it.
    clock(11, 10)
    calibrate(s, meter, result="fail", on="2026-11-10")
    nc2 = db.session.execute(select(Record).where(Record.form_code == "CA-NC", Record.id != nc.id)).scalar_one()
    assert bad.number in nc2.values["description"]


def test_ins04_label_colour_agrees_with_the_gate_in_every_state(app, staff):
    """permit_state (labels, registers) and refusals (the gate) decide alike."""
    from datetime import date
    s = staff
    clock(11, 2)
    inst = register(s.tech)
    on = date(2026, 11, 2)
    for condition in ("ok", "faulty", "under_repair", "repaired", "quarantined", "scrapped", "voided"):
        for cal_result in ("pass", "restricted", "fail"):
            for due in (None, date(2026, 11, 1), date(2027, 1, 1)):
                for away in (None, inst.id):
                    inst.condition, inst.cal_result, inst.next_due_on, inst.sendout_id = condition, cal_result, due, away
                    stopped = bool(ins.refusals(inst, on))
                    assert (ins.permit_state(inst, on) == "stopped") == stopped, (condition, cal_result, due, away)
    db.session.rollback()
