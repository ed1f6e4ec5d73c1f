"""Customer signatures on the record page and over the API (issue #12, part 4): the page says
the customer must sign before it asks for the password; captures are refused at their field in
Chinese (422), nothing half-saved; the API takes a base64 PNG, a multipart scan or a witnessed
refusal, answers 422 with field messages, and shows the signatures in the record's JSON.
covers: CS-02, CS-05, IT-03"""
import base64
import io

from sqlalchemy import func, select

from qms.extensions import db
from qms.records.customer_sign_models import CustomerSignature
from tests import factories as F
from tests.records.customer_sign_helpers import CODE, data_url, drawing, jpeg, order, pdf_page
from tests.support.api import token_for


def _count() -> int:
    return db.session.execute(select(func.count()).select_from(CustomerSignature)).scalar()


def _page(client, rec) -> str:
    return client.get(f"/r/{CODE}/{rec.id}").get_data(as_text=True)


def _capture(client, rec, **data):
    return client.post(f"/r/{CODE}/{rec.id}/customer-signature",
                       data={**data, "csrf_token": F.csrf(client, f"/r/{CODE}/{rec.id}")})


def test_the_page_asks_for_the_customer_first_then_for_the_password(app, client):
    clerk = F.user("clerk")
    rec = order(clerk)
    F.login(client, clerk)
    html = _page(client, rec)
    assert 'id="sign-blockers"' in html and "此步骤须有客户签名" in html and 'id="sign-password"' not in html
    assert 'id="cs-draw-form"' in html and 'id="cs-scan-form"' in html and 'id="cs-refuse-form"' in html
    assert "vendor/signature_pad/signature_pad.umd.min.js" in html and "customer-signature.js" in html
    assert "<script>" not in html  # the CSP allows no inline script
    resp = _capture(client, rec, mode="drawn", customer_name="陈建国", signature=data_url(drawing()))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#customer-signature")
    html = _page(client, rec)
    assert 'id="sign-password"' in html and 'id="sign-blockers"' not in html
    cs = db.session.execute(select(CustomerSignature)).scalar_one()
    assert f"/customer-signatures/{cs.id}" in html and "陈建国" in html and "屏幕手写签名" in html
    image = client.get(f"/customer-signatures/{cs.id}")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")
    # The record's history says who captured it.
    assert "已记录客户签名" in html


def test_bad_captures_show_their_messages_in_chinese_and_save_nothing(app, client):
    clerk, tech = F.user("clerk"), F.user("technician")
    rec = order(clerk)
    F.login(client, clerk)
    resp = _capture(client, rec, mode="drawn", customer_name="", signature=data_url(drawing(ink=False)))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "请填写客户姓名" in html and "签名框为空或只有一个点" in html
    resp = client.post(f"/r/{CODE}/{rec.id}/customer-signature", data={
        "mode": "scan", "customer_name": "陈建国", "file": (io.BytesIO(b"hello"), "notes.txt"),
        "csrf_token": F.csrf(client, f"/r/{CODE}/{rec.id}")}, content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "PNG、JPEG 图片或 PDF" in html and 'id="cs-scan" open' in html
    resp = _capture(client, rec, mode="refused", customer_name="陈建国", reason="", witness=clerk.username,
                    witness_password=F.PASSWORD)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "请说明客户拒绝签名的原因" in html and "见证人须为他人" in html
    resp = _capture(client, rec, mode="refused", customer_name="陈建国", reason="不同意收费", witness=tech.username,
                    witness_password="wrong")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "见证人密码不正确" in html and "不同意收费" in html  # typed text kept
    assert _count() == 0
    resp = _capture(client, rec, mode="refused", customer_name="陈建国", reason="不同意收费", witness=tech.username,
                    witness_password=F.PASSWORD)
    assert resp.status_code == 302 and _count() == 1
    html = _page(client, rec)
    assert "客户拒绝签名" in html and tech.full_name in html and 'id="sign-password"' in html


def test_people_who_cannot_sign_the_step_see_no_capture_and_others_cannot_read_the_file(app, client):
    clerk = F.user("clerk")
    rec = order(clerk)
    F.login(client, clerk)
    _capture(client, rec, mode="drawn", customer_name="陈建国", signature=data_url(drawing()))
    cs = db.session.execute(select(CustomerSignature)).scalar_one()
    outsider = F.user("clerk", "TDD")
    other = app.test_client()
    F.login(other, outsider)
    assert other.get(f"/customer-signatures/{cs.id}").status_code == 403
    head = F.user("department_head")
    F.login(other, head)
    html = other.get(f"/r/{CODE}/{rec.id}").get_data(as_text=True)
    assert 'id="cs-draw-form"' in html  # a head may sign the step, so may capture
    tech = F.user("technician", "TDD")
    F.login(other, tech)
    assert other.post(f"/r/{CODE}/{rec.id}/customer-signature", data={
        "mode": "drawn", "customer_name": "x", "signature": data_url(drawing()),
        "csrf_token": F.csrf(other, "/")}).status_code == 403


def test_the_api_takes_a_drawing_a_scan_or_a_refusal(app, client):
    clerk, tech, head = F.user("clerk"), F.user("technician"), F.user("department_head")
    rec = order(clerk)
    h = token_for(clerk)
    url = f"/api/v1/records/{rec.id}/customer-signature"
    assert client.post(f"/api/v1/records/{rec.id}/sign", json={"password": F.PASSWORD}, headers=h).status_code == 422
    bad = [
        ({"kind": "drawn", "customer_name": "陈建国", "signature": data_url(drawing(ink=False))}, "signature"),
        ({"kind": "drawn", "customer_name": "陈建国", "signature": base64.b64encode(jpeg()).decode()}, "signature"),
        ({"kind": "drawn", "customer_name": "陈建国", "signature": 12}, "signature"),
        ({"kind": "drawn", "customer_name": None, "signature": data_url(drawing())}, "customer_name"),
        ({"kind": "drawn", "customer_name": "陈建国",
          "signature": base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024)).decode()}, "signature"),
        ({"kind": "refused", "customer_name": "陈建国", "reason": "", "witness": tech.username,
          "witness_password": F.PASSWORD}, "reason"),
        ({"kind": "refused", "customer_name": "陈建国", "reason": "拒签", "witness": clerk.username,
          "witness_password": F.PASSWORD}, "witness"),
        ({"kind": "refused", "customer_name": "陈建国", "reason": "拒签", "witness": tech.username,
          "witness_password": "wrong"}, "witness_password"),
        ({"kind": "stamp"}, "kind"),
    ]
    for body, field in bad:
        resp = client.post(url, json=body, headers=h)
        assert resp.status_code == 422 and field in resp.json["fields"], (body.get("kind"), resp.json)
    resp = client.post(url, data={"customer_name": "陈建国", "file": (io.BytesIO(b"%PDF-1.4 x"), "page.pdf")},
                       headers=h, content_type="multipart/form-data")
    assert resp.status_code == 422 and "file" in resp.json["fields"]
    assert _count() == 0
    resp = client.post(url, data={"customer_name": "陈建国", "file": (io.BytesIO(pdf_page()), "工单.pdf")},
                       headers=h, content_type="multipart/form-data")
    assert resp.status_code == 201 and resp.json["kind"] == "scan" and resp.json["content_type"] == "application/pdf"
    resp = client.post(url, json={"kind": "drawn", "customer_name": "陈建国", "signature": data_url(drawing())},
                       headers=h)
    assert resp.status_code == 201 and resp.json["kind"] == "drawn" and len(resp.json["sha256"]) == 64
    drawn = resp.json
    got = client.get(drawn["file"], headers=h)
    assert got.status_code == 200 and got.data.startswith(b"\x89PNG")
    record = client.get(f"/api/v1/records/{rec.id}", headers=h).json
    assert [(c["kind"], c["counts"]) for c in record["customer_signatures"]] == [("scan", False), ("drawn", True)]
    resp = client.post(f"/api/v1/records/{rec.id}/sign", json={"password": F.PASSWORD}, headers=h)
    assert resp.status_code == 200 and resp.json["current_step"] == "review"
    assert all(s["valid"] for s in resp.json["signatures"])
    # Nothing waits for the customer at the review.
    resp = client.post(url, json={"kind": "drawn", "customer_name": "陈建国", "signature": data_url(drawing())},
                       headers=token_for(head))
    assert resp.status_code == 409
    # A form without customer signatures has no such key (and costs no query).
    other = F.record(clerk, "TEST-REC")
    assert "customer_signatures" not in client.get(f"/api/v1/records/{other.id}", headers=h).json


def test_the_api_records_a_witnessed_refusal(app, client):
    clerk, tech = F.user("clerk"), F.user("technician", name="李见证")
    rec = order(clerk)
    resp = client.post(f"/api/v1/records/{rec.id}/customer-signature", headers=token_for(clerk), json={
        "kind": "refused", "customer_name": "陈建国", "reason": "客户不认可施工时间", "witness": tech.username,
        "witness_password": F.PASSWORD})
    assert resp.status_code == 201 and resp.json["witness"] == tech.id and resp.json["file"] is None
    assert client.post(f"/api/v1/records/{rec.id}/sign", json={"password": F.PASSWORD},
                       headers=token_for(tech)).status_code == 422  # the witness does not sign the step
    assert client.post(f"/api/v1/records/{rec.id}/sign", json={"password": F.PASSWORD},
                       headers=token_for(clerk)).status_code == 200


def test_the_full_screen_signing_page(app, client):
    """At a counter the device is handed to the customer: what they sign, and a large box."""
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = order(clerk)
    F.login(client, clerk)
    html = client.get(f"/r/{CODE}/{rec.id}/customer-signature").get_data(as_text=True)
    assert "请核对签名所确认的内容" in html and "新装宽带一条" in html and "已开通" in html
    assert 'name="_screen"' in html and 'id="cs-canvas"' in html and "<script>" not in html
    resp = client.post(f"/r/{CODE}/{rec.id}/customer-signature", data={
        "mode": "drawn", "_screen": "1", "customer_name": "", "signature": data_url(drawing(ink=False)),
        "csrf_token": F.csrf(client, f"/r/{CODE}/{rec.id}")})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "请核对签名所确认的内容" in html and "签名框为空或只有一个点" in html
    assert _count() == 0
    _capture(client, rec, mode="drawn", customer_name="陈建国", signature=data_url(drawing()))
    client.post(f"/r/{CODE}/{rec.id}/sign", data={"password": F.PASSWORD,
                                                  "csrf_token": F.csrf(client, f"/r/{CODE}/{rec.id}")})
    F.login(client, head)  # the review declares no customer signature: back to the record
    resp = client.get(f"/r/{CODE}/{rec.id}/customer-signature")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/r/{CODE}/{rec.id}")
