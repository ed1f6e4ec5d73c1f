"""The business acceptance slip (IT-BIZ, IT-02): signed by the clerk as self-check; service opened on
customer property only through the register's gate (an item not passed is refused on the field, web
and API 422); a PBX or works opening names its item; the acceptance time is not in the future.
covers: IT-02, CP-02"""
import pytest

from qms.core.errors import ValidationFailed
from qms.customer_property import register
from qms.extensions import db
from tests import factories as F
from tests.support.api import token_for
from tests.support.clock import clock
from tests.traceability.chain_helpers import SLIP, People, create, slip


@pytest.fixture
def people(app):
    return People.make()


def _item(people, state):
    source = F.record(people.clerk)  # any record brings the item in; the register's service writes it
    item = register.register(source, kind="pbx", state=state, customer_name="珠海海天贸易有限公司",
                             phone="0756-2216688", model="HJD-48")
    db.session.commit()
    return item


def test_it02_the_clerk_signs_the_slip_as_self_check(people):
    s = slip(people.clerk)
    assert s.status == "closed" and s.number.startswith("YS-")
    assert [(sig.meaning, sig.user_id) for sig in s.signatures] == [("self_check", people.clerk.id)]


def test_it02_a_pbx_opening_needs_a_passed_item(people):
    pending = _item(people, register.PENDING)
    with pytest.raises(ValidationFailed) as refused:
        create("IT-BIZ", people.clerk, **{**SLIP, "business_type": "pbx", "property_item": pending.code})
    assert pending.code in refused.value.errors["property_item"][0]
    db.session.rollback()
    with pytest.raises(ValidationFailed) as refused:
        create("IT-BIZ", people.clerk, **{**SLIP, "business_type": "pbx"})
    assert "property_item" in refused.value.errors
    db.session.rollback()
    with pytest.raises(ValidationFailed) as refused:
        create("IT-BIZ", people.clerk, **{**SLIP, "property_item": "KC-999999"})
    assert "property_item" in refused.value.errors
    db.session.rollback()
    passed = _item(people, register.ACCEPTED)
    ok = slip(people.clerk, business_type="pbx", property_item=passed.code.lower())
    assert ok.status == "closed"


def test_it02_the_api_refuses_an_item_not_passed_with_422(people, client):
    rejected = _item(people, register.REJECTED)
    resp = client.post("/api/v1/forms/IT-BIZ/records", headers=token_for(people.clerk),
                       json={"values": {**SLIP, "business_type": "works", "property_item": rejected.code}})
    assert resp.status_code == 422
    assert rejected.code in resp.get_json()["fields"]["property_item"][0]


def test_it02_the_page_shows_the_gate_beside_the_field(people, client):
    pending = _item(people, register.PENDING)
    F.login(client, people.clerk)
    resp = client.post("/r/IT-BIZ/new", data={**SLIP, "business_type": "pbx", "property_item": pending.code,
                                              "csrf_token": F.csrf(client, "/r/IT-BIZ/new")})
    assert resp.status_code == 422
    assert pending.code in resp.get_data(as_text=True)


def test_it02_the_acceptance_time_is_not_in_the_future(people):
    clock(11, 20, 10)
    with pytest.raises(ValidationFailed) as refused:
        create("IT-BIZ", people.clerk, **{**SLIP, "accepted_at": "2026-11-21T09:00"})
    assert "accepted_at" in refused.value.errors
