"""Nonconformity -> CAPA record -> actions -> effectiveness verification -> closed, through the
records service (CA-01, CA-02), segregation of duties, no closing without verification, reopening.
covers: CA-01, CA-02, CA-04, IT-06"""
import pytest
from sqlalchemy import select

from qms.capa import service as capa
from qms.capa.models import NcDesk
from qms.core.audit import AuditEvent
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from qms.records.models import Record
from tests import factories as F
from tests.capa.helpers import add_action, implement, issue_capa, raise_nc, through_plan
from tests.support.clock import clock
from tests.support.records import fill, sign


def desk(nc):
    db.session.expire_all()
    return db.session.get(NcDesk, nc.id)


def test_ca02_whole_flow_raise_to_close(app, people):
    p = people
    clock(11, 2)
    nc = raise_nc(p.clerk)
    assert nc.number.startswith("BHG-2026-") and nc.status == "in_progress" and nc.current_step == "close"
    assert desk(nc).stage == "open" and desk(nc).department_id == p.clerk.department_id
    capa_rec = issue_capa(nc, p.quality)
    assert capa_rec.number.startswith("JZ-2026-") and capa_rec.current_step == "accept"
    assert desk(nc).stage == "in_capa" and desk(nc).capa_id == capa_rec.id
    a1, a2 = through_plan(capa_rec, p)
    assert capa_rec.current_step == "implement" and desk(nc).open_actions == 2
    assert desk(nc).cause_category == "method" and str(desk(nc).next_due_on) == "2026-11-20"
    implement(a1, p.clerk)
    implement(a2, p.tech)
    assert a1.status == a2.status == "closed" and desk(nc).open_actions == 0
    fill(capa_rec, p.head, implemented_on="2026-11-16", implementation_summary="措施已全部实施,见附件照片")
    sign(capa_rec, p.head)
    assert capa_rec.current_step == "verify" and desk(nc).stage == "verifying"
    # Effectiveness is verified after the set period (30 days from implementation), not before.
    clock(12, 1)
    fill(capa_rec, p.quality, verified_on="2026-12-01", effective="yes", verification_note="复查无缺失")
    with pytest.raises(service.SignatureRefused, match="2026-12-16"):
        service.sign(capa_rec, p.quality, F.PASSWORD)
    db.session.rollback()
    clock(12, 17)
    fill(capa_rec, p.quality, verified_on="2026-12-17", effective="yes", verification_note="复查无缺失")
    sign(capa_rec, p.quality)
    assert capa_rec.status == "closed" and desk(nc).stage == "to_close"
    fill(nc, p.quality, close_note="措施有效,关闭")
    sign(nc, p.quality)
    assert nc.status == "closed" and desk(nc).stage == "closed" and str(desk(nc).closed_on) == "2026-12-17"
    # Every signature still verifies: later steps never touched what earlier ones signed.
    for rec in (nc, capa_rec, a1, a2):
        assert all(s.is_valid(rec, specs.by_revision(rec.form_revision_id)) for s in rec.signatures)


def test_ca02_no_closing_without_effective_verification(app, people):
    p = people
    clock(11, 2)
    nc = raise_nc(p.clerk)
    fill(nc, p.quality, close_note="直接关闭")
    with pytest.raises(service.SignatureRefused, match="verified its corrective action effective|验证纠正措施有效"):
        service.sign(nc, p.quality, F.PASSWORD)
    db.session.rollback()
    capa_rec = issue_capa(nc, p.quality)
    with pytest.raises(service.SignatureRefused):
        service.sign(nc, p.quality, F.PASSWORD)
    db.session.rollback()
    # The plan cannot be approved without actions, nor implementation confirmed with actions open.
    sign(capa_rec, p.head)
    fill(capa_rec, p.clerk, correction="临时处理", corrected_on="2026-11-03")
    sign(capa_rec, p.clerk)
    fill(capa_rec, p.head, why_1="无巡查", cause_category="people", root_cause="培训不足")
    sign(capa_rec, p.head)
    with pytest.raises(service.SignatureRefused):
        service.sign(capa_rec, p.head, F.PASSWORD)
    db.session.rollback()
    action = add_action(capa_rec, p.head, p.clerk)
    sign(capa_rec, p.head)
    fill(capa_rec, p.head, implemented_on="2026-11-16", implementation_summary="见附件")
    with pytest.raises(service.SignatureRefused, match=action.number):
        service.sign(capa_rec, p.head, F.PASSWORD)
    db.session.rollback()


def test_ca02_segregation_of_duties(app, people):
    p = people
    clock(11, 2)
    nc = raise_nc(p.clerk)
    capa_rec = issue_capa(nc, p.quality)
    # Only the head of the responsible department accepts; another department's head cannot.
    with pytest.raises(service.SignatureRefused):
        service.sign(capa_rec, p.other_head, F.PASSWORD)
    db.session.rollback()
    # The second quality manager owns an action, so only the first may verify.
    a1, a2 = through_plan(capa_rec, p, owners=[p.clerk, p.quality2])
    # Only an action's owner signs it done.
    fill(a1, p.clerk, done_on="2026-11-15", evidence="已完成")
    for intruder in (p.tech, p.head, p.quality):
        with pytest.raises(service.SignatureRefused):
            service.sign(a1, intruder, F.PASSWORD)
        db.session.rollback()
    sign(a1, p.clerk)
    implement(a2, p.quality2)
    fill(capa_rec, p.head, implemented_on="2026-11-16", implementation_summary="见附件")
    sign(capa_rec, p.head)
    clock(12, 20)
    fill(capa_rec, p.quality, verified_on="2026-12-20", effective="yes", verification_note="有效")
    with pytest.raises(service.SignatureRefused, match=a2.number):
        service.sign(capa_rec, p.quality2, F.PASSWORD)
    db.session.rollback()
    sign(capa_rec, p.quality)
    assert capa_rec.status == "closed"


def test_ca02_not_effective_reopens_with_a_new_round(app, people):
    p = people
    clock(11, 2)
    nc = raise_nc(p.clerk)
    first = issue_capa(nc, p.quality)
    for a in through_plan(first, p):
        implement(a, p.clerk if a.values["kind"] == "corrective" else p.tech)
    fill(first, p.head, implemented_on="2026-11-16", implementation_summary="见附件")
    sign(first, p.head)
    clock(12, 20)
    fill(first, p.quality, verified_on="2026-12-20", effective="no", verification_note="复查仍有缺失")
    sign(first, p.quality)
    assert first.status == "closed" and desk(nc).stage == "reopened"
    second = db.session.execute(select(Record).where(Record.form_code == "CA-CAPA", Record.id != first.id)).scalar_one()
    assert second.status == "draft" and second.values["previous_capa"] == first.id
    assert second.values["nonconformity"] == nc.id and second.department_id == nc.department_id
    # The nonconformity stays open until a round is verified effective.
    fill(nc, p.quality, close_note="关闭")
    with pytest.raises(service.SignatureRefused):
        service.sign(nc, p.quality, F.PASSWORD)
    db.session.rollback()
    # Only one round open at a time.
    with pytest.raises(service.ValidationFailed):
        issue_capa(nc, p.quality)
    db.session.rollback()
    sign(second, p.quality)
    assert desk(nc).stage == "in_capa" and desk(nc).rounds == 2 and desk(nc).capa_id == second.id


def test_actions_only_while_planning_and_not_backdated(app, people):
    p = people
    clock(11, 2)
    nc = raise_nc(p.clerk)
    capa_rec = issue_capa(nc, p.quality)
    with pytest.raises(service.ValidationFailed) as exc:
        add_action(capa_rec, p.head, p.clerk)  # still waiting for acceptance
    assert "capa" in exc.value.errors
    db.session.rollback()
    sign(capa_rec, p.head)
    fill(capa_rec, p.clerk, correction="临时处理", corrected_on="2026-11-03")
    sign(capa_rec, p.clerk)
    with pytest.raises(service.ValidationFailed) as exc:
        add_action(capa_rec, p.head, p.clerk, due="2026-10-01")
    assert "due_on" in exc.value.errors
    db.session.rollback()
    with pytest.raises(service.ValidationFailed) as exc:
        add_action(capa_rec, p.other_head, p.clerk)  # another department's CAPA
    assert "capa" in exc.value.errors


def test_ca01_a_procedure_opens_a_nonconformity_from_its_record(app, people):
    """The one service call other procedures use (the instruments procedure for failed
    calibrations and billing tests): numbered, waiting for 企业管理部, caused-by in the audit trail."""
    p = people
    clock(11, 2)
    source = F.record(p.clerk)
    sign(source, p.clerk)
    nc = capa.open_nonconformity(source, "calibration", p.tech.department_id, "serious", "计量检定不合格", p.tech)
    db.session.commit()
    assert nc.number.startswith("BHG-") and nc.status == "in_progress" and not nc.signatures
    assert nc.values["source_record"] == source.id and nc.created_by_id == p.tech.id
    ev = db.session.execute(select(AuditEvent).where(AuditEvent.object_id == str(nc.id),
                                                     AuditEvent.action == "auto_submit")).scalar_one()
    assert source.number in ev.reason
    assert desk(nc).severity == "serious" and desk(nc).source == "calibration"
    with pytest.raises(service.ValidationFailed):
        capa.open_nonconformity(source, "weather", p.tech.department_id, "serious", "x", p.tech)


def test_it06_identification_check_findings_become_nonconformities(app, client, people):
    p = people
    clock(11, 2)
    check = F.record(p.quality, "IT-CHECK", checked_on="2026-11-02", departments_checked="CSD",
                     scope="营业厅标识", checkers="陈芳", outcome="findings")
    sign(check, p.quality)
    F.login(client, p.quality)
    page = client.get(f"/r/IT-CHECK/{check.id}").get_data(as_text=True)
    assert 'id="raise-finding"' in page
    # The link pre-fills source and source record; 企业管理部 chooses the responsible department.
    form = client.get(f"/r/CA-NC/new?source=identification&source_record={check.number}&found_on=2026-11-02")
    html = form.get_data(as_text=True)
    assert check.number in html and 'name="_department"' in html
    token = F.csrf_from(html)
    nonce = html.split('name="_nonce" value="')[1].split('"')[0]
    resp = client.post("/r/CA-NC/new", data={
        "csrf_token": token, "_nonce": nonce, "_department": str(p.head.department_id), "source": "identification",
        "severity": "minor", "found_on": "2026-11-02", "source_record": check.number,
        "description": "服务指引牌缺失"})
    assert resp.status_code == 302
    nc = db.session.execute(select(Record).where(Record.form_code == "CA-NC")).scalar_one()
    assert nc.department_id == p.head.department_id and nc.values["source_record"] == check.id
    assert nc.number is None  # a draft until signed
    assert nc.display_number in client.get(f"/r/IT-CHECK/{check.id}").get_data(as_text=True)


def test_an_action_waits_on_its_owners_home_page_even_from_another_department(app, client, people):
    p = people
    clock(11, 2)
    outsider = F.user("technician", "TDD", name="赵工")  # another department's technician owns the action
    nc = raise_nc(p.clerk)
    capa_rec = issue_capa(nc, p.quality)
    (action,) = through_plan(capa_rec, p, owners=[outsider])
    F.login(client, outsider)
    assert action.number in client.get("/").get_data(as_text=True)
    page = client.get(f"/r/CA-ACTION/{action.id}").get_data(as_text=True)
    assert "填写本步骤" in page  # they may fill in and sign it, and attach the evidence
    implement(action, outsider)
    assert action.status == "closed"
