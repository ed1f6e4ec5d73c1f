"""Network-quality complaints through their rooms with the test clock: each category's path, the
limits each step runs on, the 20-minute and 2-hour limits escalating, a limit changed by the admin
applying to new complaints only.
covers: CS-15"""
from datetime import timedelta

import pytest
from sqlalchemy import select

from qms.complaints import network_clock as clock
from qms.complaints import network_table as table
from qms.complaints.network_models import NetworkLimit
from qms.core.audit import AuditEvent
from qms.core.errors import ValidationFailed
from qms.core.timeutil import set_clock
from qms.extensions import db
from qms.records import policy, service
from qms.records import spec as specs
from qms.records.models import CLOSED, IN_PROGRESS
from qms.reminders import engine, rules
from qms.reminders.models import Notification, ReminderWatch
from tests import factories as F
from tests.complaints.network_helpers import cast, confirmed, dispatched, preprocessed, step
from tests.support.clock import SH, at


def minute(h, m, day=1, month=12):
    return at(month, day, h).replace(minute=m)


def got(user, rule=clock.STEP_RULE):
    db.session.expire_all()
    return [n.stage for n in db.session.execute(select(Notification).where(
        Notification.recipient_id == user.id, Notification.rule_id == rule).order_by(Notification.id)).scalars()]


def by_step(rec):
    return {c.step: c for c in clock.clocks(rec)}


def test_cs15_roaming_complaint_through_the_switching_room_with_its_limits(app):
    p = cast()
    set_clock(minute(10, 0))
    rec = dispatched(p.clerk)
    assert rec.status == IN_PROGRESS and rec.current_step == "confirm"
    set_clock(minute(10, 12))
    confirmed(rec, p.mon)
    set_clock(minute(11, 5))
    preprocessed(rec, p.mon, causes=["user_data_error", "user_state_hung"], outcome="room", duty="sw_local_data",
                 room="SWT")
    assert rec.current_step == "room"
    c = by_step(rec)
    assert c["confirm"].due_at == minute(10, 20) and not c["confirm"].late(minute(11, 0))
    assert c["preprocess"].due_at == minute(12, 12) and c["preprocess"].minutes == 120
    assert c["room"].room == "SWT" and c["room"].minutes == 60 and c["room"].due_at == minute(12, 5)
    # The room step is the switching room's alone: the radio room cannot sign it.
    assert policy.signable_step(p.radio, specs.get("CS-NET"), rec) is None
    set_clock(minute(12, 20))
    step(rec, p.switch, room_result="修正本端局数据。", fixed_at="2026-12-01T12:15")
    c = by_step(rec)
    assert c["room"].late(minute(12, 20))  # signed at 12:20, the hour ran out at 12:05
    set_clock(minute(12, 40))
    step(rec, p.clerk, customer_reply="已告知客户故障已排除。", replied_at="2026-12-01T12:35")
    assert rec.status == CLOSED
    assert not db.session.execute(select(ReminderWatch).where(
        ReminderWatch.subject_id == rec.id, ReminderWatch.active.is_(True))).first()


def test_cs15_coverage_complaint_to_the_radio_room_and_new_site_construction_in_months(app):
    p = cast()
    set_clock(minute(9, 0))
    rec = dispatched(p.clerk, category="coverage", content="此前有信号，后来没有", received_at="2026-12-01T08:55")
    set_clock(minute(9, 15))
    confirmed(rec, p.mon, at="2026-12-01T09:15")
    set_clock(minute(9, 50))
    preprocessed(rec, p.mon, at="2026-12-01T09:50", causes=["signal_drift"], outcome="room", duty="rad_bs_fault",
                 room="RAD")
    c = by_step(rec)
    assert c["preprocess"].minutes == 60  # 故障闭环管理流程 1小时 for coverage
    assert c["room"].due_at == minute(9, 50) + timedelta(hours=24)
    # A second coverage complaint needs a new site: six calendar months for the engineering centre.
    other = dispatched(p.clerk, category="coverage", content="无信号")
    confirmed(other, p.mon, at="2026-12-01T09:55")
    preprocessed(other, p.mon, at="2026-12-01T09:58", causes=["no_signal"], outcome="room", duty="eng_new_site",
                 room="ENG")
    due = by_step(other)["room"].due_at.astimezone(SH)
    assert (due.year, due.month, due.day, due.hour, due.minute) == (2027, 6, 1, 9, 50)
    step(other, p.eng, room_result="新建站已开通。", fixed_at="2026-12-01T10:00")
    assert other.current_step == "close"


def test_cs15_solved_at_preprocessing_goes_straight_to_the_customer_reply(app):
    p = cast()
    set_clock(minute(10, 0))
    rec = dispatched(p.clerk, category="sms", content="短信发不出")
    confirmed(rec, p.mon, at="2026-12-01T10:05")
    preprocessed(rec, p.mon, at="2026-12-01T10:30", causes=["user_settings"], outcome="solved")
    assert rec.current_step == "close"
    assert [c.step for c in clock.clocks(rec)] == ["confirm", "preprocess", "close"]


def test_cs15_20_minute_and_2_hour_limits_escalate(app):
    p = cast()
    set_clock(minute(10, 0))
    rec = dispatched(p.clerk)
    sweep = lambda now: engine.sweep(rules.by_id(), now=now)  # noqa: E731
    sweep(minute(10, 19))
    assert got(p.mon_head) == [] and got(p.clerk) == []
    sweep(minute(10, 21))  # the 20 minutes ran out at 10:20
    assert got(p.mon_head) == ["escalate:1"] and got(p.clerk) == ["due"]
    assert got(p.switch_head) == []
    set_clock(minute(10, 30))
    confirmed(rec, p.mon, at="2026-12-01T10:30")
    sweep(minute(12, 29))
    assert got(p.mon_head) == ["escalate:1"]  # pre-processing has until 12:30
    sweep(minute(12, 31))
    assert got(p.mon_head) == ["escalate:1", "escalate:1"] and got(p.quality) == []
    sweep(minute(14, 31))  # two hours past the limit: 企业管理部
    assert got(p.quality) == ["escalate:2"]
    # Signed: the watch stops.
    set_clock(minute(14, 40))
    preprocessed(rec, p.mon, at="2026-12-01T14:40", outcome="solved")
    before = len(got(p.mon_head))
    sweep(minute(23, 0))
    assert len(got(p.mon_head)) == before


def test_cs15_limit_changed_by_the_admin_applies_to_new_complaints_only(app, client):
    p = cast()
    set_clock(minute(10, 0))
    old = dispatched(p.clerk)
    row = db.session.execute(select(NetworkLimit).where(NetworkLimit.category == "roaming",
                                                        NetworkLimit.duty == "confirm")).scalar_one()
    F.login(client, p.admin)
    page = client.get(f"/complaints/network/limits/{row.id}")
    assert page.status_code == 200 and "监控室" in page.get_data(as_text=True)
    token = F.csrf_from(page.get_data(as_text=True))
    bad = client.post(f"/complaints/network/limits/{row.id}", data={"csrf_token": token, "room_code": "MON",
                                                                    "minutes": "", "active": "y"})
    assert bad.status_code == 422 and "分钟" in bad.get_data(as_text=True)
    both = client.post(f"/complaints/network/limits/{row.id}", data={"csrf_token": token, "room_code": "MON",
                                                                     "minutes": "30", "months": "1", "active": "y"})
    assert both.status_code == 422
    ok = client.post(f"/complaints/network/limits/{row.id}", data={"csrf_token": token, "room_code": "MON",
                                                                   "minutes": "30", "active": "y"})
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(NetworkLimit, row.id).minutes == 30
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "cs15_limit_changed")).scalar_one()
    assert event.changes_dict["minutes"] == [20, 30]
    set_clock(minute(11, 0))
    new = dispatched(p.clerk)
    assert by_step(old)["confirm"].due_at == minute(10, 20)
    assert by_step(new)["confirm"].due_at == minute(11, 30)
    # The old complaint's page still shows its own 20 minutes.
    listing = client.get("/complaints/network/limits")
    assert listing.status_code == 200 and "30 分钟" in listing.get_data(as_text=True)
    # A clerk may not change the table.
    other = client.application.test_client()
    F.login(other, p.clerk)
    assert other.get("/complaints/network/limits").status_code == 403


def test_cs15_category_switched_off_is_refused_for_new_complaints(app):
    p = cast()
    for row in table.rows("data"):
        row.active = False
    db.session.commit()
    with pytest.raises(ValidationFailed) as exc:
        dispatched(p.clerk, category="data", content="GPRS上不了网")
    assert "category" in exc.value.errors
    assert table.current("data") == {}


def test_cs15_a_voided_complaint_stops_its_clock(app):
    p = cast()
    set_clock(minute(10, 0))
    rec = dispatched(p.clerk)
    watch = lambda: db.session.execute(select(ReminderWatch.active).where(  # noqa: E731
        ReminderWatch.subject_id == rec.id, ReminderWatch.rule_id == clock.STEP_RULE,
        ReminderWatch.period == "confirm")).scalar()
    assert watch() is True
    service.void(rec, p.quality, "客户撤诉", F.PASSWORD)
    db.session.commit()
    assert watch() is False
    engine.sweep(rules.by_id(), now=minute(11, 0))
    assert got(p.mon_head) == []
