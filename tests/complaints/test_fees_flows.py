"""Fee complaints, each flow end to end through the records service (TS-FEE; the handbook's flows
TS-001..TS-008): a dispute accepted, dispatched, investigated, resolved and answered; the refund paid in
cash only with the customer's signature, or transferred to another number and taken by 核算室; the
supervisor's approval where the flow needs it; the special flows' own steps.
covers: CS-10, CS-11, CS-13, CS-14, CS-16"""
from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.exceptions import Forbidden

from qms.complaints.fees_hooks import next_thursday
from qms.core.errors import SignatureRefused, ValidationFailed
from qms.extensions import db
from qms.records.models import Status
from qms.reminders.models import ReminderWatch
from tests.complaints.fees_helpers import CASH, FOUND, REPLY, People, accept, customer_signs, step
from tests.support.clock import SH


@pytest.fixture
def p(app):
    return People()


def test_cs10_cs11_cs13_dispute_refunded_in_cash_only_with_the_customer_signature(app, p):
    rec = accept(p.clerk)
    assert rec.current_step == "investigate" and rec.number.startswith("FY-")
    step(rec, p.clerk, **FOUND)
    # CS-11: the error amount and its direction are worked out from the two charges.
    assert rec.values["error_amount"] == "30.00" and rec.values["error_direction"] == "客户多交费"
    assert rec.current_step == "resolve"  # no supervisor: the cause is the operator's
    step(rec, p.clerk, **CASH)
    assert rec.current_step == "pay_cash"
    with pytest.raises(SignatureRefused):
        step(rec, p.clerk, receipts_collected="y", paid_at="2026-11-19T10:30")
    assert rec.current_step == "pay_cash"
    customer_signs(rec, p.clerk)
    step(rec, p.clerk)
    assert rec.current_step == "reply"  # cash: no 核算室 step (the month's summary goes there on the 26th)
    step(rec, p.clerk, **REPLY)
    assert rec.status == Status.CLOSED
    assert [s.step for s in rec.signatures] == ["accept", "investigate", "resolve", "pay_cash", "reply"]


def test_cs13_transfer_to_another_number_goes_to_the_billing_office_on_thursday(app, p):
    rec = accept(p.clerk)
    step(rec, p.clerk, **FOUND)
    step(rec, p.clerk, **{**CASH, "refund_method": "transfer", "transfer_number": "13902225678", "receipts": ""})
    step(rec, p.clerk, transferred_at="2026-11-19T11:00")  # a Thursday
    assert rec.current_step == "billing"
    watch = db.session.execute(
        select(ReminderWatch).where(ReminderWatch.rule_id == "cs13-thursday-batch")).scalar_one()
    assert watch.active and watch.due_at.astimezone(SH).date().isoformat() == "2026-11-19"
    with pytest.raises(SignatureRefused):
        step(rec, p.clerk)  # only 核算室 takes it
    step(rec, p.billing, billing_processed_on="2026-11-19", billing_note="已冲减")
    assert rec.current_step == "reply"
    db.session.refresh(watch)
    assert not watch.active
    step(rec, p.clerk, **REPLY)
    assert rec.status == Status.CLOSED
    assert next_thursday(date(2026, 11, 20)) == date(2026, 11, 26)  # a Friday's transfer waits a week


def test_cs10_customer_insists_supervisor_refuses_so_no_refund_then_explained(app, p):
    rec = accept(p.clerk)
    step(rec, p.clerk, findings="查清单确有通话", cause="customer", evidence="通话清单显示号码本人使用",
         customer_insists="y")
    assert rec.current_step == "approve"
    with pytest.raises(Forbidden):
        step(rec, p.clerk, approval_decision="refused")  # a clerk is no supervisor
    step(rec, p.head, approval_decision="refused", approval_note="按清单解释")
    with pytest.raises(ValidationFailed) as exc:
        step(rec, p.clerk, **CASH)
    assert "route" in exc.value.errors
    step(rec, p.clerk, route="explain", solution="出示清单向客户解释", resolved_on="2026-11-19")
    assert rec.current_step == "reply"
    step(rec, p.clerk, **REPLY)
    assert rec.status == Status.CLOSED


def test_cs14_dispute_resolved_by_secondary_repricing(app, p):
    rec = accept(p.clerk, dispute_type="tariff")
    step(rec, p.clerk, findings="套餐优惠未生效", cause="operator", responsible_department="ACC",
         responsible_person="陈丹丹")
    step(rec, p.clerk, route="reprice", solution="下月二次批价冲减", resolved_on="2026-11-19",
         reprice_item="套餐优惠补差", reprice_amount="12.50")
    assert rec.current_step == "reply"
    step(rec, p.clerk, **REPLY)
    assert rec.status == Status.CLOSED


def test_cs16_ts004_top_up_to_an_invalid_number_keeps_the_serial_goes_to_the_data_team(app, p):
    rec = accept(p.clerk, flow="ts004", card_serial="1300-2211-5566", topped_up_number="13900000001",
                 dispute_type="usage", disputed_amount="100")
    assert "card_password" not in rec.values and rec.values["card_serial"] == "1300-2211-5566"
    step(rec, p.clerk, findings="华为智能网查询:所充号码未投放", cause="customer", evidence="客户输错号码",
         number_state="invalid", correct_number="13900000011")
    with pytest.raises(ValidationFailed) as exc:  # 「不能退现」
        step(rec, p.clerk, **{**CASH, "refund_amount": "100"})
    assert "refund_method" in exc.value.errors
    step(rec, p.clerk, route="data", solution="派数据班将金额转入正确号码", resolved_on="2026-11-19")
    assert rec.current_step == "data"
    step(rec, p.data, data_result="已转入 13900000011")
    step(rec, p.clerk, **REPLY)
    assert rec.status == Status.CLOSED


def test_cs16_ts004_a_cancelled_number_is_paid_back_only_with_the_card_taken_back(app, p):
    rec = accept(p.clerk, flow="ts004", card_serial="1300221155661", topped_up_number="13900000002",
                 dispute_type="usage", disputed_amount="50")
    step(rec, p.clerk, findings="所充号码已销号,非投诉客户使用", cause="customer", evidence="客户输错号码",
         number_state="cancelled")
    refund = {**CASH, "refund_amount": "50", "solution": "按销号客户预付金支取流程退还"}
    with pytest.raises(ValidationFailed) as exc:
        step(rec, p.clerk, **refund)
    assert "card_recovered" in exc.value.errors
    step(rec, p.clerk, **refund, card_recovered="y")
    assert rec.current_step == "pay_cash"


def test_cs16_ts005_ts006_ts008_flows_and_their_steps(app, p):
    roaming = accept(p.clerk, flow="ts005", dispute_type="roaming", roaming_places="斗门白蕉与中山交界")
    step(roaming, p.clerk, findings="清单显示两地周期性变换", cause="operator", responsible_department="SWT",
         responsible_person="网优值班员", roaming_confirmed="yes")
    step(roaming, p.clerk, route="reprice", solution="建议下月冲减", resolved_on="2026-11-19",
         reprice_item="边界漫游话费冲减", reprice_amount="18.60")
    step(roaming, p.clerk, **REPLY, roaming_reported="y")
    assert roaming.status == Status.CLOSED and roaming.values["roaming_reported"] is True
    orphan = accept(p.clerk, flow="ts006", monternet_service="某SP短信点播", account_state="cancelled",
                    disputed_amount="8")
    step(orphan, p.clerk, findings="销户后仍有代收费话单", cause="operator", responsible_department="ACC",
         responsible_person="吴雅丽", orphan_condition="y")
    step(orphan, p.clerk, route="hold", solution="客户未缴,按话费挂帐处理", resolved_on="2026-11-19")
    step(orphan, p.clerk, **REPLY)
    assert orphan.status == Status.CLOSED
    # TS-008: the late-fee waiver waits for the supervisor's instruction before the money moves.
    bank = accept(p.clerk, flow="ts008", dispute_type="tariff", collection_account="6222-0001-8888",
                  disputed_amount="5.40")
    step(bank, p.clerk, findings="客服录入托收帐号错误", cause="operator", responsible_department="CSD",
         responsible_person="李丽")
    step(bank, p.clerk, **{**CASH, "refund_kind": "waive", "refund_amount": "5.40"})
    assert bank.current_step == "approve_refund"
    step(bank, p.head, refund_instruction="同意减免滞纳金")
    customer_signs(bank, p.clerk)
    step(bank, p.clerk, paid_at="2026-11-19T12:00")
    step(bank, p.clerk, **REPLY, collection_notes_told="y")
    assert bank.status == Status.CLOSED
    assert [s.step for s in bank.signatures][3:5] == ["approve_refund", "pay_cash"]


def test_cs16_ts007_short_calls_dispatched_to_monitoring(app, p):
    rec = accept(p.clerk, flow="ts007", dispute_type="usage", short_call_count="4", disputed_amount="2.40")
    step(rec, p.clerk, findings="清单有4条3秒以内长途话单", cause="operator", responsible_department="SWT",
         responsible_person="交换值班员", short_calls_confirmed="y")
    step(rec, p.clerk, **{**CASH, "refund_kind": "reduce", "refund_amount": "2.40", "refund_method": "transfer",
                          "transfer_number": "13902220000", "receipts": ""})
    step(rec, p.clerk, transferred_at="2026-11-19T11:00")
    step(rec, p.billing, billing_processed_on="2026-11-19")
    assert rec.current_step == "monitoring"
    step(rec, p.monitor, monitoring_cause="计费参数未过滤3秒话单,已修正")
    step(rec, p.clerk, **REPLY)
    assert rec.status == Status.CLOSED
