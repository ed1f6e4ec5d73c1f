"""Faults, repairs and scrapping: the gate stops a faulty instrument at once, only the designated
department signs the repair, a repaired one needs a passing calibration, scrapping is final.
covers: INS-09, INS-10, INS-04"""
import pytest
from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.instruments import gate as ins
from qms.instruments.models import Instrument
from qms.records import service
from qms.records import spec as specs
from tests import factories as F
from tests.instruments.helpers import calibrate, loan, register
from tests.support.clock import clock
from tests.support.records import fill, sign


def state(inst):
    db.session.expire_all()
    return db.session.get(Instrument, inst.id)


def test_ins10_repair_by_the_designated_department_then_calibration(app, staff):
    s = staff
    omd_tech = F.user("technician", "OMD", name="运维技术员")
    clock(11, 2)
    inst = register(s.tech)
    rec = service.create(specs.get("INS-REPAIR"), s.clerk, MultiDict({
        "instrument": f"#{inst.id}", "fault_found_on": "2026-11-02", "fault": "开机无显示", "repair_department": "OMD"}),
        "zh_CN")
    db.session.commit()
    sign(rec, s.clerk)
    assert state(inst).condition == "under_repair" and "维修" in ins.refusals(state(inst))[0]
    with pytest.raises(service.ValidationFailed):
        loan(s.clerk, inst, s)
    db.session.rollback()
    # Not the user, not 技术发展部: only the designated department (运行维护部) signs the repair.
    clock(11, 5)
    fill(rec, omd_tech, repaired_on="2026-11-05", outcome="repaired", repair_work="更换电源模块")
    for other in (s.tech, s.tdd_head):
        with pytest.raises(service.SignatureRefused):
            service.sign(rec, other, F.PASSWORD)
        db.session.rollback()
    sign(rec, omd_tech)
    assert state(inst).condition == "repaired" and "检定" in ins.refusals(state(inst))[0]
    clock(11, 8)
    calibrate(s, inst, on="2026-11-08")
    assert state(inst).condition == "ok" and ins.refusals(state(inst)) == []
    assert str(state(inst).next_due_on) == "2028-11-08"


def test_ins09_scrapping_verified_by_tdd_approved_by_leadership_and_final(app, staff):
    s = staff
    gm = F.user("general_manager", "LDR", name="刘伟")
    clock(11, 2)
    inst = register(s.tech, custodian_department="CSD")
    rec = service.create(specs.get("INS-SCRAP"), s.csd_head, MultiDict({
        "instrument": f"#{inst.id}", "reason": "life", "details": "已使用十二年，精度无法保证"}), "zh_CN")
    db.session.commit()
    sign(rec, s.csd_head)
    fill(rec, s.tech, verification="核实属实，同意报废")
    with pytest.raises(service.SignatureRefused):  # another department's technician cannot verify
        service.sign(rec, F.user("technician", "TSD"), F.PASSWORD)
    db.session.rollback()
    sign(rec, s.tech)
    assert state(inst).condition == "ok"  # not scrapped until the leadership approves
    with pytest.raises(service.SignatureRefused):
        service.sign(rec, s.tdd_head, F.PASSWORD)
    db.session.rollback()
    sign(rec, gm)
    assert rec.status == "closed" and state(inst).condition == "scrapped"
    assert ins.refusals(state(inst))[0] == "该仪器已报废。"
    # Final: no calibration, repair or second scrapping brings it back.
    for code, values in (("INS-CAL", {"agency": "市通信计量站", "sent_on": "2026-11-02", "returned_on": "2026-11-02",
                                      "calibrated_on": "2026-11-02", "certificate_no": "X", "result": "pass"}),
                         ("INS-REPAIR", {"fault_found_on": "2026-11-02", "fault": "x", "repair_department": "TDD"}),
                         ("INS-SCRAP", {"reason": "life", "details": "x"})):
        with pytest.raises(service.ValidationFailed) as exc:
            service.create(specs.get(code), s.tech, MultiDict({"instrument": f"#{inst.id}", **values}), "zh_CN")
        assert exc.value.errors["instrument"] == [f"该仪器已报废（{rec.number}）。"]  # says which record scrapped it
        db.session.rollback()
    from qms.instruments import events
    line = events.page(inst.id)[0]
    assert line.kind == "scrapped" and "life" not in line.summary and line.person_id == s.csd_head.id


def test_ins10_a_repair_goes_to_a_department_that_can_sign_it(app, staff):
    s = staff
    clock(11, 2)
    inst = register(s.tech)
    data = {"instrument": f"#{inst.id}", "fault_found_on": "2026-11-02", "fault": "开机无显示", "repair_department": "OMD"}
    with pytest.raises(service.ValidationFailed) as exc:  # nobody in 运行维护部 yet
        service.create(specs.get("INS-REPAIR"), s.clerk, MultiDict(data), "zh_CN")
    assert "管理员" in exc.value.errors["repair_department"][0]
    db.session.rollback()
    F.user("technician", "OMD")
    assert service.create(specs.get("INS-REPAIR"), s.clerk, MultiDict(data), "zh_CN").id


def test_ins11_a_user_holding_instruments_is_not_deactivated_or_moved(app, staff):
    from qms.admin import service as admin_service
    from qms.admin.service import ValidationFailed
    s = staff
    admin = F.user("admin", "AHR")
    clock(11, 2)
    inst = register(s.tech)
    rec = loan(s.clerk, inst, s)
    sign(rec, s.clerk)
    sign(rec, s.tech)
    clerk = s.clerk

    def change(**kw):
        args = {"full_name": clerk.full_name, "department_id": clerk.department_id, "role": clerk.role,
                "email": clerk.email, "active": True, "reason": "调岗", **kw}
        return admin_service.update_user(admin, clerk, **args)

    with pytest.raises(ValidationFailed) as exc:
        change(active=False)
    assert "TDD-0001" in exc.value.errors["active"][0]
    db.session.rollback()
    with pytest.raises(ValidationFailed) as exc:
        change(department_id=F.dept("TSD").id)
    assert "department_id" in exc.value.errors
    db.session.rollback()
    change(full_name="王静静")  # other changes go through
    db.session.commit()
    clock(11, 10)
    fill(rec, s.tech, returned_on="2026-11-10", condition_in="good")
    sign(rec, s.tech)
    change(department_id=F.dept("TSD").id)  # returned: the move goes through
    db.session.commit()
    assert clerk.department.code == "TSD"
