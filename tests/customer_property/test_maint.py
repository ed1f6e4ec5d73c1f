"""Equipment maintenance agreements (CP-06): the items covered are register codes that exist, have
passed and are not lost, returned or under another agreement (a message per row); signed with the
customer they are under maintenance; a reminder goes out 30 days before the end; at the end date
the scheduler's sweep puts them back in use, and signing the end does so at once.
covers: CP-06"""
import pytest
from sqlalchemy import select

from qms.core import timeutil
from qms.core.errors import ValidationFailed
from qms.customer_property import maint
from qms.customer_property import register as reg
from qms.extensions import db
from qms.reminders import engine, rules, scheduler
from qms.reminders.models import Notification, ReminderWatch
from tests import factories as F
from tests.customer_property import works_helpers as W
from tests.support.clock import at, clock
from tests.support.records import fill, sign


@pytest.fixture
def p(app):
    clock(11, 20)
    return W.People()


def _items(p, *states):
    """Items registered by a signed record, one per state given."""
    rec = sign(F.record(p.clerk, "TEST-REC"), p.clerk)
    out = []
    for n, state in enumerate(states):
        item = reg.register(rec, kind="telephone", source_key=str(n), customer_name="珠海海天贸易有限公司",
                            phone="0756-2216688", model="HA8000", by=p.tsd)
        reg.set_state(item, state, rec, p.tsd)
        out.append(item)
    db.session.commit()
    return out


def _tick(now):
    timeutil.set_clock(now)
    engine.sweep(rules.by_id(), now=now)
    moved = scheduler.run_procedure_sweeps(now)
    db.session.commit()
    return moved


def test_cp06_each_item_is_checked_on_its_row_and_the_term_must_run_forward(p):
    pending, lost, returned, ok = _items(p, reg.PENDING, reg.UNSUITABLE, reg.RETURNED, reg.IN_USE)
    with pytest.raises(ValidationFailed) as exc:
        W.maintenance(p.clerk, [ok.code, pending.code, lost.code, returned.code, "KC-999999", ok.code])
    rows = exc.value.errors["items"]
    assert len(rows) == 5 and all(r.startswith(f"第{n}行") or r.startswith(f"Row {n}") for n, r in
                                  zip((2, 3, 4, 5, 6), rows, strict=True))
    db.session.rollback()
    with pytest.raises(ValidationFailed) as exc:
        W.maintenance(p.clerk, [ok.code], start_on="2026-11-20", end_on="2026-11-20")
    assert list(exc.value.errors) == ["end_on"]


def test_cp06_signed_items_go_under_maintenance_and_back_in_use_when_the_term_ends(p):
    accepted, in_use = _items(p, reg.ACCEPTED, reg.IN_USE)
    agreement = W.maintenance(p.tsd, [accepted.code, in_use.code], end_on="2027-01-31")
    assert accepted.state == in_use.state == reg.MAINTENANCE and agreement.current_step == maint.END
    with pytest.raises(ValidationFailed) as exc:  # one agreement at a time per item
        W.maintenance(p.clerk, [in_use.code])
    assert agreement.number in exc.value.errors["items"][0]
    db.session.rollback()
    assert _tick(at(1, 31, 23, year=2027)) == 0  # the last day of the term
    assert accepted.state == reg.MAINTENANCE
    assert _tick(at(2, 1, 9, year=2027)) == 2
    assert accepted.state == in_use.state == reg.IN_USE
    assert _tick(at(2, 2, 9, year=2027)) == 0  # once
    assert reg.events(accepted)[-1].record_id == agreement.id


def test_cp06_signing_the_end_returns_the_items_at_once(p):
    (item,) = _items(p, reg.ACCEPTED)
    agreement = W.maintenance(p.clerk, [item.code])
    clock(12, 1)
    fill(agreement, p.clerk, ended_on="2026-12-01", end_note="客户提前终止")
    sign(agreement, p.clerk)
    assert agreement.status == "closed" and item.state == reg.IN_USE


def test_cp06_a_reminder_goes_to_the_agreement_keeper_30_days_before_it_ends(p):
    (item,) = _items(p, reg.ACCEPTED)
    agreement = W.maintenance(p.clerk, [item.code], end_on="2027-01-31")
    watch = db.session.execute(select(ReminderWatch).where(ReminderWatch.rule_id == maint.RULE,
                                                           ReminderWatch.subject_id == agreement.id)).scalar_one()
    assert watch.active

    def notices():
        return db.session.execute(select(Notification).where(Notification.watch_id == watch.id)).scalars().all()

    _tick(at(12, 31, 8))  # the day before the lead day
    assert notices() == []
    _tick(at(1, 1, 10, year=2027))  # 30 days before 2027-01-31
    sent = notices()
    assert [n.recipient_id for n in sent] == [p.clerk.id] and sent[0].stage.startswith("lead")
