"""Number allocation by 交换传输室 (IT-NUM): one number is never allocated twice while it is live,
whichever way it is typed; the line's cancellation or the allocation's void frees it; an allocation
needs a signed slip that is not a cancellation; the API answers 422 on the field.
covers: IT-07"""
import pytest

from qms.core.errors import SignatureRefused, ValidationFailed
from qms.extensions import db
from qms.records import service
from qms.traceability import numbers
from tests import factories as F
from tests.support.api import token_for
from tests.traceability.chain_helpers import NUM, People, allocate, create, sign, slip


@pytest.fixture
def people(app):
    return People.make()


def test_it07_a_number_is_never_allocated_twice_while_live(people):
    first = allocate(people.swt, slip(people.clerk))
    assert numbers.live("+86 756 2216688").record_id == first.id
    second_slip = slip(people.clerk, customer_name="另一客户")
    with pytest.raises(ValidationFailed) as refused:
        create("IT-NUM", people.swt, **{**NUM, "record": second_slip.number, "number": "(0756) 221-6688"})
    assert first.number in refused.value.errors["number"][0]
    db.session.rollback()


def test_it07_the_lines_cancellation_frees_the_number(people):
    first = allocate(people.swt, slip(people.clerk))
    cancel = slip(people.clerk, business_type="cancel", phone_number="0756 221 6688", request="拆机")
    row = numbers.of_record(first.id)[0]
    assert row.live_key is None and row.released_by_id == cancel.id
    again = allocate(people.swt, slip(people.clerk, customer_name="新客户"))
    assert numbers.live("07562216688").record_id == again.id
    assert [a.record_id for a in numbers.history("0756-2216688")] == [again.id, first.id]


def test_it07_voiding_the_allocation_frees_the_number(people):
    first = allocate(people.swt, slip(people.clerk))
    service.void(first, people.swthead, "端口分配错误", F.PASSWORD)
    db.session.commit()
    assert numbers.live("0756-2216688") is None
    assert allocate(people.swt, slip(people.clerk)).status == "closed"


def test_it07_a_draft_allocation_is_refused_at_its_signature_once_the_number_is_taken(people):
    s = slip(people.clerk)
    draft = create("IT-NUM", people.swt, **{**NUM, "record": s.number})
    allocate(people.swt, s)
    with pytest.raises(SignatureRefused) as refused:
        sign(draft, people.swt)
    assert "FH-" in refused.value.errors["number"][0]
    db.session.rollback()
    assert len(numbers.history("0756-2216688")) == 1


def test_it07_an_allocation_needs_a_signed_slip_that_is_not_a_cancellation(people):
    draft_slip = create("IT-BIZ", people.clerk, **{"accepted_at": "2026-11-20T09:30", "customer_name": "甲",
                                                   "phone_number": "0756-2216600", "address": "香洲",
                                                   "business_type": "install", "request": "新装"})
    with pytest.raises(ValidationFailed) as refused:
        create("IT-NUM", people.swt, **{**NUM, "record": f"#{draft_slip.id}"})
    assert "record" in refused.value.errors
    db.session.rollback()
    cancel = slip(people.clerk, business_type="cancel")
    with pytest.raises(ValidationFailed) as refused:
        create("IT-NUM", people.swt, **{**NUM, "record": cancel.number})
    assert "record" in refused.value.errors


def test_it07_the_api_refuses_a_number_already_allocated_with_422(people, client):
    first = allocate(people.swt, slip(people.clerk))
    other = slip(people.clerk)
    resp = client.post("/api/v1/forms/IT-NUM/records", headers=token_for(people.swt),
                       json={"values": {**NUM, "record": other.number, "number": "+86 756 2216688"}})
    assert resp.status_code == 422
    assert first.number in resp.get_json()["fields"]["number"][0]
