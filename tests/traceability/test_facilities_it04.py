"""Facilities under maintenance (IT-04): a maintenance record's first signature sets the facility
检修 (its label prints, the dashboard lists it longest first), its repair signature clears it; a
second maintenance of a facility already under maintenance, an unregistered facility and a repair
dated before its start are refused; a long repair is reminded after the administrator's days.
covers: IT-04"""
import pytest
from sqlalchemy import select

from qms.core.errors import ValidationFailed
from qms.core.timeutil import set_clock
from qms.extensions import db
from qms.reminders.models import ReminderWatch
from qms.traceability import facilities_settings
from qms.traceability import facilities_state as state
from qms.traceability.facilities_models import Facility, FacilityEvent
from tests import factories as F
from tests.support.clock import at
from tests.support.records import fill, sign


@pytest.fixture(autouse=True)
def _clock():
    set_clock(at(12, 1, 10))
    yield
    set_clock(None)


def _facility(tech, name="1号楼UPS电源"):
    rec = F.record(tech, "IT-FACILITY", name=name, facility_type="power_water", location="机楼一层电力室")
    return sign(rec, tech)


def _start(tech, fac_rec, started="2026-11-25T09:00"):
    rec = F.record(tech, "IT-FACMAINT", facility=fac_rec.number, started_at=started, reason="蓄电池组老化",
                   performed_by="王工")
    return sign(rec, tech)


def test_it04_maintenance_sets_and_repair_clears_the_status(app):
    tech = F.user("technician", "OMD")
    fac_rec = _facility(tech)
    fac = db.session.get(Facility, fac_rec.id)
    assert fac.status == "in_service" and fac.name == "1号楼UPS电源"
    maint = _start(tech, fac_rec)
    assert fac.status == "maintenance" and fac.maint_record_id == maint.id
    assert fac.since_at == at(11, 25, 9)
    fill(maint, tech, repaired_at="2026-11-30T17:30", work_done="更换蓄电池组")
    sign(maint, tech)
    assert maint.status == "closed"
    assert fac.status == "in_service" and fac.maint_record_id is None and fac.since_at is None
    kinds = db.session.execute(select(FacilityEvent.kind).where(FacilityEvent.facility_id == fac.id)
                               .order_by(FacilityEvent.id)).scalars().all()
    assert kinds == ["registered", "maintenance_started", "repaired"]


def test_it04_a_facility_under_maintenance_is_not_started_twice_and_unknown_ones_are_refused(app):
    tech = F.user("technician", "OMD")
    fac_rec = _facility(tech)
    _start(tech, fac_rec)
    with pytest.raises(ValidationFailed) as e:
        F.record(tech, "IT-FACMAINT", facility=fac_rec.number, started_at="2026-11-26T09:00", reason="x", performed_by="李")
    assert "facility" in e.value.errors
    db.session.rollback()
    other = F.record(F.user("department_head", "AHR"), "IT-OBJECT", object_type="premises", name="营业厅门头",
                     responsible_department="AHR", content="营业厅名称", method="标牌", location="香洲")
    with pytest.raises(ValidationFailed) as e:
        F.record(tech, "IT-FACMAINT", facility=f"#{other.id}", started_at="2026-11-26T09:00", reason="x", performed_by="李")
    assert "facility" in e.value.errors


def test_it04_bad_dates_are_refused_on_the_field(app):
    tech = F.user("technician", "OMD")
    fac_rec = _facility(tech)
    with pytest.raises(ValidationFailed) as e:
        F.record(tech, "IT-FACMAINT", facility=fac_rec.number, started_at="2026-12-05T09:00", reason="x", performed_by="李")
    assert "started_at" in e.value.errors  # in the future
    db.session.rollback()
    maint = _start(tech, fac_rec)
    with pytest.raises(ValidationFailed) as e:
        fill(maint, tech, repaired_at="2026-11-24T09:00", work_done="更换")
    assert "repaired_at" in e.value.errors  # before the start
    db.session.rollback()
    assert db.session.get(Facility, fac_rec.id).status == "maintenance"


def test_it04_dashboard_longest_first_label_and_long_repair_reminder(app, client):
    tech = F.user("technician", "OMD")
    a, b = _facility(tech, "消防水泵"), _facility(tech, "柴油发电机")
    _start(tech, b, "2026-11-28T09:00")
    _start(tech, a, "2026-11-20T09:00")
    F.login(client, tech)
    page = client.get("/traceability/facilities").get_data(as_text=True)
    table = page.split('id="under-maintenance"')[1].split("</table>")[0]
    assert table.index("消防水泵") < table.index("柴油发电机")  # longest first
    resp = client.get(f"/traceability/facilities/{a.id}/label.pdf")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    watch = db.session.execute(select(ReminderWatch).where(ReminderWatch.rule_id == "it04-long-repair",
                                                           ReminderWatch.subject_id == a.id)).scalar_one()
    assert watch.active and watch.due_at.astimezone(at(1, 1).tzinfo).date().isoformat() == "2026-11-27"
    admin = F.user("admin", "EMD")
    F.login(client, admin)
    client.post("/traceability/facilities/settings",
                data={"days": "10", "csrf_token": F.csrf(client, "/traceability/facilities")})
    assert facilities_settings.repair_days() == 10
    db.session.refresh(watch)
    assert watch.due_at.astimezone(at(1, 1).tzinfo).date().isoformat() == "2026-11-30"  # retimed
    with pytest.raises(ValidationFailed):
        facilities_settings.set_repair_days(admin, "0")


def test_it04_label_gone_once_repaired(app, client):
    tech = F.user("technician", "OMD")
    fac_rec = _facility(tech)
    maint = _start(tech, fac_rec)
    fill(maint, tech, repaired_at="2026-11-26T09:00", work_done="检修完毕")
    sign(maint, tech)
    F.login(client, tech)
    assert client.get(f"/traceability/facilities/{fac_rec.id}/label.pdf").status_code == 404
    watch = db.session.execute(select(ReminderWatch).where(ReminderWatch.rule_id == "it04-long-repair",
                                                           ReminderWatch.subject_id == fac_rec.id)).scalar_one()
    assert not watch.active


def test_it04_the_status_is_rebuilt_from_the_records(app):
    tech = F.user("technician", "OMD")
    a, b = _facility(tech, "消防水泵"), _facilities_b(tech)
    maint = _start(tech, a)
    done = _start(tech, b)
    fill(done, tech, repaired_at="2026-11-26T09:00", work_done="检修完毕")
    sign(done, tech)
    before = [(f.id, f.status, f.maint_record_id, f.since_at) for f in db.session.execute(
        select(Facility).order_by(Facility.id)).scalars()]
    assert state.rebuild() == 2
    after = [(f.id, f.status, f.maint_record_id, f.since_at) for f in db.session.execute(
        select(Facility).order_by(Facility.id)).scalars()]
    assert after == before and after[0][2] == maint.id
    assert len(state.history(a.id)) == 2 and len(state.history(b.id)) == 3


def _facilities_b(tech):
    return _facility(tech, "柴油发电机")
