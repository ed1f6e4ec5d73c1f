"""The trace (IT-07): from a phone number typed in any format, a customer or any record of the chain,
the whole chain in order — acceptance, allocation, ..., equipment state — with the complaints about
the number beside it; records reached through links whatever number they were typed with; what the
reader may not view is left out; a signature that no longer matches its content is shown invalid;
the page, the PDF and the API (nodes and edges; a bad query → 422).
covers: IT-07"""
import json

import pytest
from sqlalchemy import text

from qms.customer_property import register
from qms.extensions import db
from qms.traceability import trace
from tests import factories as F
from tests.complaints.intake_helpers import submitted
from tests.support.api import token_for
from tests.traceability.chain_helpers import People, allocate, create, sign, slip


@pytest.fixture
def chain(app):
    people = People.make()
    s = slip(people.clerk)
    num = allocate(people.swt, s)
    complaint = submitted(people.clerk, customer_name="珠海海天贸易有限公司", phone_number="0756 2216688",
                          received_at="2026-11-25T10:00")
    item = register.register(s, kind="telephone", state=register.ACCEPTED, customer_name="珠海海天贸易有限公司",
                             phone="0756-2216688", model="HA8000")
    db.session.commit()
    return people, s, num, complaint, item


def _numbers(t):
    return [n.record.number for n in t.nodes]


@pytest.mark.parametrize("typed", ["(0756) 221-6688", "+86 756 2216688", "０７５６－２２１６６８８"])
def test_it07_the_trace_reaches_the_chain_from_the_number_typed_any_way(chain, typed):
    people, s, num, complaint, item = chain
    t = trace.build(typed, people.clerk)
    assert _numbers(t) == [s.number, num.number, complaint.number]  # in the chain's order
    assert [n.stage for n in t.nodes] == ["acceptance", "allocation", "complaint"]
    assert [p.item.code for p in t.items] == [item.code]
    assert ("r%d" % num.id, "r%d" % s.id, "业务受理单") in t.edges
    assert all(n.valid for n in t.nodes)


def test_it07_the_trace_starts_from_any_record_number_or_the_customer(chain):
    people, s, num, complaint, _item = chain
    assert _numbers(trace.build(num.number.lower(), people.clerk)) == [s.number, num.number, complaint.number]
    assert _numbers(trace.build("珠海海天贸易有限公司", people.clerk)) == [s.number, num.number, complaint.number]


def test_it07_links_are_followed_whatever_number_was_typed(chain):
    people, s, _num, _complaint, _item = chain
    moved = slip(people.clerk, phone_number="0756-2219999", business_type="move", request="移机，另配号码")
    other = allocate(people.swt, moved, number="0756-2210001")  # 交换传输室 allocated another number
    t = trace.build("0756-2210001", people.clerk)
    assert _numbers(t) == [moved.number, other.number]
    assert set(t.numbers) == {"07562210001", "07562219999"}


def test_it07_the_trace_leaves_out_what_the_reader_may_not_view(chain):
    people, s, num, complaint, _item = chain
    t = trace.build("0756-2216688", people.tsd)  # 终端服务部 reads slips and allocations, not CSD's complaints
    assert _numbers(t) == [s.number, num.number]


def test_it07_a_signature_changed_behind_the_application_shows_invalid(chain, client):
    people, s, num, _complaint, _item = chain
    values = {**s.values, "address": "改过的地址"}
    db.session.execute(text("UPDATE records SET data = :d WHERE id = :i"),
                       {"d": json.dumps(values, ensure_ascii=False, sort_keys=True), "i": s.id})
    db.session.commit()
    db.session.expire_all()
    t = trace.build("0756-2216688", people.clerk)
    assert [(n.record.id, n.valid) for n in t.nodes][:2] == [(s.id, False), (num.id, True)]
    F.login(client, people.clerk)
    page = client.get("/trace?q=0756-2216688").get_data(as_text=True)
    assert 'id="trace-invalid"' in page and "sig invalid" in page


def test_it07_the_page_the_record_link_and_the_pdf(chain, client):
    people, s, num, complaint, _item = chain
    F.login(client, people.clerk)
    page = client.get("/trace", query_string={"q": "+86 756 2216688"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.index(s.number) < html.index(num.number) < html.index(complaint.number)
    detail = client.get(f"/r/IT-NUM/{num.id}").get_data(as_text=True)
    assert f"/trace?q={num.number}" in detail
    assert 'id="trace-link"' in client.get("/customers/07562216688").get_data(as_text=True)
    printed = client.get("/trace.pdf?q=07562216688")
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    assert client.get("/trace?q=---").status_code == 422


def test_it07_the_api_returns_the_graph_and_422_for_a_bad_query(chain, client):
    people, s, num, complaint, item = chain
    headers = token_for(people.clerk)
    body = client.get("/api/v1/trace", query_string={"q": "(0756) 221-6688"}, headers=headers).get_json()
    records = [n for n in body["nodes"] if n["type"] == "record"]
    assert [n["number"] for n in records] == [s.number, num.number, complaint.number]
    assert all(n["signatures_valid"] for n in records)
    assert {"from": f"r{num.id}", "to": f"r{s.id}", "label": "业务受理单"} in body["edges"]
    assert {"from": f"r{s.id}", "to": f"p{item.id}"} in [{k: e[k] for k in ("from", "to")} for e in body["edges"]]
    for bad in ("", "---", "+86", "x" * 101):
        resp = client.get("/api/v1/trace", query_string={"q": bad}, headers=headers)
        assert resp.status_code == 422 and "q" in resp.get_json()["fields"], bad


def test_it07_a_months_refund_list_naming_the_number_is_found_by_its_digits(chain):
    people, s, num, complaint, _item = chain
    refunds = create("TS-REFUNDS", people.clerk, **{
        "month": "2026-11", "items-0-phone_number": "0756 221 6688", "items-0-customer_name": "珠海海天贸易有限公司",
        "items-0-kind": "refund", "items-0-method": "cash", "items-0-amount": "12.50", "items-0-paid_on": "2026-11-27",
        "items-1-phone_number": "13800138000", "items-1-customer_name": "林晓梅", "items-1-kind": "waive",
        "items-1-method": "cash", "items-1-amount": "5", "items-1-paid_on": "2026-11-27"})
    sign(refunds, people.clerk)
    other = create("TS-REFUNDS", people.clerk, **{
        "month": "2026-10", "items-0-phone_number": "13800138000", "items-0-customer_name": "林晓梅",
        "items-0-kind": "refund", "items-0-method": "cash", "items-0-amount": "3", "items-0-paid_on": "2026-10-27"})
    sign(other, people.clerk)
    t = trace.build("(0756) 221-6688", people.clerk)
    assert [(n.record.number, n.stage) for n in t.nodes][-1] == (refunds.number, "refund")
    assert other.number not in _numbers(t)
