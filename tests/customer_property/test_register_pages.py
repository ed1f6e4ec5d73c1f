"""The customer-property register's pages and API (CP-01, CP-02): every employee reads it; filters by
kind, state, department and a phone number typed any way; keyset pages (no page repeats or skips an
item); the Excel export follows the filters; a bad filter is a field message on the page and a 422
in the API; one item's page shows its state, the gate's verdict, its events with their records, and
prints a label whose QR code leads back to the page.
covers: CP-01, CP-02"""
import io

from openpyxl import load_workbook

from qms.customer_property import register as reg
from qms.customer_property import register_query as query
from qms.extensions import db
from tests import factories as F
from tests.support.api import token_for
from tests.support.records import sign


def _items(n: int, clerk, **kw) -> list:
    rec = sign(F.record(clerk, "TEST-REC"), clerk)
    out = [reg.register(rec, source_key=str(i), by=clerk, **({"kind": "telephone", "customer_name": f"客户{i}",
                                                               "phone": f"0756-22100{i:02d}", "model": "HA8000"} | kw))
           for i in range(n)]
    db.session.commit()
    return out


def test_cp01_the_register_filters_and_pages_without_repeating_an_item(app, client):
    clerk = F.user("clerk", "TSD")
    phones = _items(7, clerk)
    pbx = _items(1, clerk, kind="pbx", phone="0756-2216688", customer_name="珠海海天贸易有限公司")[0]
    reg.set_state(pbx, reg.RECTIFICATION)
    db.session.commit()
    seen, after = [], None
    while True:  # three items a page
        rows, after = query.page(query.parse({"after": str(after)} if after else {}), limit=3)
        seen += [r.id for r in rows]
        if after is None:
            break
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 8
    assert query.page(query.parse({"phone": "+86 (756) 221-6688"}))[0] == [pbx]
    assert query.page(query.parse({"kind": "pbx", "state": "rectification"}))[0] == [pbx]
    assert query.page(query.parse({"kind": "telephone", "state": "rectification"}))[0] == []
    assert len(query.page(query.parse({"department": "TSD"}))[0]) == 8
    assert query.page(query.parse({"department": "CSD"}))[0] == []
    reader = F.user("clerk", "FIN")  # any employee reads the company's register
    F.login(client, reader)
    page = client.get("/customer-property?phone=0756 2216688").get_data(as_text=True)
    assert pbx.code in page and phones[0].code not in page and "整改中" in page
    first = client.get("/customer-property").get_data(as_text=True)
    assert 'id="next-page"' not in first and all(i.code in first for i in phones)  # 8 items: one page
    assert 'id="customer-property-link"' in first


def test_cp01_bad_filters_are_field_messages_on_the_page_and_422_in_the_api(app, client):
    u = F.user("clerk", "CSD")
    F.login(client, u)
    resp = client.get("/customer-property?kind=toaster&phone=---")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "选项无效" in html
    h = token_for(u)
    for args, field in (("kind=toaster", "kind"), ("state=broken", "state"), ("department=NOPE", "department"),
                        ("phone=--", "phone"), ("after=x1", "after"), ("limit=500", "limit")):
        bad = client.get(f"/api/v1/customer-property?{args}", headers=h)
        assert bad.status_code == 422 and field in bad.json["fields"], args
    assert client.get("/api/v1/customer-property").status_code == 401
    assert client.get("/api/v1/customer-property/KC-999999", headers=h).status_code == 404


def test_cp01_the_api_and_the_excel_export_follow_the_filters(app, client):
    clerk = F.user("clerk", "TSD")
    items = _items(3, clerk)
    reg.set_state(items[0], reg.ACCEPTED)
    db.session.commit()
    h = token_for(clerk)
    body = client.get("/api/v1/customer-property?state=accepted&phone=075622100 00", headers=h).json
    assert [i["code"] for i in body["items"]] == [items[0].code] and body["items"][0]["may_connect"]
    paged = client.get("/api/v1/customer-property?limit=2", headers=h).json
    rest = client.get(f"/api/v1/customer-property?limit=2&after={paged['next']}", headers=h).json
    assert [i["code"] for i in paged["items"] + rest["items"]] == [i.code for i in reversed(items)]
    F.login(client, clerk)
    wb = load_workbook(io.BytesIO(client.get("/customer-property.xlsx?kind=telephone&state=pending").data))
    cells = [[c for c in row] for row in wb.active.iter_rows(values_only=True)]
    codes = [row[0] for row in cells[2:]]
    assert cells[1][0] == "财产编号" and codes == [items[2].code, items[1].code]


def test_cp02_the_item_page_shows_the_gate_its_events_and_a_label_back_to_it(app, client, tmp_path):
    clerk = F.user("clerk", "TSD")
    item = _items(1, clerk)[0]
    F.login(client, F.user("clerk", "CSD"))
    page = client.get(f"/customer-property/{item.code.lower()}").get_data(as_text=True)
    assert "登记待检" in page and "✗" in page and item.customer_name in page
    assert f'/r/TEST-REC/{item.source_record_id}' in page  # the event's record, linked
    assert client.get("/customer-property/KC-999999").status_code == 404
    label = client.get(f"/customer-property/{item.code}/label.pdf")
    assert label.status_code == 200 and label.data.startswith(b"%PDF")
    import subprocess
    p = tmp_path / "label.pdf"
    p.write_bytes(label.data)
    text = subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True).stdout
    assert item.code in text and "客户财产" in text
