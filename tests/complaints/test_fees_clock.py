"""The clocks of the fee complaints with the test clock: the 24-hour limit of a dispute (a complex
case, flagged with its reason, is lifted from it), the same-day reply, and the month's duties — the
refund summary by the 26th (cs13-refunds), the repricing summary by the 30th (cs14-repricing), the
orphan Monternet register by the 24th (cs16-monternet-24th) — closed by the records the month page
drafts from the disputes.
covers: CS-10, CS-13, CS-14, CS-16"""
import pytest
from sqlalchemy import select

from qms.core import timeutil
from qms.core.errors import ValidationFailed
from qms.extensions import db
from qms.records.models import Record, Status
from qms.reminders import engine, rules
from qms.reminders.models import DutyClosure, Notification, ReminderWatch
from tests import factories as F
from tests.complaints.fees_helpers import CASH, FOUND, REPLY, People, accept, customer_signs, step
from tests.support.clock import SH, at


@pytest.fixture
def p(app):
    return People()


def _sweep(moment):
    timeutil.set_clock(moment)
    table = {r.id: r for r in rules.all_rules()}
    engine.ensure_calendar_watches(list(table.values()), moment)
    db.session.commit()
    return engine.sweep(table, now=moment)


def _notices(rule_id):
    return db.session.execute(select(Notification).where(Notification.rule_id == rule_id)
                              .order_by(Notification.id)).scalars().all()


def _watch(rule_id, subject_id):
    db.session.expire_all()
    return db.session.execute(select(ReminderWatch).where(ReminderWatch.rule_id == rule_id,
                                                          ReminderWatch.subject_id == subject_id)).scalar()


def test_cs10_a_dispute_is_settled_within_24_hours_unless_flagged_complex(app, p):
    timeutil.set_clock(at(11, 19, 10))
    plain = accept(p.clerk, received_at="2026-11-19T09:30")
    complex_ = accept(p.clerk, received_at="2026-11-19T09:30", complex_case="y",
                      complex_reason="涉及省公司梦网结算,需跨月核实")
    watch = _watch("cs10-fee-24h", plain.id)
    assert watch.active and watch.due_at.astimezone(SH) == at(11, 20, 9).replace(minute=30)
    assert _watch("cs10-fee-24h", complex_.id) is None or not _watch("cs10-fee-24h", complex_.id).active  # the complex case is not on the clock
    _sweep(at(11, 20, 6))  # four hours before: the clerk is reminded
    before = {n.recipient_id for n in _notices("cs10-fee-24h")}
    assert before == {p.clerk.id}
    _sweep(at(11, 20, 10))  # past the limit: overdue, and the hall's head is told
    stages = {(n.stage, n.recipient_id) for n in _notices("cs10-fee-24h")}
    assert any(s.startswith("escalate") and r == p.head.id for s, r in stages)
    assert all(n.link == f"/r/TS-FEE/{plain.id}" for n in _notices("cs10-fee-24h"))
    # Settled: the clock stops, nothing more is sent.
    step(plain, p.clerk, **FOUND)
    step(plain, p.clerk, **{**CASH, "route": "explain", "refund_method": "", "refund_kind": "", "refund_amount": "",
                            "resolved_on": "2026-11-20"})
    step(plain, p.clerk, **REPLY)
    assert not _watch("cs10-fee-24h", plain.id).active
    count = len(_notices("cs10-fee-24h"))
    _sweep(at(11, 22, 10))
    assert len(_notices("cs10-fee-24h")) == count


def test_cs10_the_result_is_told_the_same_day_it_is_resolved(app, p):
    timeutil.set_clock(at(11, 19, 16))
    rec = accept(p.clerk)
    step(rec, p.clerk, **FOUND)
    step(rec, p.clerk, **CASH)
    watch = _watch("cs10-fee-same-day", rec.id)
    assert watch.active and watch.due_at.astimezone(SH).date().isoformat() == "2026-11-19"
    customer_signs(rec, p.clerk)
    step(rec, p.clerk, paid_at="2026-11-19T11:00")
    step(rec, p.clerk, **REPLY)
    assert not _watch("cs10-fee-same-day", rec.id).active


def _cash_refund(p, amount="30.00"):
    rec = accept(p.clerk)
    step(rec, p.clerk, **FOUND)
    step(rec, p.clerk, **{**CASH, "refund_amount": amount})
    customer_signs(rec, p.clerk)
    return step(rec, p.clerk, paid_at="2026-11-19T11:00")


def test_cs13_cs14_the_month_page_drafts_the_summaries_and_their_signatures_close_the_duties(app, client, p):
    timeutil.set_clock(at(11, 19, 16))
    _cash_refund(p, "30.00")
    _cash_refund(p, "12.50")
    repriced = accept(p.clerk, dispute_type="tariff")
    step(repriced, p.clerk, findings="优惠未生效", cause="operator", responsible_department="ACC",
         responsible_person="陈丹丹")
    step(repriced, p.clerk, route="reprice", solution="下月冲减", resolved_on="2026-11-19",
         reprice_item="套餐优惠补差", reprice_amount="8.00")
    orphan = accept(p.clerk, flow="ts006", monternet_service="某SP短信点播", account_state="cancelled",
                    disputed_amount="8")
    step(orphan, p.clerk, findings="销户后仍有代收费话单", cause="operator", responsible_department="ACC",
         responsible_person="吴雅丽", orphan_condition="y")
    step(orphan, p.clerk, route="hold", solution="按话费挂帐处理", resolved_on="2026-11-19")
    _sweep(at(11, 20))
    assert _watch_period("cs16-monternet-24th", "2026-11").active
    assert _watch_period("cs13-refunds", "2026-11").active and _watch_period("cs14-repricing", "2026-11").active
    F.login(client, p.clerk)
    page = client.get("/complaints/fees/month?month=2026-11").get_data(as_text=True)
    assert "42.50" not in page and "30.00" in page and "12.50" in page and "套餐优惠补差" in page
    assert page.count('id="month-orphans"') == 1 and "某SP短信点播" in page and 'id="draft-orphans"' in page
    token = F.csrf_from(page)
    resp = client.post("/complaints/fees/month/TS-REFUNDS", data={"month": "2026-11", "csrf_token": token})
    assert resp.status_code == 302
    refunds = _newest("TS-REFUNDS")
    assert refunds.values["total"] == "42.50" and refunds.values["count"] == 2
    assert {r["method"] for r in refunds.values["items"]} == {"cash"}
    client.post("/complaints/fees/month/TS-REPRICE", data={"month": "2026-11", "csrf_token": token})
    reprice = _newest("TS-REPRICE")
    assert [r["item"] for r in reprice.values["items"]] == ["套餐优惠补差"]
    # Sent by the hall: the month's duty is done (核算室 / 市场部 sign for it afterwards).
    client.post("/complaints/fees/month/TS-MONTERNET", data={"month": "2026-11", "csrf_token": token})
    register = _newest("TS-MONTERNET")
    assert [(r["phone_number"], r["handling"]) for r in register.values["items"]] == [("13902221234", "hold")]
    step(register, p.clerk)
    assert not _watch_period("cs16-monternet-24th", "2026-11").active
    step(refunds, p.clerk)
    assert not _watch_period("cs13-refunds", "2026-11").active
    assert _watch_period("cs13-refunds", "2026-12").active  # next month stays open
    step(reprice, p.clerk)
    assert not _watch_period("cs14-repricing", "2026-11").active
    closures = {(c.rule_id, c.period) for c in db.session.execute(select(DutyClosure)).scalars()}
    assert {("cs13-refunds", "2026-11"), ("cs14-repricing", "2026-11")} <= closures
    timeutil.set_clock(at(12, 10))
    step(refunds, p.billing, received_on="2026-11-26")
    assert refunds.status == Status.CLOSED
    step(reprice, p.market, processed_on="2026-11-30")
    with pytest.raises(ValidationFailed):  # an omission names the numbers left out
        step(reprice, p.clerk, check_result="omissions")
    step(reprice, p.clerk, check_result="omissions", omissions="13902221234 未冲减,已反映周美芳")
    assert reprice.status == Status.CLOSED


def _watch_period(rule_id, period):
    db.session.expire_all()
    return db.session.execute(select(ReminderWatch).where(ReminderWatch.rule_id == rule_id,
                                                          ReminderWatch.period == period)).scalar_one()


def _newest(code):
    return db.session.execute(select(Record).where(Record.form_code == code).order_by(Record.id.desc())).scalars().first()
