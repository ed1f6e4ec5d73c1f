"""The customer-property register's service (CP-01, CP-02): an item is registered by the record that
brings it in (idempotent per record and row), its state moves only with an event naming the record,
and the gate refuses every state but a passed one, with a message on the field that names the item.
covers: CP-01, CP-02"""
import pytest

from qms.customer_property import register as reg
from qms.extensions import db
from tests import factories as F
from tests.support.records import sign


def _item(clerk, **kw):
    rec = sign(F.record(clerk, "TEST-REC"), clerk)
    values = {"kind": "telephone", "customer_name": "陈建国", "phone": "0756-2212345", "model": "HA8000",
              "licence_no": "02-1234-567890", "location": "香洲区 1 号"} | kw
    return rec, reg.register(rec, source_key="1", by=clerk, **values)


def test_cp01_an_item_is_registered_once_per_record_row_and_found_by_code_and_number(app):
    clerk = F.user("clerk", "TSD")
    rec, item = _item(clerk)
    db.session.commit()
    assert item.code == f"KC-{item.id:06d}" and item.state == reg.PENDING and item.department_id == rec.department_id
    again = reg.register(rec, source_key="1", kind="telephone", phone="0756 221 2345", model="HA8000P")
    assert again.id == item.id and again.model == "HA8000P" and len(reg.items_of_record(rec.id)) == 1
    assert reg.by_code(f" kc-{item.id:06d} ") is item and reg.by_code("KC-x") is None and reg.by_code(None) is None
    assert reg.items_of_phone("+86 756 2212345") == [item]
    assert [e.state_to for e in reg.events(item)] == [reg.PENDING]
    with pytest.raises(ValueError):
        reg.register(rec, source_key="2", kind="toaster")


def test_cp02_the_gate_passes_only_a_passed_item_and_says_why_on_the_field(app):
    clerk = F.user("clerk", "TSD")
    rec, item = _item(clerk)
    assert reg.check_item({"device": item.code}, "device")["device"][0].startswith(item.code)
    assert len(reg.check_item({"device": "KC-999999"}, "device")["device"]) == 1  # unknown code
    assert reg.check_item({"device": ""}, "device") == {}
    for state in reg.STATES:
        reg.set_state(item, state, rec, clerk, "测试")
        assert (reg.refusals(item) == []) == (state in reg.PASSED), state
    assert reg.set_state(item, item.state, rec) is False  # already there: no event
    assert len(reg.events(item)) == len(reg.STATES)  # registered + one per move (pending → … → returned)
    reg.set_state(item, reg.ACCEPTED, rec)
    assert reg.check_item({"device": item.code}, "device") == {}
    assert reg.check_item({"device": item.code}, "device", kinds=("pbx",))["device"]
