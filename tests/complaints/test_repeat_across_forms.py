"""Repeat complaints across the complaint forms (CS-12): a customer's earlier complaint counts whichever
form took it — a fee dispute (TS-FEE) not answered within its 24 hours makes a later general complaint
(CS-INQ) a repeat, a complaint whose result left the customer dissatisfied makes a later fee dispute a
repeat, a complex fee dispute is off the 24-hour clock, and a fee dispute's verdict is worked out by the
service (typed values are ignored) and corrected only with a reason.
covers: CS-12"""
import pytest

from qms.core.errors import ValidationFailed
from tests.complaints import fees_helpers as fee
from tests.complaints.intake_helpers import handle, review, submitted
from tests.support.clock import clock


@pytest.fixture
def people(app):
    return fee.People()


def test_cs12_an_unanswered_fee_dispute_makes_a_later_complaint_a_repeat(people):
    clock(11, 19, 10)
    dispute = fee.accept(people.clerk)  # received 11-19 09:30, due 24 h later, never answered
    assert dispute.values["repeat"] == "first"
    clock(11, 25, 10)
    later = submitted(people.clerk, received_at="2026-11-25T10:00", phone_number="139 0222 1234",
                      handling_department="BIL")
    assert (later.values["repeat"], later.values["repeat_of"]) == ("repeat", dispute.id)
    assert later.values["repeat_basis"] == "上次投诉未在处理时限内答复客户"


def test_cs12_a_complex_fee_dispute_is_off_the_24_hour_clock(people):
    clock(11, 19, 10)
    fee.accept(people.clerk, complex_case="y", complex_reason="需调取三个月详单核对")
    clock(11, 25, 10)
    later = submitted(people.clerk, received_at="2026-11-25T10:00", phone_number="13902221234",
                      handling_department="BIL")
    assert later.values["repeat"] == "first" and later.values.get("repeat_of") is None


def test_cs12_a_dissatisfied_complaint_makes_a_later_fee_dispute_a_repeat(people):
    clock(11, 10, 10)
    complaint = submitted(people.clerk, received_at="2026-11-10T09:00", phone_number="13902221234",
                          handling_department="BIL")
    handle(complaint, people.billing, told_at="2026-11-10T15:00")
    review(complaint, people.head, satisfaction="dissatisfied")
    clock(11, 19, 10)
    dispute = fee.accept(people.clerk, repeat="first")  # a typed verdict is not taken
    assert (dispute.values["repeat"], dispute.values["repeat_of"]) == ("repeat", complaint.id)
    assert dispute.values["repeat_basis"] == "客户不满意上次处理结果而再次投诉"


def test_cs12_a_fee_disputes_verdict_is_corrected_only_with_a_reason(people):
    clock(11, 19, 10)
    with pytest.raises(ValidationFailed) as refused:
        fee.accept(people.clerk, repeat_claim="repeat")
    assert "repeat_claim_reason" in refused.value.errors
    corrected = fee.accept(people.clerk, repeat_claim="repeat", repeat_claim_reason="客户称上月已在代办点投诉过")
    assert corrected.values["repeat"] == "repeat"
    assert corrected.values["repeat_basis"] == "人工更正：客户称上月已在代办点投诉过"
