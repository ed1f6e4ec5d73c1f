"""Fee complaints over the JSON API and the web (TS-FEE): the same flow and the same refusals — a
refund over the disputed amount, a transfer to the disputed number itself, amounts with more than two
decimals or below zero, dates out of order: each a field message and a 422, nothing saved; the cash
refund refused until the customer has signed.
covers: CS-10, CS-11, CS-13"""
import pytest
from sqlalchemy import func, select

from qms.extensions import db
from qms.records.models import Record, Status
from tests import factories as F
from tests.complaints.fees_helpers import ACCEPT, CASH, FOUND, REPLY, People, accept, step
from tests.records.customer_sign_helpers import data_url, drawing
from tests.support.api import token_for


@pytest.fixture
def p(app):
    return People()


def _api(client, who):
    def call(method, path, body=None, status=200):
        resp = client.open(path, method=method, json=body, headers=who)
        assert resp.status_code == status, resp.json
        return resp.json

    def fill(rid, values, status=200):
        version = call("GET", f"/api/v1/records/{rid}")["version"]
        return call("PATCH", f"/api/v1/records/{rid}", {"values": values, "version": version}, status)

    def sign(rid, status=200):
        return call("POST", f"/api/v1/records/{rid}/sign", {"password": F.PASSWORD}, status)
    return call, fill, sign


# The API takes a multichoice as a list.
API_FOUND = {**FOUND, "error_components": ["feature"]}
API_CASH = {**CASH, "receipts": ["charges"]}


def _count():
    return db.session.execute(select(func.count()).select_from(Record).where(Record.form_code == "TS-FEE")).scalar()


def test_cs10_cs13_cash_refund_over_the_api_with_every_bad_input_refused(app, client, p):
    call, fill, sign = _api(client, token_for(p.clerk))
    bad = call("POST", "/api/v1/forms/TS-FEE/records", {"values": {**ACCEPT, "disputed_amount": "30.005"}}, status=422)
    assert "disputed_amount" in bad["fields"] and "两位小数" in bad["fields"]["disputed_amount"][0]
    bad = call("POST", "/api/v1/forms/TS-FEE/records", {"values": {**ACCEPT, "disputed_amount": "-1"}}, status=422)
    assert "disputed_amount" in bad["fields"]
    bad = call("POST", "/api/v1/forms/TS-FEE/records", {"values": {**ACCEPT, "complex_case": True}}, status=422)
    assert "complex_reason" in bad["fields"]  # a complex case says why
    bad = call("POST", "/api/v1/forms/TS-FEE/records", {"values": {**ACCEPT, "flow": "ts004"}}, status=422)
    assert {"card_serial", "topped_up_number"} <= set(bad["fields"])
    assert _count() == 0  # nothing half-saved
    rec = call("POST", "/api/v1/forms/TS-FEE/records", {"values": ACCEPT}, status=201)
    rid = rec["id"]
    sign(rid)
    # 局方原因: the department and the person (「责任须落实到个人」).
    bad = fill(rid, {**API_FOUND, "responsible_person": ""}, status=422)
    assert "responsible_person" in bad["fields"]
    bad = fill(rid, {**API_FOUND, "wrong_charge": "30.123"}, status=422)
    assert "wrong_charge" in bad["fields"]
    bad = fill(rid, {**API_FOUND, "liability": ""}, status=422)
    assert "liability" in bad["fields"]  # an error says who bears it
    fill(rid, API_FOUND)
    sign(rid)
    bad = fill(rid, {**API_CASH, "refund_amount": "30.01"}, status=422)
    assert "争议金额" in bad["fields"]["refund_amount"][0]
    bad = fill(rid, {**API_CASH, "refund_method": "transfer", "transfer_number": "139-0222-1234"}, status=422)
    assert "transfer_number" in bad["fields"]  # the disputed number itself, written with dashes
    bad = fill(rid, {**API_CASH, "refund_method": "transfer"}, status=422)
    assert "transfer_number" in bad["fields"]
    bad = fill(rid, {**API_CASH, "resolved_on": "2026-11-18"}, status=422)
    assert "resolved_on" in bad["fields"]  # before it was received
    got = call("GET", f"/api/v1/records/{rid}")
    assert got["values"].get("refund_amount") is None and got["values"].get("route") is None
    fill(rid, API_CASH)
    sign(rid)
    fill(rid, {"paid_at": "2026-11-19T10:30", "receipts_collected": True})
    refused = sign(rid, status=422)
    assert "客户签名" in str(refused)
    call("POST", f"/api/v1/records/{rid}/customer-signature",
         {"kind": "drawn", "customer_name": "陈建国", "signature": data_url(drawing())}, status=201)
    sign(rid)
    bad = fill(rid, {**REPLY, "replied_at": "2026-11-18T15:00"}, status=422)
    assert "replied_at" in bad["fields"]
    fill(rid, REPLY)
    done = sign(rid)
    assert done["status"] == Status.CLOSED
    assert done["values"]["error_amount"] == "30.00" and done["values"]["error_direction"] == "客户多交费"


def test_cs10_the_form_page_shows_a_bad_refund_next_to_its_field(app, client, p):
    rec = accept(p.clerk)
    step(rec, p.clerk, **FOUND)
    F.login(client, p.clerk)
    page = client.get(f"/r/TS-FEE/{rec.id}/edit")
    assert page.status_code == 200
    token = F.csrf_from(page.get_data(as_text=True))
    resp = client.post(f"/r/TS-FEE/{rec.id}/edit", data={**CASH, "refund_amount": "99", "csrf_token": token,
                                                         "_version": str(rec.version)})
    html = resp.get_data(as_text=True)
    assert "不得超过争议金额" in html
    db.session.refresh(rec)
    assert rec.values.get("refund_amount") is None
    detail = client.get(f"/r/TS-FEE/{rec.id}").get_data(as_text=True)
    assert "24" in detail and 'id="fee-clocks"' in detail
    # The page shows what was written: the other flows' fields (a top-up card's serial) are left out.
    assert "营业员误为客户开通彩铃" in detail and "缴费卡序列号" not in detail


def test_cs13_cs14_a_summary_row_with_a_bad_amount_or_the_same_transfer_number_is_refused_by_row(app, client, p):
    call, _fill, _sign = _api(client, token_for(p.clerk))
    row = {"phone_number": "13902221234", "customer_name": "陈建国", "kind": "refund", "method": "transfer",
           "transfer_number": "13902225678", "amount": "30.00", "paid_on": "2026-11-19"}
    bad = call("POST", "/api/v1/forms/TS-REFUNDS/records", {"values": {"month": "2026-11", "items": [
        row, {**row, "amount": "12.345"}, {**row, "transfer_number": "(139) 0222-1234"}]}}, status=422)
    assert [m[:3] for m in bad["fields"]["items"]] == ["第2行", "第3行"]
    bad = call("POST", "/api/v1/forms/TS-REPRICE/records", {"values": {"month": "2026-13", "items": [
        {"phone_number": "13902221234", "customer_name": "陈建国", "dispute_type": "reward", "item": "功能费",
         "reason": "投诉奖励", "reward_from": "2026-12-01", "reward_to": "2026-11-01"}]}}, status=422)
    assert "month" in bad["fields"] and "items" in bad["fields"]  # a month that is none, dates out of order
    assert db.session.execute(select(func.count()).select_from(Record).where(
        Record.form_code.in_(("TS-REFUNDS", "TS-REPRICE")))).scalar() == 0
    ok = call("POST", "/api/v1/forms/TS-REFUNDS/records", {"values": {"month": "2026-11", "items": [row]}}, status=201)
    assert ok["values"]["total"] == "30.00" and ok["values"]["count"] == 1
