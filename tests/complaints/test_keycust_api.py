"""Bad input on the key-customer service record through the API (CS-04): a due date typed (there is
none to type: the limit is worked out), an unknown department, a department notified twice, a
completion before the notice — each a field message and 422, nothing saved.
covers: CS-04"""
from sqlalchemy import func, select

from qms.core import timeutil
from qms.extensions import db
from qms.records.models import Record
from tests.complaints.keycust_helpers import KEY, People, key_service, listed
from tests.support.api import token_for
from tests.support.clock import at

VALUES = {**KEY, "phone_number": "0756-3318888", "request_type": "billing", "target_department": "BIL"}


def _count():
    return db.session.execute(select(func.count()).select_from(Record).where(Record.form_code == "CS-KEY")).scalar()


def test_cs04_bad_input_is_refused_on_its_field_with_422(app, client):
    p = People()
    listed(p.clerk)
    timeutil.set_clock(at(11, 20, 11))
    headers = token_for(p.clerk)
    post = lambda values: client.post("/api/v1/forms/CS-KEY/records", json={"values": values}, headers=headers)  # noqa: E731
    resp = post({**VALUES, "limit_days": 30})
    assert resp.status_code == 201 and resp.json["values"]["limit_days"] == 1  # a sent limit is not read
    before = _count()
    cases = {
        "due_on": {**VALUES, "due_on": "2026-11-19"},  # no due date to type: it is worked out
        "target_department": {**VALUES, "target_department": "XYZ"},
        "also_notify": {**VALUES, "also_notify": ["BIL", "TSD"]},  # the department to act, twice
        "notified_at": {**VALUES, "notified_at": "2026-11-21T10:00"},  # a notice not yet sent
    }
    for field, values in cases.items():
        resp = post(values)
        assert resp.status_code == 422 and field in resp.json["fields"], (field, resp.json)
        assert resp.json["fields"][field][0]
    resp = post({**VALUES, "also_notify": ["NOPE"]})
    assert resp.status_code == 422 and "also_notify" in resp.json["fields"]
    assert _count() == before  # nothing half-saved


def test_cs04_a_completion_before_the_notice_is_refused(app, client):
    p = People()
    listed(p.clerk)
    rec = key_service(p.clerk)
    timeutil.set_clock(at(11, 22))
    headers = token_for(p.tsd)
    resp = client.patch(f"/api/v1/records/{rec.id}", headers=headers,
                        json={"values": {"completed_at": "2026-11-19T10:00", "result": "已处理"}, "version": rec.version})
    assert resp.status_code == 422 and "completed_at" in resp.json["fields"]
    resp = client.patch(f"/api/v1/records/{rec.id}", headers=headers,
                        json={"values": {"completed_at": "2026-11-21T10:00", "result": "已处理"}, "version": rec.version})
    assert resp.status_code == 200
    resp = client.post(f"/api/v1/records/{rec.id}/sign", headers=headers, json={"password": "correct-horse-42"})
    assert resp.status_code == 200 and resp.json["status"] == "closed"
