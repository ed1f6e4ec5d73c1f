"""The sweep: exactly once, catch-up after downtime, acknowledgement, the escalation ladder.
covers: CS-04, CS-06, CA-04"""
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from qms.core import timeutil
from qms.extensions import db
from qms.records import service
from qms.reminders import engine, rules
from qms.reminders.models import MailOutbox, Notification, ReminderWatch
from tests import factories as F
from tests.reminders.helpers import KEY, key_record, people
from tests.support.clock import at


def sweep(now):
    return engine.sweep(rules.by_id(), now=now)


def notices(user=None, stage=None):
    stmt = select(Notification)
    if user is not None:
        stmt = stmt.where(Notification.recipient_id == user.id)
    if stage:
        stmt = stmt.where(Notification.stage == stage)
    return db.session.execute(stmt.order_by(Notification.id)).scalars().all()


def test_record_gets_a_watch_and_each_reminder_arrives_once(app):
    clerk, *_ = people()
    rec = key_record(clerk)
    w = db.session.execute(select(ReminderWatch).where(ReminderWatch.subject_id == rec.id)).scalar_one()
    assert w.rule_id == "cs04-key-customer" and w.owner_id == clerk.id
    assert sweep(at(11, 23))["notices"] == 0  # nothing due yet
    assert sweep(at(11, 24))["notices"] == 1  # one day before
    assert sweep(at(11, 24))["notices"] == 0  # a second run (or a second scheduler) sends nothing
    assert [n.stage for n in notices(clerk)] == ["lead:1"]


def test_downtime_catch_up_sends_the_latest_reminder_once_and_every_rung(app):
    clerk, head, quality, gm = people()
    key_record(clerk)
    sweep(at(11, 21))
    # The scheduler was down from the 21st to the 28th: lead, due and four overdue runs were missed.
    sweep(at(11, 28))
    assert [(n.stage, n.period) for n in notices(clerk)] == [("overdue", "2026-11-28")]
    assert [n.stage for n in notices(quality)] == ["escalate:1"]
    assert [n.stage for n in notices(gm)] == ["escalate:2"]
    assert notices(head) == []  # not on this rule's ladder
    assert sweep(at(11, 28, 11))["notices"] == 0


def test_acknowledgement_stops_repeats_but_not_escalation(app, client):
    clerk, head, quality, gm = people()
    key_record(clerk)
    sweep(at(11, 26))
    overdue = notices(clerk, "overdue")[0]
    F.login(client, clerk)
    resp = client.post(f"/inbox/{overdue.id}/ack", data={"csrf_token": F.csrf(client, "/inbox")})
    assert resp.status_code == 302
    sweep(at(11, 27))
    sweep(at(11, 28))
    assert len(notices(clerk, "overdue")) == 1  # repeats stopped
    assert [n.stage for n in notices(gm)] == ["escalate:2"]  # the ladder still climbed


def test_ladder_climbs_owner_head_quality_general_manager(app):
    """CA-04 style ladder on a rule declared with all three rungs."""
    clerk, head, quality, gm = people()
    raw = {"id": "ladder-test", "kind": "due", "form": "CS-KEY", "field": "notified_at", "days_field": "limit_days",
           "lead_days": [],
           "title": {"zh": "测试", "en": "test"},
           "ladder": [{"after_hours": 24, "to": "department_head"}, {"after_hours": 72, "to": "quality_manager"},
                      {"after_hours": 168, "to": "general_manager"}]}
    rule = rules.parse(raw)
    rec = key_record(clerk)
    engine.upsert_watch(rule, "record", rec.id, "", due_at=engine.deadline_for_record(rule, rec.values),
                        title="t", link="/", owner_id=clerk.id, department_id=rec.department_id, active=True)
    db.session.commit()
    table = {**rules.by_id(), "ladder-test": rule}
    seen = []
    for day in (25, 26, 27, 28, 29, 30):
        engine.sweep(table, now=at(11, day))
    engine.sweep(table, now=at(12, 3))
    for who in (clerk, head, quality, gm):
        seen.append([n.stage for n in notices(who) if n.rule_id == "ladder-test" and n.stage.startswith("escalate")])
    assert seen == [[], ["escalate:1"], ["escalate:2"], ["escalate:3"]]
    # Each escalation is mailed at once (the outbox holds one mail per rung with an address).
    assert db.session.execute(select(func.count()).select_from(MailOutbox)).scalar() >= 3


def test_void_stops_and_moved_deadline_restarts(app):
    clerk, head, *_ = people()
    rec = key_record(clerk)
    sweep(at(11, 24))
    timeutil.set_clock(at(11, 24, 12))
    # The notice was in fact sent today: 5 days from now (the deadline is worked out, not typed).
    service.update(rec, clerk, MultiDict({**KEY, "notified_at": "2026-11-24T11:00"}), "zh_CN", rec.version)
    db.session.commit()
    assert sweep(at(11, 25))["notices"] == 0  # the old "due today" no longer applies
    sweep(at(11, 28))
    assert [n.period for n in notices(clerk, "lead:1")] == ["2026-11-25", "2026-11-29"]
    service.void(rec, head, "客户撤回")
    db.session.commit()
    w = db.session.execute(select(ReminderWatch).where(ReminderWatch.subject_id == rec.id)).scalar_one()
    assert w.active is False
    assert sweep(at(12, 20))["notices"] == 0


def test_calendar_rules_remind_their_department(app):
    billing_clerk = F.user("clerk", "BIL")
    F.user("clerk", "CSD")
    all_rules = rules.all_rules()
    engine.ensure_calendar_watches(all_rules, at(11, 20))
    db.session.commit()
    assert engine.ensure_calendar_watches(all_rules, at(11, 20)) == 0  # idempotent
    engine.sweep({r.id: r for r in all_rules}, now=at(11, 25))
    mine = [n.rule_id for n in notices(billing_clerk)]
    assert "cs06-bills" in mine  # three days before the 28th
    assert "cs13-refunds" not in mine  # that one is 客户服务部's


def test_calendar_recipients_acknowledge_each_for_themselves(app, client):
    billing_a, billing_b = F.user("clerk", "BIL"), F.user("clerk", "BIL")
    table = {r.id: r for r in rules.all_rules()}
    engine.ensure_calendar_watches(list(table.values()), at(11, 20))
    db.session.commit()
    engine.sweep(table, now=at(11, 29))  # the day after the 28th: overdue
    mine = [n for n in notices(billing_a) if n.rule_id == "cs06-bills" and n.stage == "overdue"]
    F.login(client, billing_a)
    client.post(f"/inbox/{mine[0].id}/ack", data={"csrf_token": F.csrf(client, "/inbox")})
    engine.sweep(table, now=at(11, 30))
    def overdue(u):
        return len([n for n in notices(u) if n.rule_id == "cs06-bills" and n.stage == "overdue"])
    assert overdue(billing_a) == 1 and overdue(billing_b) == 2
