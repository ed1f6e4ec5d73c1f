"""The register's demo (CP-01, CP-04, CP-07): 0756-2216688's PBX failed, passed a re-inspection round
and is in use; one in rectification, one pending, one reported damaged and signed by the customer.
covers: CP-01, CP-04, CP-07"""
from qms import seed
from qms.customer_property import demo_register
from qms.customer_property import register as reg
from qms.extensions import db


def test_cp01_the_demo_shows_every_state_of_the_pbx_flow(app):
    seed.demo_users()
    made = demo_register.load()
    db.session.commit()
    assert made == 4 + 2 + 1  # four applications, two rounds, one loss report
    [haitian] = reg.items_of_phone("07562216688")
    assert haitian.customer_name == "珠海海天贸易有限公司" and haitian.state == reg.IN_USE
    assert [e.state_to for e in reg.events(haitian)] == [reg.PENDING, reg.RECTIFICATION, reg.ACCEPTED, reg.IN_USE]
    states = {i.customer_name: i.state for i in (reg.items_of_phone(p)[0] for p in
                                                  ("0756-3318888", "0756-3312345", "0756-8881234"))}
    assert states == {"港湾实业有限公司": reg.RECTIFICATION, "香洲电子厂": reg.PENDING, "拱北口岸酒店": reg.UNSUITABLE}
