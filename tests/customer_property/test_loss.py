"""Lost, damaged or unsuitable customer property (CP-07, ISO 8.5.3): the report names a register item
(an unknown code refused on the field, 422 in the API), says how and when the customer was told (not
before it was found, never in the future); once submitted the item is unsuitable and the gate stops
it; the customer's signature is required to close it; a nonconformity (source customer_property) is
raised from the report's page; a PBX reported damaged after passing is not approved for use.
covers: CP-07, CP-01, CP-02, CP-04"""
import pytest
from werkzeug.datastructures import MultiDict

from qms.customer_property import register as reg
from qms.customer_property.pbx_hooks import item_of
from qms.extensions import db
from qms.records import customer_sign, service
from qms.records import spec as specs
from qms.records.links import linked
from tests import factories as F
from tests.customer_property.pbx_helpers import application, day, inspect, people
from tests.records.customer_sign_helpers import data_url, drawing
from tests.support.api import token_for
from tests.support.records import sign


def _item(reporter, state=reg.IN_USE):
    clerk = F.user("clerk", "TSD")
    rec = sign(F.record(clerk, "TEST-REC"), clerk)
    item = reg.register(rec, kind="fax_g3", customer_name="珠海海天贸易有限公司", phone="0756-2216688",
                        model="Panafax UF-585", licence_no="03-1111-223344", by=clerk)
    reg.set_state(item, state, rec, clerk)
    db.session.commit()
    return item


def _report(clerk, code, **over):
    values = {"item_code": code, "customer_name": "珠海海天贸易有限公司", "contact_phone": "0756-2216688",
              "what": "damaged", "found_on": day(3), "description": "维修时摔坏机壳", "told_how": "phone",
              "told_on": day(2), "customer_answer": "同意维修后归还"} | over
    rec = service.create(specs.get("CP-LOSS"), clerk, MultiDict(values), "zh_CN")
    db.session.commit()
    return rec


def test_cp07_a_signed_report_stops_the_item_and_the_customer_signs_to_close_it(app):
    clerk = F.user("technician", "TSD")
    item = _item(clerk)
    assert reg.refusals(item) == []
    rec = sign(_report(clerk, item.code.lower()), clerk)
    assert item.state == reg.UNSUITABLE and reg.refusals(item)
    assert [(e.state_to, e.record_id) for e in reg.events(item)][-1] == (reg.UNSUITABLE, rec.id)
    with pytest.raises(service.SignatureRefused):  # the customer has not signed
        service.sign(rec, clerk, F.PASSWORD)
    db.session.rollback()
    customer_sign.capture_drawn(rec, clerk, "陈海天", data_url(drawing()))
    db.session.commit()
    sign(rec, clerk)
    assert rec.status == "closed" and item.state == reg.UNSUITABLE


def test_cp07_an_unknown_code_and_bad_dates_are_refused_on_their_fields(app, client):
    clerk = F.user("clerk", "CSD")
    with pytest.raises(service.ValidationFailed) as unknown:
        _report(clerk, "KC-999999")
    assert "item_code" in unknown.value.errors
    db.session.rollback()
    item = _item(clerk)
    h = token_for(clerk)
    base = {"item_code": item.code, "customer_name": "珠海海天贸易有限公司", "contact_phone": "0756-2216688",
            "what": "lost", "description": "遗失", "told_how": "phone", "customer_answer": "要求赔偿"}
    for dates, field in (({"found_on": day(-1), "told_on": day(0)}, "found_on"),
                         ({"found_on": day(3), "told_on": day(4)}, "told_on"),
                         ({"found_on": day(3), "told_on": day(2), "item_code": "KC-12"}, "item_code")):
        resp = client.post("/api/v1/forms/CP-LOSS/records", headers=h, json={"values": base | dates})
        assert resp.status_code == 422 and field in resp.json["fields"], (dates, resp.json)
    returned = _item(clerk, reg.RETURNED)
    with pytest.raises(service.ValidationFailed) as gone:
        _report(clerk, returned.code)
    assert returned.code in gone.value.errors["item_code"][0]


def test_cp07_a_nonconformity_is_raised_from_the_report_page(app, client):
    clerk = F.user("department_head", "TSD")
    item = _item(clerk)
    rec = sign(_report(clerk, item.code), clerk)
    F.login(client, clerk)
    page = client.get(f"/r/CP-LOSS/{rec.id}").get_data(as_text=True)
    assert item.code in page and 'id="raise-nc"' in page
    token = F.csrf(client, f"/r/CP-LOSS/{rec.id}")
    bad = client.post(f"/customer-property/loss/{rec.id}/nonconformity", data={
        "csrf_token": token, "department": "TSD", "severity": "general", "description": " "}, follow_redirects=True)
    assert bad.status_code == 200 and linked("CA-NC", "source_record", rec.id) == []
    resp = client.post(f"/customer-property/loss/{rec.id}/nonconformity", data={
        "csrf_token": token, "department": "TSD", "severity": "general", "description": "客户传真机维修中损坏"})
    assert resp.status_code == 302
    [nc] = linked("CA-NC", "source_record", rec.id)
    assert nc.values["source"] == "customer_property" and nc.number


def test_cp07_a_pbx_reported_damaged_after_passing_is_not_approved_for_use(app):
    p = people()
    rec = application(p["clerk"])
    inspect(rec, p["inspector"], "pass")
    item = item_of(rec)
    sign(_report(p["clerk"], item.code), p["clerk"])
    assert item.state == reg.UNSUITABLE
    with pytest.raises(service.SignatureRefused) as refused:
        service.sign(rec, p["head"], F.PASSWORD)
    assert item.code in refused.value.message
    db.session.rollback()
    assert item_of(rec).state == reg.UNSUITABLE and rec.status == "in_progress"
