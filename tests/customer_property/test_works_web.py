"""Self-built works on the web and the API (CP-05): the gate refuses opening service before a
passing round (a message beside the field on the page, 422 on the API); the agreement page opens a
round with the default checklist only once the documents are attached; the rectification letter is
a numbered PDF listing the failed items and the deadline.
covers: CP-05, CP-02"""
import io
import re
import subprocess

import pytest
from sqlalchemy import func, select

from qms.customer_property import register as reg
from qms.customer_property import works
from qms.extensions import db
from qms.records.models import Attachment, Record
from tests import factories as F
from tests.customer_property import works_helpers as W
from tests.records.customer_sign_helpers import pdf_page
from tests.support.api import token_for


@pytest.fixture
def p(app):
    return W.People()


def _rounds():
    return db.session.execute(select(func.count()).select_from(Record).where(Record.form_code == works.ROUND)).scalar()


def test_cp05_the_gate_refuses_opening_service_before_a_pass_on_the_web_and_the_api(p, client):
    rec = W.agreement(p)
    item = works.works_item(rec)
    F.login(client, p.clerk)
    page = client.get(f"/r/CP-WORKS/{rec.id}").get_data(as_text=True)
    assert 'id="works-panel"' in page and item.code in page and "登记待检" in page
    edit = client.get(f"/r/CP-WORKS/{rec.id}/edit")
    resp = client.post(f"/r/CP-WORKS/{rec.id}/edit", data={
        "works_item": item.code, "opened_on": "2026-11-20", "csrf_token": F.csrf_from(edit.get_data(as_text=True)),
        "_version": str(rec.version)})
    html = resp.get_data(as_text=True)
    assert f"{item.code} 不得接入网络或开通业务" in html
    db.session.refresh(rec)
    assert rec.values.get("works_item") is None
    h = token_for(p.clerk)
    resp = client.patch(f"/api/v1/records/{rec.id}", headers=h,
                        json={"values": {"works_item": item.code, "opened_on": "2026-11-20"}})
    assert resp.status_code == 422 and item.code in resp.json["fields"]["works_item"][0]
    W.closed_round(p, rec, fail=("标识",))
    resp = client.patch(f"/api/v1/records/{rec.id}", headers=h,
                        json={"values": {"works_item": item.code, "opened_on": "2026-11-20"}})
    assert resp.status_code == 422 and "整改" in resp.json["fields"]["works_item"][0]
    W.closed_round(p, rec, accepted_on="2026-11-18")
    resp = client.patch(f"/api/v1/records/{rec.id}", headers=h,
                        json={"values": {"works_item": item.code, "opened_on": "2026-11-20"}})
    assert resp.status_code == 200, resp.json
    resp = client.post(f"/api/v1/records/{rec.id}/sign", headers=h, json={"password": F.PASSWORD})
    assert resp.status_code == 200 and resp.json["status"] == "closed"
    assert item.state == reg.IN_USE


def test_cp05_the_agreement_page_takes_the_documents_and_opens_a_round_with_the_checklist(p, client):
    rec = W.agreement(p, documents=False)
    F.login(client, p.tech)
    page = client.get(f"/r/CP-WORKS/{rec.id}").get_data(as_text=True)
    assert 'id="open-round"' not in page and 'id="round-why-not"' in page
    token = F.csrf_from(page)
    resp = client.post(f"/customer-property/works/{rec.id}/rounds", data={"csrf_token": token})
    assert resp.status_code == 302 and _rounds() == 0  # refused: the documents are missing
    F.login(client, p.clerk)
    token = F.csrf(client, f"/r/CP-WORKS/{rec.id}")
    for kind in works.DOCUMENTS:
        resp = client.post(f"/customer-property/works/{rec.id}/documents/{kind}", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(pdf_page()), "scan.pdf")})
        assert resp.status_code == 302
    names = db.session.execute(select(Attachment.filename).where(Attachment.record_id == rec.id)).scalars().all()
    assert sorted(names) == ["测试报告-scan.pdf", "设计文件-scan.pdf"]
    F.login(client, p.tech)
    page = client.get(f"/r/CP-WORKS/{rec.id}").get_data(as_text=True)
    assert 'id="open-round"' in page
    resp = client.post(f"/customer-property/works/{rec.id}/rounds", data={"csrf_token": F.csrf_from(page)})
    assert resp.status_code == 302 and "/edit" in resp.headers["Location"]
    rnd = db.session.execute(select(Record).where(Record.form_code == works.ROUND)).scalar_one()
    assert [r["item"] for r in rnd.values["items"]] == [r["item"] for r in works.default_checklist()]
    assert rnd.values["result"] == "open" and rnd.status == "draft"
    assert client.get(f"/r/CP-WORKS-ACC/{rnd.id}/edit").status_code == 200


def _text(data: bytes, tmp_path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts or "Noto" in fonts
    return re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout)


def test_cp05_the_rectification_letter_is_numbered_and_lists_the_failed_items(p, client, tmp_path):
    rec = W.agreement(p)
    failed = W.closed_round(p, rec, fail=("接地与防雷", "环路电阻"), conclusion="接地电阻实测 12Ω,超过设计值。")
    F.login(client, p.clerk)
    page = client.get(f"/r/CP-WORKS-ACC/{failed.id}").get_data(as_text=True)
    assert 'id="print-letter"' in page and works.letter_number(failed) in page
    resp = client.get(f"/customer-property/works/rounds/{failed.id}/letter.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = _text(resp.data, tmp_path)
    assert "整改通知函" in text and f"ZG-{failed.number}" in text and rec.number in text
    assert "接地与防雷" in text and "环路电阻" in text and "绝缘电阻" not in text  # only the failed items
    assert "2026-12-10" in text and "珠海海天贸易有限公司" in text and "第1次验收" in text
    passed = W.closed_round(p, rec, accepted_on="2026-11-25")
    assert client.get(f"/customer-property/works/rounds/{passed.id}/letter.pdf").status_code == 404
