"""Materials pending inspection (IT-05): 财务部 alone logs an arrival and names the requesting
department, which is told and alone inspects and accepts; goods not accepted are segregated in a
designated area and the person named is told; goods of a slip not accepted are never issued (web
and API 422); inspected_on before arrived_on and future dates are refused.
covers: IT-05"""
import pytest
from sqlalchemy import select

from qms.core.errors import ValidationFailed
from qms.core.timeutil import set_clock
from qms.extensions import db
from qms.records import links, policy
from qms.records import spec as specs
from qms.reminders.models import Notification
from qms.traceability import materials_areas, materials_query
from tests import factories as F
from tests.support.api import token_for
from tests.support.clock import at
from tests.support.records import fill, sign


@pytest.fixture(autouse=True)
def _clock():
    set_clock(at(12, 1, 10))
    yield
    set_clock(None)


class People:
    def __init__(self):
        self.keeper = F.user("clerk", "FIN")
        self.inspector = F.user("technician", "TSD")
        self.head = F.user("department_head", "TSD")
        self.other = F.user("technician", "OMD")


@pytest.fixture
def p(app):
    return People()


def _arrive(p, qty=20):
    rec = F.record(p.keeper, "IT-QA", material="皮线光缆", quantity=str(qty), unit="盘", arrived_on="2026-11-30",
                   requesting_department="TSD")
    return sign(rec, p.keeper)


def _inspect(p, rec, result="accepted", on="2026-12-01"):
    fill(rec, p.inspector, inspected_on=on, result=result)
    sign(rec, p.inspector)
    fill(rec, p.head, label_applied="y")
    return sign(rec, p.head)


def test_it05_only_finance_logs_arrivals_and_the_requesting_department_is_told(p):
    spec = specs.get("IT-QA")
    assert policy.can(p.keeper, "create", spec) and not policy.can(p.inspector, "create", spec)
    rec = _arrive(p)
    assert rec.current_step == "inspect" and rec in materials_query.pending_inspection()
    told = set(db.session.execute(select(Notification.recipient_id).where(
        Notification.rule_id == "it05-goods-arrived")).scalars())
    assert {p.inspector.id, p.head.id} <= told and p.other.id not in told and p.keeper.id not in told


def test_it05_inspection_and_acceptance_are_routed_to_the_requesting_department(p):
    spec = specs.get("IT-QA")
    rec = _arrive(p)
    assert policy.signable_step(p.other, spec, rec) is None  # OMD is not the requesting department
    assert policy.signable_step(p.keeper, spec, rec) is None
    assert policy.signable_step(p.inspector, spec, rec).name == "inspect"
    _inspect(p, rec)
    assert rec.status == "closed" and rec not in materials_query.pending_inspection()


def test_it05_bad_dates_are_refused(p):
    with pytest.raises(ValidationFailed) as e:
        F.record(p.keeper, "IT-QA", material="电话机", quantity="5", arrived_on="2026-12-09", requesting_department="TSD")
    assert "arrived_on" in e.value.errors
    db.session.rollback()
    rec = _arrive(p)
    with pytest.raises(ValidationFailed) as e:
        fill(rec, p.inspector, inspected_on="2026-11-29", result="accepted")
    assert "inspected_on" in e.value.errors
    db.session.rollback()
    with pytest.raises(ValidationFailed) as e:
        fill(rec, p.inspector, inspected_on="2026-12-02", result="accepted")
    assert "inspected_on" in e.value.errors


def test_it05_returned_goods_are_segregated_in_a_designated_area_and_the_person_told(p):
    rec = _inspect(p, _arrive(p), result="returned")
    assert rec.status == "in_progress" and rec.current_step == "segregate"
    with pytest.raises(ValidationFailed) as e:
        fill(rec, p.keeper, segregation_area="门卫室", disposer=str(p.other.id), segregated_on="2026-12-01")
    assert "segregation_area" in e.value.errors and "退换品区" in e.value.errors["segregation_area"][0]
    db.session.rollback()
    fill(rec, p.keeper, segregation_area="退换品区", disposer=str(p.other.id), segregated_on="2026-12-01")
    sign(rec, p.keeper)
    groups = dict(materials_query.segregated_by_area())
    assert rec in groups["退换品区"]
    told = db.session.execute(select(Notification.recipient_id).where(
        Notification.rule_id == "it05-goods-segregated")).scalars().all()
    assert p.other.id in told
    fill(rec, p.keeper, disposal="returned", disposed_on="2026-12-01")
    sign(rec, p.keeper)
    assert rec.status == "closed" and not materials_query.segregated_by_area()


def test_it05_goods_not_accepted_are_never_issued_on_web_and_api(p, client):
    waiting = _arrive(p)
    scrapped = _inspect(p, _arrive(p), result="scrapped")
    accepted = _inspect(p, _arrive(p, qty=10))
    for slip in (waiting, scrapped):
        with pytest.raises(ValidationFailed) as e:
            F.record(p.keeper, "IT-ISSUE", slip=slip.number, quantity="1", issued_to="TSD", receiver="张三",
                     issued_on="2026-12-01")
        assert "slip" in e.value.errors
        db.session.rollback()
    issue = sign(F.record(p.keeper, "IT-ISSUE", slip=accepted.number, quantity="8", issued_to="TSD", receiver="张三",
                          issued_on="2026-12-01"), p.keeper)
    assert issue.status == "closed"
    with pytest.raises(ValidationFailed) as e:  # only 2 left
        F.record(p.keeper, "IT-ISSUE", slip=accepted.number, quantity="3", issued_to="TSD", receiver="张三",
                 issued_on="2026-12-01")
    assert "quantity" in e.value.errors
    db.session.rollback()
    resp = client.post("/api/v1/forms/IT-ISSUE/records", headers=token_for(p.keeper),
                       json={"values": {"slip": waiting.number, "quantity": 1, "issued_to": "TSD", "receiver": "张三",
                                        "issued_on": "2026-12-01"}})
    assert resp.status_code == 422 and "slip" in resp.get_json()["fields"]
    F.login(client, p.keeper)
    page = client.post("/r/IT-ISSUE/new", data={"csrf_token": F.csrf(client, "/r/IT-ISSUE/new"), "slip": scrapped.number,
                                                "quantity": "1", "issued_to": "TSD", "receiver": "张三",
                                                "issued_on": "2026-12-01"})
    assert page.status_code in (200, 422) and "未经认可合格" in page.get_data(as_text=True)
    assert len(links.linked("IT-ISSUE", "slip", scrapped.id)) == 0  # nothing saved


def test_it05_areas_are_the_administrators_and_the_materials_page_lists_them(p, client):
    admin = F.user("admin", "EMD")
    with pytest.raises(ValidationFailed):
        materials_areas.save(admin, None, "退换品区")  # the name is taken
    area = materials_areas.save(admin, None, "危险品隔离柜", "仓库北侧")
    db.session.commit()
    assert materials_areas.is_area("危险品隔离柜")
    materials_areas.save(admin, area.id, area.name, area.note, in_use=False)
    db.session.commit()
    assert not materials_areas.is_area("危险品隔离柜")
    _arrive(p)
    F.login(client, p.keeper)
    page = client.get("/traceability/materials").get_data(as_text=True)
    assert "皮线光缆" in page.split('id="pending-inspection"')[1] and "危险品隔离柜" in page
