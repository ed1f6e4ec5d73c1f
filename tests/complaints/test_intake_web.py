"""The complaint/inquiry form on the web and the API: bad input refused field by field (422), the
customer's earlier complaints on the record page, a nonconformity raised from a complaint (CA-01
source ``complaint``), and the written reply to the 180 centre as a PDF with its Chinese font.
covers: CS-01, CS-02, CS-03, CS-12, CA-01"""
import subprocess

import pytest
from sqlalchemy import func, select

from qms.extensions import db
from qms.records.models import Record
from tests import factories as F
from tests.complaints.intake_helpers import BASE, handle, submitted
from tests.support.api import token_for
from tests.support.clock import clock


@pytest.mark.parametrize("values, field", [
    ({"channel": "c180"}, "c180_ticket"),
    ({"channel": "c180", "c180_ticket": "180 票 #1"}, "c180_ticket"),
    ({"phone_number": "abc"}, "phone_number"),
    ({"phone_number": "12"}, "phone_number"),
    ({"outcome": "on_spot", "handling_department": None, "cause": None}, "on_spot_answer"),
    ({"repeat_claim": "repeat"}, "repeat_claim_reason"),
])
def test_cs03_cs01_bad_complaints_are_422_with_field_messages_and_nothing_written(app, client, values, field):
    clock(12, 1, 10)
    h = token_for(F.user("clerk", "CSD"))
    body = {k: v for k, v in {**BASE, **values}.items() if v is not None}
    resp = client.post("/api/v1/forms/CS-INQ/records", json={"values": body}, headers=h)
    assert resp.status_code == 422 and field in resp.json["fields"], resp.json
    assert db.session.execute(select(func.count()).select_from(Record)).scalar() == 0


def test_cs02_told_before_received_is_422_on_the_api(app, client):
    clock(12, 1, 10)
    rec = submitted(F.user("clerk", "CSD"))
    h = token_for(F.user("clerk", "BIL"))
    resp = client.patch(f"/api/v1/records/{rec.id}", headers=h, json={"values": {
        "handling": "已核查", "told_how": "phone", "told_at": "2026-11-30T08:00"}})
    assert resp.status_code == 422 and "told_at" in resp.json["fields"]
    # The deadlines are read-only: the API says so and ignores what is sent.
    doc = client.get("/api/v1/forms/CS-INQ", headers=h).json
    fields = {f["name"]: f for f in doc["fields"]}
    assert fields["reply_due_at"].get("computed") and fields["repeat"].get("computed")


def test_cs12_the_record_page_lists_the_customers_earlier_complaints_newest_first(app, client):
    clock(12, 1, 10)
    csd = F.user("clerk", "CSD")
    older = submitted(csd, received_at="2026-11-02T09:00")
    newer = submitted(csd, received_at="2026-11-20T09:00", phone_number="0756 221 2345")
    stranger = submitted(csd, phone_number="13800138000")
    rec = submitted(csd, received_at="2026-12-01T09:30")
    F.login(client, csd)
    html = client.get(f"/r/CS-INQ/{rec.id}").get_data(as_text=True)
    part = html.split('id="earlier-complaints"')[1].split("</div>\n  </div>")[0]
    assert part.index(newer.number) < part.index(older.number) and stranger.number not in part
    assert f"/r/CS-INQ/{newer.id}" in part
    assert 'id="repeat-verdict"' in html and "重复投诉" in html  # the older one was never answered in time


def test_ca01_the_company_fault_raises_a_nonconformity_from_the_complaint_page(app, client):
    clock(12, 1, 10)
    csd, bil = F.user("clerk", "CSD"), F.user("clerk", "BIL")
    rec = submitted(csd)
    handle(rec, bil, company_fault="y", handling="营业员错办套餐，已更正")
    F.login(client, csd)
    page = f"/r/CS-INQ/{rec.id}"
    assert 'id="raise-nc"' in client.get(page).get_data(as_text=True)
    url = f"/complaints/intake/{rec.id}/nonconformity"
    bad = client.post(url, data={"csrf_token": F.csrf(client, page), "department": "NOPE", "severity": "general",
                                 "description": "x"})
    assert bad.status_code == 302 and db.session.execute(
        select(func.count()).select_from(Record).where(Record.form_code == "CA-NC")).scalar() == 0
    resp = client.post(url, data={"csrf_token": F.csrf(client, page), "department": "BIL", "severity": "general",
                                  "description": "营业员错办套餐"})
    db.session.expire_all()
    nc = db.session.execute(select(Record).where(Record.form_code == "CA-NC")).scalar_one()
    assert resp.headers["Location"].endswith(f"/r/CA-NC/{nc.id}")
    assert nc.values["source"] == "complaint" and nc.values["source_record"] == rec.id and nc.number
    assert nc.department.code == "BIL"
    assert nc.number in client.get(page).get_data(as_text=True)  # listed on the complaint's panel


def test_cs03_the_written_reply_to_the_180_centre_prints_in_chinese(app, client, tmp_path):
    clock(12, 1, 10)
    csd, bil = F.user("clerk", "CSD"), F.user("clerk", "BIL", name="王核算")
    rec = submitted(csd, channel="c180", c180_ticket="180-20261201-007")
    F.login(client, csd)
    assert client.get(f"/complaints/intake/{rec.id}/reply-180.pdf").status_code == 404  # not handled yet
    handle(rec, bil, c180_reply="经核查系计费数据错误，已退还多收话费 12.50 元。")
    html = client.get(f"/r/CS-INQ/{rec.id}").get_data(as_text=True)
    assert 'id="reply-180"' in html
    resp = client.get(f"/complaints/intake/{rec.id}/reply-180.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pdf = tmp_path / "reply.pdf"
    pdf.write_bytes(resp.data)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYi" in fonts or "NotoSansCJK" in fonts or "Noto Sans CJK" in fonts, fonts
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "180-20261201-007" in text and "退还多收话费" in text and "王核算" in text
    other = F.user("clerk", "TDD")
    F.login(client, other)
    assert client.get(f"/complaints/intake/{rec.id}/reply-180.pdf").status_code in (403, 404)
