"""The everyday path in the engine: save and sign in one request, the next record waiting, defaults
that fill themselves, user pickers with one's own department first.
covers: REC-02"""
import re

import pytest
import yaml

from qms.core.audit import AuditEvent
from qms.extensions import db
from qms.records import spec as specs
from qms.records.models import Record
from qms.records.spec import SpecError, parse
from tests import factories as F
from tests.support.clock import clock
from tests.support.forms import MOCK_FORMS_DIR
from tests.support.records import sign


def _post_new(client, code, data, sign_it=True, password=F.PASSWORD):
    page = client.get(f"/r/{code}/new").get_data(as_text=True)
    nonce = re.search(r'name="_nonce" value="([^"]+)"', page).group(1)
    body = {**data, "csrf_token": F.csrf_from(page), "_nonce": nonce}
    if sign_it:
        body.update({"_sign": "1", "password": password})
    return client.post(f"/r/{code}/new", data=body)


def test_a_new_record_is_saved_and_signed_in_one_request(app, client):
    clerk = F.user("clerk", "CSD")
    F.login(client, clerk)
    page = client.get("/r/TEST-REC/new").get_data(as_text=True)
    assert 'id="save-and-sign"' in page and 'name="password"' in page
    resp = _post_new(client, "TEST-REC", F.REC)
    assert resp.status_code == 302 and "signed=1" in resp.headers["Location"]
    rec = db.session.execute(db.select(Record).where(Record.form_code == "TEST-REC")).scalar_one()
    assert rec.number and rec.status == "in_progress" and [s.step for s in rec.signatures] == ["submit"]
    assert 'id="next-waiting"' in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_a_wrong_password_keeps_everything_typed_and_saves_nothing(app, client):
    clerk = F.user("clerk", "CSD")
    F.login(client, clerk)
    resp = _post_new(client, "TEST-REC", {**F.REC, "customer_name": "林晓梅"}, password="wrong-password")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'value="林晓梅"' in html and "话费异常偏高" in html  # as typed
    assert "密码不正确" in html or "password is not correct" in html
    assert db.session.execute(db.select(Record).where(Record.form_code == "TEST-REC")).first() is None
    failed = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "signature_failed")).scalars().all()
    assert [(e.object_type, e.object_id) for e in failed] == [("form", "TEST-REC")]


def test_signing_needs_the_steps_fields_and_saves_nothing_without_them(app, client):
    clerk = F.user("clerk", "CSD")
    F.login(client, clerk)
    resp = _post_new(client, "TEST-REC", {**F.REC, "content": ""})
    assert resp.status_code == 422
    assert db.session.execute(db.select(Record).where(Record.form_code == "TEST-REC")).first() is None


def test_a_later_step_is_filled_and_signed_in_one_request_then_next(app, client):
    clerk, head = F.user("clerk", "CSD"), F.user("department_head", "CSD")
    first, second = F.record(clerk, "TEST-REC"), F.record(clerk, "TEST-REC", customer_name="周末")
    for rec in (first, second):
        sign(rec, clerk)
        F.handled(rec, clerk)
    F.login(client, head)
    # The head reviews: the review step has no fields, so it is signed on the record page; "next"
    # then leads to the other record waiting for the head.
    page = client.get(f"/r/TEST-REC/{first.id}").get_data(as_text=True)
    resp = client.post(f"/r/TEST-REC/{first.id}/sign", data={"password": F.PASSWORD, "csrf_token": F.csrf_from(page)})
    assert resp.status_code == 302
    nxt = client.get(f"/next?after={first.id}")
    assert nxt.status_code == 302 and nxt.headers["Location"].endswith(f"/r/TEST-REC/{second.id}")
    # A clerk filling the handling step of a new record signs it in the same request.
    third = F.record(clerk, "TEST-REC", customer_name="陈建国")
    sign(third, clerk)
    F.login(client, clerk)
    page = client.get(f"/r/TEST-REC/{third.id}/edit").get_data(as_text=True)
    assert 'id="save-and-sign"' in page
    resp = client.post(f"/r/TEST-REC/{third.id}/edit", data={
        "handling": "已答复", "customer_informed": "y", "_version": re.search(r'name="_version" value="(\d+)"', page).group(1),
        "_sign": "1", "password": F.PASSWORD, "csrf_token": F.csrf_from(page)})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    db.session.expire_all()
    third = db.session.get(Record, third.id)
    assert third.current_step == "review" and third.values["handling"] == "已答复"
    # With nothing else waiting, "next" goes home.
    assert client.get(f"/next?after={third.id}").headers["Location"].endswith("/")


def test_defaults_fill_themselves_for_the_person_filling_in(app, client):
    clock(11, 20, 9)
    tech = F.user("technician", "TDD", name="李强")
    F.user("clerk", "CSD", name="王静")
    F.login(client, tech)
    html = client.get("/r/TEST-DEFAULTS/new").get_data(as_text=True)
    assert 'value="2026-11-20T09:00"' in html  # now
    assert 'value="2026-11-21T09:00"' in html  # +24h
    assert 'value="2026-11-20"' in html and 'value="2026-11-23"' in html  # today, +3d
    assert re.search(rf'<option selected value="{tech.id}">|<option value="{tech.id}" selected', html)  # me
    assert re.search(r'<option selected value="TDD">|<option value="TDD" selected', html)  # my department
    assert 'value="2"' in html
    # The user picker lists the technician's own department first.
    options = re.findall(r'<option[^>]*>([^<]+)\(', html)
    assert options.index("李强 ") < options.index("王静 ")


def test_a_default_that_does_not_suit_the_field_is_refused(app):
    raw = yaml.safe_load((MOCK_FORMS_DIR / "TEST-DEFAULTS.yaml").read_text(encoding="utf-8"))
    bad = [dict(f) for f in raw["fields"]]
    bad[2]["default"] = "me"  # a date field
    with pytest.raises(SpecError, match=r"sent_on: default 'me' is for user fields"):
        parse({**raw, "fields": bad}, "TEST-DEFAULTS.yaml")
    bad = [dict(f) for f in raw["fields"]]
    bad[2]["default"] = "+24h"  # hours on a date
    with pytest.raises(SpecError, match=r"in hours is for datetime fields"):
        parse({**raw, "fields": bad}, "TEST-DEFAULTS.yaml")
    assert specs.get("TEST-DEFAULTS") is not None


def test_a_form_opened_from_a_record_takes_declared_values_from_it(app, client):
    clerk = F.user("clerk", "CSD")
    rec = F.record(clerk, "TEST-REC", customer_name="港湾实业")
    sign(rec, clerk)
    F.login(client, clerk)
    html = client.get(f"/r/TEST-LINK/new?source=%23{rec.id}").get_data(as_text=True)
    assert 'value="港湾实业"' in html
    assert 'value="港湾实业"' not in client.get("/r/TEST-LINK/new").get_data(as_text=True)
    raw = yaml.safe_load((MOCK_FORMS_DIR / "TEST-LINK.yaml").read_text(encoding="utf-8"))
    bad = [dict(f) for f in raw["fields"]]
    bad[-1]["default"] = {"from": "owner", "field": "customer_name"}  # not a link field
    with pytest.raises(SpecError, match="a default from a linked record"):
        parse({**raw, "fields": bad}, "TEST-LINK.yaml")


def test_a_default_follows_another_fields_choice(app, client):
    clock(11, 20, 9)
    clerk = F.user("clerk", "CSD")
    F.login(client, clerk)
    html = client.get("/r/TEST-DEFAULTS/new").get_data(as_text=True)
    # The clerk's department (CSD) is chosen by default: the "else" limit, a day later; the page
    # carries every choice's date for the script that follows the choice.
    field = re.search(r'<input[^>]*id="f_answer_by"[^>]*>', html).group(0)
    assert 'value="2026-11-21"' in field and 'data-default-by="department"' in field
    assert "2026-11-22" in field  # TDD's limit, in the map
    html = client.get("/r/TEST-DEFAULTS/new?department=TDD").get_data(as_text=True)
    assert 'value="2026-11-22"' in re.search(r'<input[^>]*id="f_answer_by"[^>]*>', html).group(0)
    raw = yaml.safe_load((MOCK_FORMS_DIR / "TEST-DEFAULTS.yaml").read_text(encoding="utf-8"))
    bad = [dict(f) for f in raw["fields"]]
    bad[-1]["default"] = {"by": "department", "values": {"XYZ": "+1d"}}
    with pytest.raises(SpecError, match="unknown choices"):
        parse({**raw, "fields": bad}, "TEST-DEFAULTS.yaml")
    bad[-1]["default"] = {"by": "copies", "values": {}}
    with pytest.raises(SpecError, match="a default by another field"):
        parse({**raw, "fields": bad}, "TEST-DEFAULTS.yaml")
