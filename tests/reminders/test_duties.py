"""Calendar duties done by records (``closes_with``): reminded before the deadline, done when the
record for the period is signed (no repeat, no escalation after, also when signed late), another
period still open, a void opens the duty again; a bad closes_with stops the app with the rule id.
covers: CS-07, DA-02, DA-03"""
from datetime import datetime

import pytest
from sqlalchemy import delete, select, update

import qms
from qms.core import timeutil
from qms.extensions import db
from qms.records import service
from qms.records.procedures import Procedure, load
from qms.reminders import duties, engine, rules
from qms.reminders.models import DutyClosure, Notification, ReminderWatch
from tests import factories as F
from tests.conftest import make_app
from tests.reminders.helpers import MONTHLY, YEARLY, summary
from tests.support.api import token_for
from tests.support.clock import SH, at
from tests.support.records import fill, sign

# ``where`` and ``offset`` (DA-03: four meeting types in one form, each held in the month after the one it
# reviews): only a record of that kind does the duty, for its period plus the offset.
SPECIAL = {**MONTHLY, "id": "da03-test-special", "requirement": "DA-03",
           "closes_with": {"form": "TEST-PERIOD", "period_field": "month", "where": {"kind": "special"}, "offset": 1}}
DUTIES = Procedure("QP-TEST-DUTIES", reminders=(MONTHLY, YEARLY, SPECIAL))
PROCEDURES = (*load(qms.PROCEDURES), DUTIES)
RULE = MONTHLY["id"]


def _notices(rule_id=RULE, user=None):
    stmt = select(Notification).where(Notification.rule_id == rule_id).order_by(Notification.id)
    if user is not None:
        stmt = stmt.where(Notification.recipient_id == user.id)
    return db.session.execute(stmt).scalars().all()


def _watch(period, rule_id=RULE):
    db.session.expire_all()
    return db.session.execute(select(ReminderWatch).where(ReminderWatch.rule_id == rule_id,
                                                          ReminderWatch.period == period)).scalar_one()


def _sweep(moment):
    timeutil.set_clock(moment)
    table = {r.id: r for r in rules.all_rules()}
    engine.ensure_calendar_watches(list(table.values()), moment)
    db.session.commit()
    return engine.sweep(table, now=moment)


@pytest.fixture
def people(app):
    return F.user("clerk", "CSD"), F.user("department_head", "CSD"), F.user("quality_manager", "EMD")


def test_the_period_field_names_the_period():
    monthly, yearly = rules.parse(MONTHLY), rules.parse(YEARLY)
    assert duties.period_of(monthly, "2026-11") == "2026-11"
    assert duties.period_of(monthly, "2026/1") == "2026-01" and duties.period_of(monthly, "2026年11月") == "2026-11"
    assert duties.period_of(monthly, "2026-11-15") == "2026-11"  # a date: the month it falls in
    assert duties.period_of(monthly, "2026-13") is None and duties.period_of(monthly, "") is None
    assert duties.period_of(yearly, "2026-12-02") == "2026" and duties.period_of(yearly, 2026) == "2026"
    assert duties.period_of(yearly, "二〇二六") is None


def test_reminded_before_done_when_signed_no_escalation_after_other_period_open_void_reopens(app, people):
    clerk, head, qm = people
    _sweep(at(12, 3))
    assert {w.period for w in db.session.execute(select(ReminderWatch).where(
        ReminderWatch.rule_id == RULE)).scalars()} == {"2026-12", "2027-01"}
    # The reminder two days before the 10th leads to the form, the month filled in.
    _sweep(at(12, 8))
    [lead] = _notices(user=clerk)
    assert lead.stage == "lead:2" and lead.link == "/r/TEST-PERIOD/new?month=2026-12"
    # Filed (first signature) is not done: the rule waits for the record to be closed.
    rec = sign(summary(clerk), clerk)
    assert _watch("2026-12").active
    sign(rec, head)
    assert rec.status == "closed"
    assert not _watch("2026-12").active  # at once, in the signature's transaction
    assert _watch("2027-01").active  # another period stays open
    # Past the deadline (the 10th) and past the ladder's 24 hours: nothing more is sent.
    before = len(_notices())
    _sweep(at(12, 11, 10))
    _sweep(at(12, 12, 10))
    assert len(_notices()) == before and not [n for n in _notices() if n.escalation]
    closure = db.session.execute(select(DutyClosure)).scalar_one()
    assert (closure.rule_id, closure.period, closure.record_id) == (RULE, "2026-12", rec.id)
    # Voiding the record opens the duty again: the sweep catches up (one overdue notice, the rung).
    timeutil.set_clock(at(12, 12, 11))
    service.void(rec, head, "月份填错")
    db.session.commit()
    assert _watch("2026-12").active
    assert db.session.execute(select(DutyClosure)).first() is None
    _sweep(at(12, 12, 12))
    stages = [(n.stage, n.recipient_id) for n in _notices() if n.period != "2026-12-10" or n.stage != "lead:2"]
    assert ("overdue", clerk.id) in stages and ("escalate:1", qm.id) in stages


def test_signed_after_the_deadline_escalation_stops_then(app, people):
    clerk, head, qm = people
    _sweep(at(12, 3))
    rec = sign(summary(clerk), clerk)
    _sweep(at(12, 11, 10))  # overdue since the 10th at 17:30
    assert [n.stage for n in _notices(user=clerk)] == ["overdue"]
    timeutil.set_clock(at(12, 11, 12))
    sign(rec, head)  # closed before the rung at 17:30
    for day in (11, 12, 14, 20):
        _sweep(at(12, day, 18))
    assert [n.stage for n in _notices()] == ["overdue"]  # no escalation, no more repeats
    assert not _watch("2026-12").active


def test_a_record_for_another_month_does_not_close_this_one_and_an_amendment_moves_it(app, people):
    clerk, head, _qm = people
    _sweep(at(12, 3))
    rec = sign(sign(summary(clerk, month="2027-01"), clerk), head)
    assert _watch("2026-12").active and not _watch("2027-01").active
    # Amended to December: January opens again, December is done.
    timeutil.set_clock(at(12, 4))
    new = service.amend(rec, head, "月份填错")
    db.session.commit()
    fill(new, head, month="2026-12", summary="本月投诉 12 件")
    assert not _watch("2027-01").active  # the original still does January until the amendment closes
    sign(sign(new, clerk), F.user("department_head", "CSD"))
    assert not _watch("2026-12").active and _watch("2027-01").active
    assert db.session.execute(select(DutyClosure.period)).scalars().all() == ["2026-12"]


def test_a_step_closes_when_declared_and_a_date_names_the_year(app, people):
    clerk, _head, qm = people
    _sweep(at(12, 3))
    assert _watch("2026", YEARLY["id"]).active
    rec = summary(clerk, held_on="2026-12-02")
    assert _watch("2026", YEARLY["id"]).active  # a draft does nothing
    sign(rec, clerk)  # the filing is enough for this rule
    assert not _watch("2026", YEARLY["id"]).active and _watch("2026-12").active
    _sweep(at(12, 16, 10))
    assert _notices(YEARLY["id"]) == []  # its reminder (the 10th) and deadline (the 15th) went by silently
    assert [n.stage for n in _notices(user=clerk)] == ["overdue"]  # the monthly one is overdue (caught up once)


def test_a_period_done_before_its_watch_exists_starts_stopped(app, people):
    clerk, head, _qm = people
    sign(sign(summary(clerk, month="2027-01"), clerk), head)  # filed early: no watch for January yet
    _sweep(at(12, 3))
    assert not _watch("2027-01").active and _watch("2026-12").active


BAD = [
    ({"form": "TEST-NOPE", "period_field": "month"}, "not declared"),
    ({"form": "TEST-PERIOD", "period_field": "nope"}, "no field 'nope'"),
    ({"form": "TEST-PERIOD", "period_field": "summary"}, "is a text field"),
    ({"form": "TEST-PERIOD", "period_field": "year"}, "is a integer field"),  # a year cannot name a month
    ({"form": "TEST-REC", "period_field": "customer_name"}, "needs a pattern"),
    ({"form": "TEST-PERIOD", "period_field": "month", "step": "audit"}, "no step 'audit'"),
    ({"form": "TEST-PERIOD"}, "closes_with is {form: CODE, period_field: NAME}"),
    ({"form": "TEST-PERIOD", "period_field": "month", "where": {"colour": "red"}}, "has no field 'colour'"),
    ({"form": "TEST-PERIOD", "period_field": "month", "where": {"kind": "weekly"}}, "'weekly' is not a choice"),
    ({"form": "TEST-PERIOD", "period_field": "month", "where": ["kind"]}, "where is {field: value}"),
    ({"form": "TEST-PERIOD", "period_field": "month", "offset": "1"}, "offset is a whole number"),
]


@pytest.mark.parametrize("closes_with, message", BAD)
def test_a_bad_closes_with_stops_the_app_at_start_naming_the_rule(tmp_path, closes_with, message):
    bad = Procedure("QP-BAD", reminders=({**MONTHLY, "id": "cs07-bad-duty", "closes_with": closes_with},))
    with pytest.raises(rules.RuleError) as exc:
        make_app(tmp_path, procedures=(*load(qms.PROCEDURES), bad))
    assert "cs07-bad-duty" in str(exc.value) and message in str(exc.value)


@pytest.mark.parametrize("raw, message", [
    ({"kind": "due", "form": "TEST-PERIOD", "field": "held_on"}, "closes_with is for monthly or yearly rules"),
    ({"on_holiday": "sideways"}, "on_holiday is one of"),
])
def test_closes_with_and_on_holiday_only_where_they_mean_something(raw, message):
    with pytest.raises(rules.RuleError) as exc:
        rules.parse({**MONTHLY, **raw})
    assert message in str(exc.value) and MONTHLY["id"] in str(exc.value)


def test_the_deadline_in_local_time(app):
    rule = rules.by_id()[RULE]
    assert engine.deadline_for_period(rule, "2026-12") == datetime(2026, 12, 10, 17, 30, tzinfo=SH)


def test_through_the_api_signing_closes_and_voiding_reopens_at_once(app, client, people):
    clerk, head, _qm = people
    _sweep(at(12, 3))
    as_clerk, as_head = token_for(clerk), token_for(head)
    # A month the form's pattern refuses: 422 beside the field, nothing saved, nothing closed.
    bad = client.post("/api/v1/forms/TEST-PERIOD/records", json={"values": {"month": "2026年12月", "summary": "x"}},
                      headers=as_clerk)
    assert bad.status_code == 422 and "month" in bad.get_json()["fields"]
    made = client.post("/api/v1/forms/TEST-PERIOD/records", json={"values": {"month": "2026-12", "summary": "汇总"}},
                       headers=as_clerk)
    rid = made.get_json()["id"]
    assert client.post(f"/api/v1/records/{rid}/sign", json={"password": F.PASSWORD}, headers=as_clerk).status_code == 200
    assert _watch("2026-12").active
    assert client.post(f"/api/v1/records/{rid}/sign", json={"password": F.PASSWORD}, headers=as_head).status_code == 200
    assert not _watch("2026-12").active
    resp = client.post(f"/api/v1/records/{rid}/void", json={"reason": "重复", "password": F.PASSWORD}, headers=as_head)
    assert resp.status_code == 200 and _watch("2026-12").active


def test_the_closures_are_derived_again_from_the_signed_records(app, people):
    clerk, head, _qm = people
    _sweep(at(12, 3))
    rec = sign(sign(summary(clerk), clerk), head)
    sign(summary(clerk, month="2026-11"), clerk)  # filed, not approved: does nothing
    db.session.execute(delete(DutyClosure))  # as if the rule had just gained closes_with
    db.session.execute(update(ReminderWatch).where(ReminderWatch.rule_id == RULE).values(active=True))
    db.session.commit()
    assert duties.rebuild() == 2
    db.session.commit()
    assert db.session.execute(select(DutyClosure.record_id, DutyClosure.period)).all() == [(rec.id, "2026-12")]
    assert not _watch("2026-12").active


def test_DA03_where_only_records_of_that_value_close_and_offset_moves_the_period(app, people):
    clerk, head, _qm = people
    _sweep(at(12, 3))
    # The reminder leads to the form with the reviewed month (November) and the kind filled in.
    _sweep(at(12, 8))
    [lead] = _notices("da03-test-special", user=clerk)
    assert lead.link == "/r/TEST-PERIOD/new?month=2026-11&kind=special"
    # A plain record for November does not do the special duty; it does the plain monthly one (no where).
    sign(sign(summary(clerk, month="2026-11", kind="plain"), clerk), head)
    assert _watch("2026-12", "da03-test-special").active
    assert db.session.execute(select(DutyClosure.rule_id, DutyClosure.period)).all() == [(RULE, "2026-11")]
    # A special record reviewing November does December's special duty (offset 1), not November's.
    rec = sign(sign(summary(clerk, month="2026-11", kind="special"), clerk), head)
    assert not _watch("2026-12", "da03-test-special").active and _watch("2027-01", "da03-test-special").active
    assert db.session.execute(select(DutyClosure.period).where(
        DutyClosure.rule_id == "da03-test-special")).scalars().all() == ["2026-12"]
    # Amended to another kind, it no longer does the special duty: December opens again.
    timeutil.set_clock(at(12, 9))
    new = service.amend(rec, head, "类别填错")
    db.session.commit()
    fill(new, head, month="2026-11", kind="plain", summary="本月投诉 12 件")
    sign(sign(new, clerk), F.user("department_head", "CSD"))
    assert _watch("2026-12", "da03-test-special").active


def test_DA03_offset_shifts_months_across_the_year_and_years():
    monthly, yearly = rules.parse(SPECIAL), rules.parse({**YEARLY, "closes_with": {**YEARLY["closes_with"], "offset": 1}})
    assert rules.shift(monthly, "2026-12", 1) == "2027-01" and rules.shift(monthly, "2027-01", -1) == "2026-12"
    assert rules.shift(yearly, "2026", 1) == "2027" and rules.shift(monthly, None, 1) is None
    assert monthly.closes_with.where == (("kind", "special"),) and monthly.closes_with.offset == 1
