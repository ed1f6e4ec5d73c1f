"""Attachments: SHA-256, size limit, type allow-list, downloaded as attachments.
covers: REC-02"""
import hashlib
import io

from sqlalchemy import select

from qms.core.audit import AuditEvent
from qms.extensions import db
from qms.records.models import Attachment
from tests import factories as F

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(client, rec, name, data):
    return client.post(f"/r/TEST-REC/{rec.id}/attachments", data={
        "csrf_token": F.csrf(client, f"/r/TEST-REC/{rec.id}"), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data", follow_redirects=True)


def test_upload_hash_and_download_as_attachment(app, client):
    clerk = F.user("clerk")
    rec = F.record(clerk, "TEST-REC")
    F.login(client, clerk)
    resp = _upload(client, rec, "证明材料.pdf", PDF)
    assert resp.status_code == 200
    att = db.session.execute(select(Attachment)).scalar_one()
    assert att.sha256 == hashlib.sha256(PDF).hexdigest() and att.size == len(PDF)
    assert att.filename == "证明材料.pdf"
    dl = client.get(f"/attachments/{att.id}")
    assert dl.status_code == 200 and dl.data == PDF
    assert dl.headers["Content-Disposition"].startswith("attachment")
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "attach")).scalar_one()


def test_disallowed_type_and_fake_content_are_refused(app, client):
    clerk = F.user("clerk")
    rec = F.record(clerk, "TEST-REC")
    F.login(client, clerk)
    html = _upload(client, rec, "run.exe", b"MZ\x90\x00").get_data(as_text=True)
    assert "不允许" in html or "not allowed" in html
    html = _upload(client, rec, "fake.pdf", b"<html>not a pdf</html>").get_data(as_text=True)
    assert "does not match" in html or "不符" in html
    assert db.session.execute(select(Attachment)).first() is None


def test_oversized_upload_is_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    clerk = F.user("clerk")
    rec = F.record(clerk, "TEST-REC")
    F.login(client, clerk)
    token = F.csrf(client, f"/r/TEST-REC/{rec.id}")
    resp = client.post(f"/r/TEST-REC/{rec.id}/attachments", data={
        "csrf_token": token, "file": (io.BytesIO(b"%PDF-" + b"x" * 5000), "big.pdf")},
        content_type="multipart/form-data")
    assert resp.status_code == 413
    assert db.session.execute(select(Attachment)).first() is None


def test_attachment_of_another_department_is_forbidden(app, client):
    clerk = F.user("clerk", "CSD")
    rec = F.record(clerk, "TEST-REC")
    F.login(client, clerk)
    _upload(client, rec, "a.pdf", PDF)
    att = db.session.execute(select(Attachment)).scalar_one()
    outsider = F.user("clerk", "TDD")
    other = app.test_client()  # FreshContextClient (set by the client fixture)
    F.login(other, outsider)
    assert other.get(f"/attachments/{att.id}").status_code == 403
    assert other.get("/attachments/999999").status_code == 404
