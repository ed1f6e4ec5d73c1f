"""The demo shows the self-built works flow on the chain's number (CP-05, CP-06): a failed round with
its letter, a passing one, service opened, and the works under a maintenance agreement.
covers: CP-05, CP-06"""
from qms import seed
from qms.customer_property import demo_works, works
from qms.customer_property import register as reg
from qms.extensions import db
from qms.records.models import Record


def test_cp05_cp06_the_demo_works_on_0756_2216688_failed_once_then_passed_and_is_maintained(app):
    seed.demo_users()
    assert demo_works.load() == 4
    (item,) = [i for i in reg.items_of_phone("0756 2216688") if i.kind == "works"]
    agreement = db.session.get(Record, item.source_record_id)
    first, second = works.rounds_of(agreement.id)
    assert works.letter_ready(first) and works.letter(first)["failed"] and second.values["result"] == "pass"
    assert agreement.status == "closed" and item.state == reg.MAINTENANCE
    assert [e.state_to for e in reg.events(item)] == [reg.PENDING, reg.RECTIFICATION, reg.ACCEPTED, reg.IN_USE,
                                                     reg.MAINTENANCE]
