"""The approval gate of a failed PBX on the web and the API (CP-04, CP-02): the record page says why
before the password is asked; a signature posted anyway is refused (flashed; 422 in the API) and
nothing moves; a round dated before the inspection is a 422 with the field named. The application's
page shows its register item and rounds.
covers: CP-02, CP-04"""
from qms.customer_property import register as reg
from qms.customer_property.pbx_hooks import item_of
from qms.extensions import db
from tests import factories as F
from tests.customer_property.pbx_helpers import application, day, inspect, people, round_
from tests.support.api import token_for

REFUSAL = "须经复检"


def test_cp04_approval_after_a_failed_inspection_is_refused_on_the_page(app, client):
    p = people()
    rec = application(p["clerk"])
    inspect(rec, p["inspector"], "fail")
    F.login(client, p["head"])
    page = client.get(f"/r/CP-PBX/{rec.id}").get_data(as_text=True)
    assert REFUSAL in page and item_of(rec).code in page and "整改中" in page
    resp = client.post(f"/r/CP-PBX/{rec.id}/sign", data={"password": F.PASSWORD,
                                                         "csrf_token": F.csrf(client, f"/r/CP-PBX/{rec.id}")},
                       follow_redirects=True)
    assert REFUSAL in resp.get_data(as_text=True)
    db.session.expire_all()
    assert rec.status == "in_progress" and item_of(rec).state == reg.RECTIFICATION
    F.login(client, p["inspector"])
    assert "整改后复检" in client.get(f"/r/CP-PBX/{rec.id}").get_data(as_text=True)  # the next round's button


def test_cp04_approval_after_a_failed_inspection_is_422_in_the_api_until_a_round_passes(app, client):
    p = people()
    rec = application(p["clerk"])
    inspect(rec, p["inspector"], "fail")
    h = token_for(p["head"])
    resp = client.post(f"/api/v1/records/{rec.id}/sign", json={"password": F.PASSWORD}, headers=h)
    assert resp.status_code == 422 and REFUSAL in resp.json["error"]
    hi = token_for(p["inspector"])
    early = client.post("/api/v1/forms/CP-PBX-RE/records", headers=hi, json={"values": {
        "application": rec.number, "customer_name": "珠海海天贸易有限公司", "contact_phone": "0756-2216688",
        "rectification": "更换中继板", "inspected_on": day(12), "inspection_departments": ["CSD"], "result": "pass"}})
    assert early.status_code == 422 and "inspected_on" in early.json["fields"]
    round_(rec, p["inspector"], "pass", inspected=5)
    resp = client.post(f"/api/v1/records/{rec.id}/sign", json={"password": F.PASSWORD}, headers=h)
    assert resp.status_code == 200 and resp.json["status"] == "closed"
    item = client.get(f"/api/v1/customer-property/{item_of(rec).code}", headers=h).json
    assert item["state"] == reg.IN_USE and item["refusals"] == [] and item["may_connect"]
    assert [e["to"] for e in item["events"]] == [reg.PENDING, reg.RECTIFICATION, reg.ACCEPTED, reg.IN_USE]
