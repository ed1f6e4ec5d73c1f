"""JSON API: bearer tokens, same policy, field-level 422s, OpenAPI document."""
import pytest
from sqlalchemy import func, select

from qms.extensions import db
from qms.records.models import Record
from tests import factories as F
from tests.support.api import token_for


def test_token_from_the_cli(app):
    u = F.user("clerk")
    result = app.test_cli_runner().invoke(args=["token", "create", u.username])
    assert result.exit_code == 0 and result.output.startswith("qms_")
    resp = app.test_client().get("/api/v1/forms", headers={"Authorization": "Bearer " + result.output.strip()})
    assert resp.status_code == 200 and any(f["code"] == "TEST-REC" for f in resp.json["forms"])


def test_no_or_bad_token_is_401_json(app, client):
    assert client.get("/api/v1/forms").status_code == 401
    resp = client.get("/api/v1/forms", headers={"Authorization": "Bearer nope"})
    assert resp.status_code == 401 and resp.json["error"]


def test_full_flow_over_the_api(app, client):
    clerk, head = F.user("clerk"), F.user("department_head")
    h, hh = token_for(clerk), token_for(head)
    resp = client.post("/api/v1/forms/TEST-REC/records", json={"values": F.REC}, headers=h)
    assert resp.status_code == 201, resp.json
    rid = resp.json["id"]
    resp = client.patch(f"/api/v1/records/{rid}", json={"values": {"content": "补充说明"}, "version": resp.json["version"]}, headers=h)
    assert resp.status_code == 200 and resp.json["values"]["content"] == "补充说明"
    assert client.post(f"/api/v1/records/{rid}/sign", json={"password": "bad"}, headers=h).status_code == 422
    resp = client.post(f"/api/v1/records/{rid}/sign", json={"password": F.PASSWORD}, headers=h)
    assert resp.status_code == 200 and resp.json["status"] == "in_progress" and resp.json["number"]
    resp = client.patch(f"/api/v1/records/{rid}", json={"values": {"content": "x"}}, headers=h)
    assert resp.status_code == 422 and "content" in resp.json["fields"]  # signed at submission
    resp = client.patch(f"/api/v1/records/{rid}", json={"values": {"handling": "已答复"}}, headers=h)
    assert resp.status_code == 200 and resp.json["values"]["handling"] == "已答复"
    assert client.post(f"/api/v1/records/{rid}/sign", json={"password": F.PASSWORD}, headers=h).status_code == 200
    resp = client.post(f"/api/v1/records/{rid}/sign", json={"password": F.PASSWORD}, headers=hh)
    assert resp.json["status"] == "closed" and all(s["valid"] for s in resp.json["signatures"])
    resp = client.post(f"/api/v1/records/{rid}/amend", json={"reason": "更正"}, headers=hh)
    assert resp.status_code == 201 and resp.json["amended_from"] == rid
    resp = client.post(f"/api/v1/records/{resp.json['id']}/void", json={"reason": ""}, headers=hh)
    assert resp.status_code == 422 and "reason" in resp.json["fields"]
    lst = client.get("/api/v1/forms/TEST-REC/records?limit=1", headers=hh).json
    assert len(lst["records"]) == 1 and lst["next"]


@pytest.mark.parametrize("body, field", [
    ({"values": {**F.REC, "customer_name": None}}, "customer_name"),
    ({"values": {**F.REC, "reply_due_on": "2026-02-30"}}, "reply_due_on"),
    ({"values": {**F.REC, "channel": "pigeon"}}, "channel"),
    ({"values": {**F.REC, "customer_informed": "yes"}}, "customer_informed"),
    ({"values": {**F.REC, "extra": 1}}, "extra"),
    ({"values": "not an object"}, "values"),
    ({"values": {**F.REC, "content": "x" * 5000}}, "content"),
])
def test_bad_values_are_422_with_field_messages_and_nothing_written(app, client, body, field):
    h = token_for(F.user("clerk"))
    resp = client.post("/api/v1/forms/TEST-REC/records", json=body, headers=h)
    assert resp.status_code == 422 and field in resp.json["fields"], resp.json
    assert db.session.execute(select(func.count()).select_from(Record)).scalar() == 0


def test_non_json_body_and_unknowns(app, client):
    h = token_for(F.user("clerk"))
    resp = client.post("/api/v1/forms/TEST-REC/records", data="{{", headers={**h, "Content-Type": "application/json"})
    assert resp.status_code == 422 and "body" in resp.json["fields"]
    assert client.get("/api/v1/records/999999", headers=h).status_code == 404
    assert client.get("/api/v1/forms/NOPE/records", headers=h).status_code == 404


def test_same_policy_as_the_web(app, client):
    rec = F.record(F.user("clerk", "CSD"), "TEST-REC")
    outsider = token_for(F.user("clerk", "TDD"))
    assert client.get(f"/api/v1/records/{rec.id}", headers=outsider).status_code == 403
    tech = token_for(F.user("technician", "TDD"))
    assert client.post("/api/v1/forms/TEST-REC/records", json={"values": F.REC}, headers=tech).status_code == 403


def test_openapi_document(app, client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.") and "/api/v1/forms/{code}/records" in doc["paths"]
    from openapi_spec_validator import validate
    validate(doc)


def test_attachments_over_the_api(app, client):
    import hashlib
    import io
    clerk = F.user("clerk")
    h = token_for(clerk)
    rec = F.record(clerk, "TEST-REC")
    data = b"%PDF-1.4\n%%EOF\n"
    resp = client.post(f"/api/v1/records/{rec.id}/attachments", headers=h,
                       data={"file": (io.BytesIO(data), "检验报告.pdf")}, content_type="multipart/form-data")
    assert resp.status_code == 201 and resp.json["sha256"] == hashlib.sha256(data).hexdigest()
    got = client.get(f"/api/v1/attachments/{resp.json['id']}", headers=h)
    assert got.data == data and got.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/api/v1/records/{rec.id}", headers=h).json["attachments"][0]["filename"] == "检验报告.pdf"
    resp = client.post(f"/api/v1/records/{rec.id}/attachments", headers=h,
                       data={"file": (io.BytesIO(b"MZ"), "x.exe")}, content_type="multipart/form-data")
    assert resp.status_code == 422 and "file" in resp.json["fields"]
    app.config["MAX_CONTENT_LENGTH"] = 100
    resp = client.post(f"/api/v1/records/{rec.id}/attachments", headers=h,
                       data={"file": (io.BytesIO(b"%PDF-" + b"x" * 500), "big.pdf")}, content_type="multipart/form-data")
    assert resp.status_code == 413 and resp.json["status"] == 413
