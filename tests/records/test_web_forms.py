"""The web form from the declaration: field messages in the user's language, optimistic locking."""
from sqlalchemy import func, select

from qms.extensions import db
from qms.records.models import Record
from tests import factories as F


def _post_new(client, data):
    return client.post("/r/TEST-REC/new", data={**data, "csrf_token": F.csrf(client, "/r/TEST-REC/new")})


def test_missing_and_malformed_values_are_field_messages_and_nothing_is_written(app, client):
    F.login(client, F.user("clerk"))
    bad = {**F.REC, "customer_name": "", "phone_number": "abc", "reply_due_on": "2026-13-45",
           "channel": "carrier-pigeon", "received_at": "yesterday"}
    resp = _post_new(client, bad)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert html.count('class="error"') >= 5
    assert "此项为必填项" in html
    assert db.session.execute(select(func.count()).select_from(Record)).scalar() == 0


def test_valid_input_creates_a_draft(app, client):
    F.login(client, F.user("clerk"))
    resp = _post_new(client, F.REC)
    assert resp.status_code == 302
    rec = db.session.execute(select(Record)).scalar_one()
    assert rec.values["customer_name"] == "陈建国" and rec.status == "draft"


def test_english_messages_for_english_users(app, client):
    F.login(client, F.user("clerk"))
    client.post("/language/en", data={"csrf_token": F.csrf(client, "/"), "next": "/"})
    html = _post_new(client, {**F.REC, "customer_name": ""}).get_data(as_text=True)
    assert "This field is required." in html


def test_optimistic_locking_conflict_loses_nothing(app, client):
    clerk = F.user("clerk")
    rec = F.record(clerk, "TEST-REC")
    F.login(client, clerk)
    page = client.get(f"/r/TEST-REC/{rec.id}/edit").get_data(as_text=True)
    token = F.csrf_from(page)
    stale_version = rec.version
    # Another user saves first.
    other = app.test_client()
    F.login(other, clerk)
    other.post(f"/r/TEST-REC/{rec.id}/edit", data={**F.REC, "content": "他人的修改", "_version": stale_version,
                                                  "csrf_token": F.csrf(other, f"/r/TEST-REC/{rec.id}/edit")})
    resp = client.post(f"/r/TEST-REC/{rec.id}/edit", data={**F.REC, "content": "我的修改", "_version": stale_version,
                                                          "csrf_token": token})
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    assert "我的修改" in html and "他人的修改" in html  # my input kept, their change shown
    db.session.expire_all()
    assert db.session.get(Record, rec.id).values["content"] == "他人的修改"


def test_signing_from_the_page_needs_the_password(app, client):
    clerk = F.user("clerk")
    rec = F.record(clerk, "TEST-REC")
    F.login(client, clerk)
    token = F.csrf(client, f"/r/TEST-REC/{rec.id}")
    html = client.post(f"/r/TEST-REC/{rec.id}/sign", data={"password": "wrong", "csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "密码不正确" in html
    html = client.post(f"/r/TEST-REC/{rec.id}/sign", data={"password": F.PASSWORD, "csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "签名有效" in html


def test_one_clear_message_per_bad_value(app, client):
    F.login(client, F.user("technician", "TDD"))
    resp = client.post("/r/TEST-TYPES/new", data={"csrf_token": F.csrf(client, "/r/TEST-TYPES/new"), "material": "光缆",
                                             "quantity": "1.5", "arrived_on": "2026/11/20", "requesting_department": "x",
                                             "inspected_on": "2026-11-19", "result": "accepted"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "YYYY-MM-DD" in html  # the expected date format is named
    assert "必须介于" not in html  # no misleading range message for an unreadable number


def test_sending_the_same_new_form_twice_makes_one_record(app, client):
    import re
    F.login(client, F.user("clerk"))
    page = client.get("/r/TEST-REC/new").get_data(as_text=True)
    nonce = re.search(r'name="_nonce" value="([^"]+)"', page).group(1)
    data = {**F.REC, "csrf_token": F.csrf_from(page), "_nonce": nonce}
    first = client.post("/r/TEST-REC/new", data=data)
    second = client.post("/r/TEST-REC/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.execute(select(func.count()).select_from(Record)).scalar() == 1
