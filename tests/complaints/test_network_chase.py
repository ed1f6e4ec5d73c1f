"""A remote fault (外端 / 省公司, 时间不可控): no fixed limit, a chase every 30 minutes logged (time and
who, append-only) and reminded until it is solved; and the bad input of a network complaint.
covers: CS-15"""
import pytest
from sqlalchemy import select

from qms.complaints import network_clock as clock
from qms.complaints import network_views
from qms.complaints.network_models import NetworkChase
from qms.core.audit import AuditEvent
from qms.core.errors import ServiceError, ValidationFailed
from qms.core.timeutil import set_clock
from qms.extensions import db
from qms.reminders import engine, rules
from qms.reminders.models import Notification
from tests import factories as F
from tests.complaints.network_helpers import cast, confirmed, dispatched, preprocessed, step
from tests.support.api import token_for
from tests.support.clock import at


def minute(h, m):
    return at(12, 1, h).replace(minute=m)


def chase_notices(user):
    db.session.expire_all()
    return [(n.stage, n.title) for n in db.session.execute(select(Notification).where(
        Notification.recipient_id == user.id, Notification.rule_id == clock.CHASE_RULE)
        .order_by(Notification.id)).scalars()]


def sweep(now):
    engine.sweep(rules.by_id(), now=now)


def test_cs15_remote_fault_is_chased_every_30_minutes_until_solved(app):
    p = cast()
    set_clock(minute(10, 0))
    rec = dispatched(p.clerk, category="interconnect", content="手机无法拨通联通号码")
    confirmed(rec, p.mon, at="2026-12-01T10:05")
    set_clock(minute(11, 0))
    preprocessed(rec, p.mon, causes=["user_misuse"], outcome="remote", duty="remote_peer")
    assert rec.current_step == "remote"
    remote = {c.step: c for c in clock.clocks(rec)}["remote"]
    assert remote.due_at is None and not remote.late(minute(23, 0))  # time not controllable
    assert clock.next_chase_due(rec) == minute(11, 30)
    sweep(minute(11, 29))
    assert chase_notices(p.mon) == []
    sweep(minute(11, 31))
    assert [s for s, _t in chase_notices(p.mon)] == ["due"]
    set_clock(minute(11, 33))
    first = clock.log_chase(rec, p.mon, "联通监控室：正在查对端局数据")
    db.session.commit()
    assert clock.next_chase_due(rec) == minute(12, 3)
    sweep(minute(12, 2))
    assert len(chase_notices(p.mon)) == 1
    sweep(minute(12, 4))  # the second interval ran out: reminded again
    assert [s for s, _t in chase_notices(p.mon)] == ["due", "due"]
    assert "第2次追单" in chase_notices(p.mon)[-1][1]
    # A chase missed by another half hour reaches the monitoring room's head.
    sweep(minute(12, 34))
    assert ("escalate:1" in [n.stage for n in db.session.execute(select(Notification).where(
        Notification.recipient_id == p.mon_head.id, Notification.rule_id == clock.CHASE_RULE)).scalars()])
    set_clock(minute(12, 40))
    clock.log_chase(rec, p.mon_head, "对端局数据已修改，待验证")
    db.session.commit()
    log = clock.chases(rec.id)
    assert [(c.user_id, c.chased_at) for c in log] == [(p.mon.id, minute(11, 33)), (p.mon_head.id, minute(12, 40))]
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "cs15_chase_logged")).scalars().all()
    printed = network_views.network_pdf(rec, "zh_CN")  # the printout carries the chase log
    assert [n for _at, _who, n in printed["network_chases"]] == ["联通监控室：正在查对端局数据", "对端局数据已修改，待验证"]
    assert any("每 30 分钟" in row[3] for row in printed["network_clocks"])
    # Append-only: a logged chase cannot be changed.
    first.note = "改写"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()
    # Only the monitoring room chases; a chase says what the remote side answered.
    with pytest.raises(ServiceError):
        clock.log_chase(rec, p.switch, "问过了")
    with pytest.raises(ValidationFailed) as exc:
        clock.log_chase(rec, p.mon, "  ")
    assert "note" in exc.value.errors
    db.session.rollback()
    # Solved: no more chases, no more reminders.
    set_clock(minute(13, 0))
    step(rec, p.mon, remote_result="联通已修正对端局数据，可正常拨通。", solved_at="2026-12-01T12:58")
    assert rec.current_step == "close" and clock.next_chase_due(rec) is None
    count = len(chase_notices(p.mon))
    sweep(minute(18, 0))
    assert len(chase_notices(p.mon)) == count
    with pytest.raises(ServiceError):
        clock.log_chase(rec, p.mon, "再追一次")


def test_cs15_chase_logged_from_the_complaint_page(app, client):
    p = cast()
    set_clock(minute(10, 0))
    rec = dispatched(p.clerk, category="sms", content="收短信延时")
    confirmed(rec, p.mon, at="2026-12-01T10:05")
    preprocessed(rec, p.mon, at="2026-12-01T10:40", causes=["user_settings"], outcome="remote", duty="remote_pmc")
    F.login(client, p.mon)
    page = client.get(f"/r/CS-NET/{rec.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="chase-form"' in html and "每 30 分钟" in html
    assert '<td data-label="承办">监控室</td>' in html
    resp = client.post(f"/complaints/network/{rec.id}/chase", data={"csrf_token": F.csrf_from(html),
                                                                   "note": "省公司监控室：对端短信中心拥塞"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert [c.note for c in db.session.execute(select(NetworkChase)).scalars()] == ["省公司监控室：对端短信中心拥塞"]


def test_cs15_bad_input_is_refused_field_by_field(app):
    p = cast()
    set_clock(minute(10, 0))
    # A step's time before the complaint's.
    rec = dispatched(p.clerk)
    with pytest.raises(ValidationFailed) as exc:
        confirmed(rec, p.mon, at="2026-12-01T09:00")
    assert "confirmed_at" in exc.value.errors
    db.session.rollback()
    confirmed(rec, p.mon)

    def refused(**values):
        with pytest.raises(ValidationFailed) as exc:
            preprocessed(rec, p.mon, **values)
        db.session.rollback()
        return exc.value.errors

    # A duty of another category; a room that does not hold the duty; passed on without a duty.
    assert "duty" in refused(outcome="room", duty="rad_bs_fault", room="RAD")
    errors = refused(outcome="room", duty="sw_local_data", room="RAD")
    assert "交换传输室" in errors["room"][0]
    assert "duty" in refused(outcome="room", room="SWT")
    assert "duty" in refused(outcome="room", duty="remote_pmc", room="SWT")  # a remote cause is not a room's
    assert "duty" in refused(outcome="remote", duty="sw_local_data")
    # A cause off the category's checklist.
    assert "causes" in refused(outcome="solved", causes=["dropped"])
    # Nothing was half-saved.
    db.session.expire_all()
    assert rec.current_step == "preprocess" and not rec.values.get("outcome")


def test_cs15_api_refuses_an_unknown_category_with_422(app, client):
    p = cast()
    headers = token_for(p.clerk)
    values = {"received_at": "2026-12-01T09:55", "channel": "phone", "customer_name": "陈建国",
              "phone_number": "13800138000", "content": "漫游后无法使用"}
    bad = client.post("/api/v1/forms/CS-NET/records", json={"values": {**values, "category": "weather"}},
                      headers=headers)
    assert bad.status_code == 422 and "category" in bad.get_json()["fields"]
    ok = client.post("/api/v1/forms/CS-NET/records", json={"values": {**values, "category": "roaming"}},
                     headers=headers)
    assert ok.status_code == 201
    rid = ok.get_json()["id"]
    signed = client.post(f"/api/v1/records/{rid}/sign", json={"password": F.PASSWORD}, headers=headers)
    assert signed.status_code == 200
    mon = token_for(p.mon)
    early = client.patch(f"/api/v1/records/{rid}", json={"values": {"confirmed_at": "2026-11-30T10:00",
                                                                  "confirm_reply": "已确认"}}, headers=mon)
    assert early.status_code == 422 and "confirmed_at" in early.get_json()["fields"]
