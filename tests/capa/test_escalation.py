"""Escalation of the corrective action procedure with the test clock: overdue actions climb
owner -> department head -> 企业管理部 -> general manager; serious nonconformities go to the
general manager at once; late replies reach the department head.
covers: CA-04, CA-02"""
from sqlalchemy import select

from qms.extensions import db
from qms.reminders import engine, rules
from qms.reminders.models import MailOutbox, Notification
from tests.capa.helpers import implement, issue_capa, raise_nc, through_plan
from tests.support.clock import at, clock


def sweep(now):
    return engine.sweep(rules.by_id(), now=now)


def got(user):
    db.session.expire_all()
    return [(n.rule_id, n.stage) for n in db.session.execute(
        select(Notification).where(Notification.recipient_id == user.id).order_by(Notification.id)).scalars()]


def test_ca04_overdue_action_climbs_owner_head_quality_gm(app, people):
    p = people
    clock(11, 2)
    nc = raise_nc(p.clerk)
    capa_rec = issue_capa(nc, p.quality, reply_due_on="2026-11-30")
    a1, a2 = through_plan(capa_rec, p)  # both due 2026-11-20; a1 owned by the clerk, a2 by the technician
    implement(a2, p.tech)  # done in time: its reminders stop
    sweep(at(11, 13))
    assert ("ca04-action-due", "lead:7") in got(p.clerk) and got(p.tech) == []
    sweep(at(11, 21))
    assert ("ca04-action-due", "overdue") in got(p.clerk)
    assert not any(r == "ca04-action-due" for r, _s in got(p.head))
    sweep(at(11, 22))
    assert ("ca04-action-due", "escalate:1") in got(p.head)
    assert not any(r == "ca04-action-due" for r, _s in got(p.quality))
    sweep(at(11, 24))
    assert ("ca04-action-due", "escalate:2") in got(p.quality) and ("ca04-action-due", "escalate:2") in got(p.quality2)
    assert got(p.gm) == []
    sweep(at(11, 28))
    assert ("ca04-action-due", "escalate:3") in got(p.gm)
    # Escalations are mailed at once.
    mails = db.session.execute(select(MailOutbox.to_addr)).scalars().all()
    assert p.gm.email in mails and p.head.email in mails
    # The other department's head hears nothing.
    assert got(p.other_head) == []
    # Done: no further reminders.
    clock(11, 28, 11)
    implement(a1, p.clerk, done="2026-11-28")
    before = len(got(p.clerk))
    sweep(at(12, 5))
    assert len(got(p.clerk)) == before


def test_ca04_serious_nonconformity_goes_to_the_gm_at_once(app, people):
    p = people
    clock(11, 2, 9)
    minor = raise_nc(p.clerk, severity="minor")
    serious = raise_nc(p.clerk, severity="serious", description="计费系统批量错误")
    sweep(at(11, 2, 9))
    assert got(p.gm) == [("ca04-serious-nc", "escalate:2")]
    assert ("ca04-serious-nc", "escalate:1") in got(p.quality)
    assert got(p.clerk) == []  # the reporter is not reminded of their own report
    link = db.session.execute(select(Notification.link).where(Notification.recipient_id == p.gm.id)).scalar_one()
    assert link == f"/r/CA-NC/{serious.id}" and str(minor.id) not in link
    assert db.session.execute(select(MailOutbox).where(MailOutbox.to_addr == p.gm.email)).scalar_one()
    sweep(at(11, 9))
    assert len(got(p.gm)) == 1  # once


def test_ca02_late_reply_reaches_the_department_head(app, people):
    p = people
    clock(11, 2)
    nc = raise_nc(p.clerk)
    issue_capa(nc, p.quality, reply_due_on="2026-11-10")
    sweep(at(11, 11))
    assert ("ca02-capa-reply", "escalate:1") in got(p.head)
    assert got(p.quality) == []  # 企业管理部 hears 72 hours later
    sweep(at(11, 14))
    assert ("ca02-capa-reply", "escalate:2") in got(p.quality)
