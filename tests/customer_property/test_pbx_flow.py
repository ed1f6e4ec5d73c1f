"""The PBX application and its inspection (CP-04) keep the register (CP-01) and meet the gate
(CP-02): registered pending when submitted; a failed inspection in rectification; approval refused
until a re-inspection round passes; rounds refused after a pass or while one is open; in use once
approved. Dates not before the application, installation or earlier round, never in the future.
covers: CP-01, CP-02, CP-04"""
import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import Forbidden

from qms.customer_property import register as reg
from qms.customer_property.pbx_hooks import item_of
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from qms.records.models import Record
from tests import factories as F
from tests.customer_property.pbx_helpers import APPLICATION, application, day, inspect, people, round_
from tests.support.records import fill, sign


def test_cp04_only_customer_service_applies_and_the_licence_copy_comes_first(app):
    p = people()
    with pytest.raises(Forbidden):  # 终端服务部 may not create an application
        service.create(specs.get("CP-PBX"), F.user("clerk", "TSD"), MultiDict(APPLICATION), "zh_CN")
    with pytest.raises(service.SignatureRefused) as refused:  # the licence copy is missing
        application(p["clerk"], attach=False)
    assert "设备入网证" in refused.value.message
    db.session.rollback()
    rec = db.session.execute(select(Record).where(Record.form_code == "CP-PBX")).scalar()
    assert rec.number is None and not rec.signatures and item_of(rec) is None
    spec = specs.get("CP-PBX")
    assert any("设备入网证" in b for b in service.sign_blockers(rec, spec, spec.workflow[0], p["clerk"]))


def test_cp04_a_failed_pbx_is_reinspected_until_it_passes_and_only_then_approved(app):
    p = people()
    rec = application(p["clerk"])
    item = item_of(rec)
    assert item.kind == "pbx" and item.state == reg.PENDING and item.phone == "0756-2216688"
    assert reg.items_of_phone("(0756) 221 6688") == [item]
    inspect(rec, p["inspector"], "fail")
    assert item.state == reg.RECTIFICATION and reg.refusals(item)
    with pytest.raises(service.SignatureRefused) as refused:  # approval after a failed inspection
        service.sign(rec, p["head"], F.PASSWORD)
    assert "复检" in refused.value.message
    db.session.rollback()
    first = round_(rec, p["inspector"], "fail", inspected=8)
    assert first.status == "closed" and item_of(rec).state == reg.RECTIFICATION
    with pytest.raises(service.SignatureRefused):
        service.sign(rec, p["head"], F.PASSWORD)
    db.session.rollback()
    second = round_(rec, p["inspector"], "pass", inspected=5)
    assert item_of(rec).state == reg.ACCEPTED and reg.refusals(item_of(rec)) == []
    with pytest.raises(service.ValidationFailed) as after_pass:  # no round after the PBX passed
        round_(rec, p["inspector"], "pass", inspected=4)
    assert second.number in after_pass.value.errors["application"][0]
    db.session.rollback()
    sign(rec, p["head"])
    assert rec.status == "closed" and item_of(rec).state == reg.IN_USE
    moved = [(e.state_to, e.record_id) for e in reg.events(item_of(rec))]
    assert moved == [(reg.PENDING, rec.id), (reg.RECTIFICATION, rec.id), (reg.ACCEPTED, second.id),
                     (reg.IN_USE, rec.id)]


def test_cp04_a_round_waits_for_the_open_one_and_never_follows_a_pass(app):
    p = people()
    passed = application(p["clerk"])
    inspect(passed, p["inspector"], "pass")
    assert item_of(passed).state == reg.ACCEPTED
    with pytest.raises(service.ValidationFailed) as no_need:
        round_(passed, p["inspector"], "pass")
    assert "application" in no_need.value.errors
    db.session.rollback()
    failed = application(p["clerk"])
    inspect(failed, p["inspector"], "fail")
    draft = round_(failed, p["inspector"], "fail", submit=False)
    with pytest.raises(service.ValidationFailed) as still_open:
        round_(failed, p["head"], "pass")
    assert draft.display_number in still_open.value.errors["application"][0]


def test_cp04_inspection_and_round_dates_are_refused_on_their_fields(app):
    p = people()
    rec = application(p["clerk"])
    with pytest.raises(service.ValidationFailed) as early:  # inspected before installing finished
        fill(rec, p["inspector"], installed_on=day(5), inspected_on=day(8), inspection_departments=["CSD"],
             inspection_result="pass")
    assert "inspected_on" in early.value.errors
    db.session.rollback()
    with pytest.raises(service.ValidationFailed) as before_app:  # installed before the application
        fill(rec, p["inspector"], installed_on=day(25), inspected_on=day(8), inspection_departments=["CSD"],
             inspection_result="pass")
    assert "installed_on" in before_app.value.errors
    db.session.rollback()
    with pytest.raises(service.ValidationFailed) as future:
        fill(rec, p["inspector"], installed_on=day(5), inspected_on=day(-1), inspection_departments=["CSD"],
             inspection_result="pass")
    assert "inspected_on" in future.value.errors
    db.session.rollback()
    with pytest.raises(service.ValidationFailed) as nobody:  # the participating departments are required
        fill(rec, p["inspector"], installed_on=day(5), inspected_on=day(3), inspection_result="pass")
    assert "inspection_departments" in nobody.value.errors
    db.session.rollback()
    inspect(rec, p["inspector"], "fail", installed=15, inspected=10)
    with pytest.raises(service.ValidationFailed) as before_inspection:
        round_(rec, p["inspector"], "pass", inspected=12)
    assert "inspected_on" in before_inspection.value.errors
