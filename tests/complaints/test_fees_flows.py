"""Fee complaints, each flow end to end through the records service (TS-FEE; the handbook's flows
TS-001..TS-008): a dispute accepted, dispatched, investigated, resolved and answered; the refund paid in
cash only with the customer's signature, or transferred to another number and taken by 核算室; the
supervisor's approval where the flow needs it; the special flows' own steps.
covers: CS-10, CS-11, CS-13, CS-14, CS-16"""
import pytest

from qms.core.errors import SignatureRefused
from qms.records.models import Status
from tests.complaints.fees_helpers import CASH, FOUND, REPLY, People, accept, customer_signs, step


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
