"""Bad input anywhere is a field-level message, never a 500, and nothing half-written."""
import pytest
from sqlalchemy import func, select

from qms.auth.models import Department
from qms.extensions import db
from qms.records import spec as specs
from qms.records.models import Record
from tests import factories as F

GARBAGE = ["0026-11-22T10:00", "9999-12-31", "0001-01-01", "", " ", "x" * 5000, "\x00\x01", "-1e309", "9999-99-99", "<script>alert(1)</script>", "１２３", "NaN",
           "2026-02-30T25:61", "' OR 1=1 --"]


@pytest.mark.parametrize("junk", GARBAGE)
def test_every_declared_form_refuses_garbage_cleanly(app, client, junk):
    heads = {}  # a head of a department that may create each form (some forms name theirs)
    for spec in specs.all_specs():
        if "department_head" not in spec.permissions["create"]:
            continue
        dept = (spec.create_departments or ("CSD",))[0]
        if dept not in heads:
            heads[dept] = F.user("department_head", dept)
        F.login(client, heads[dept])
        data = {f.name: junk for f in spec.fields}
        data["csrf_token"] = F.csrf(client, f"/r/{spec.code}/new")
        resp = client.post(f"/r/{spec.code}/new", data=data)
        assert resp.status_code in (302, 422), (spec.code, junk, resp.status_code)
        if resp.status_code == 422:
            assert 'class="error"' in resp.get_data(as_text=True)
    # Junk that passed validation is stored as typed text only; nothing else was written.
    for r in db.session.execute(select(Record)).scalars():
        assert r.status == "draft"


def test_admin_forms_answer_with_field_messages(app, client):
    admin = F.user("admin")
    F.login(client, admin)
    token = F.csrf(client, "/admin/users/new")
    resp = client.post("/admin/users/new", data={"csrf_token": token, "username": "bad name!", "full_name": "",
                                                 "department_id": "999999", "role": "king", "password": "short"})
    assert resp.status_code == 422 and resp.get_data(as_text=True).count('class="error"') >= 3
    resp = client.post("/admin/departments", data={"csrf_token": token, "code": "", "name_zh": "", "name_en": ""})
    assert resp.status_code == 422
    n = db.session.execute(select(func.count()).select_from(Department)).scalar()
    resp = client.post("/admin/departments", data={"csrf_token": token, "code": "QA2", "name_zh": "质量二部",
                                                   "name_en": "Quality 2", "active": "y"})
    assert resp.status_code == 302
    assert db.session.execute(select(func.count()).select_from(Department)).scalar() == n + 1
    resp = client.post("/admin/departments", data={"csrf_token": token, "code": "QA2", "name_zh": "重复",
                                                   "name_en": "dup", "active": "y"})
    assert resp.status_code == 422


def test_admin_creates_and_deactivates_a_user_with_reason(app, client):
    admin = F.user("admin")
    F.login(client, admin)
    dept = F.dept("TDD")
    token = F.csrf(client, "/admin/users/new")
    resp = client.post("/admin/users/new", data={"csrf_token": token, "username": "lisi", "full_name": "李四",
                                                 "department_id": str(dept.id), "role": "technician",
                                                 "password": "a-long-password", "active": "y"})
    assert resp.status_code == 302
    from qms.auth.models import User
    u = db.session.execute(select(User).where(User.username == "lisi")).scalar_one()
    resp = client.post(f"/admin/users/{u.id}", data={"csrf_token": token, "full_name": "李四", "department_id": str(dept.id),
                                                     "role": "technician", "reason": ""})
    assert resp.status_code == 422  # deactivation without a reason
    resp = client.post(f"/admin/users/{u.id}", data={"csrf_token": token, "full_name": "李四", "department_id": str(dept.id),
                                                     "role": "technician", "reason": "调离"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, u.id).active is False


def test_unknown_ids_are_404_everywhere(app, client):
    F.login(client, F.user("admin"))
    for path in ("/r/TEST-REC/2147483647", "/r/TEST-REC/99999999999999999999", "/attachments/5", "/admin/users/424242",
                 "/procedures/NOPE", "/r/TEST-REC/5.pdf", "/nowhere"):
        assert client.get(path).status_code == 404, path


def test_password_change_checks_current_and_logs_out_other_sessions(app, client):
    u = F.user("clerk")
    F.login(client, u)
    other = app.test_client()
    F.login(other, u)
    token = F.csrf(client, "/account")
    resp = client.post("/account", data={"csrf_token": token, "current": "wrong", "new": "new-password-123",
                                         "confirm": "new-password-123"})
    assert "密码不正确" in resp.get_data(as_text=True)
    resp = client.post("/account", data={"csrf_token": token, "current": F.PASSWORD, "new": "new-password-123",
                                         "confirm": "new-password-123"})
    assert resp.status_code == 302
    assert client.get("/").status_code == 200   # this session continues
    assert other.get("/").status_code == 302    # the other one ended


def test_reasons_are_bounded_and_clean(app):
    from qms.records import service
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = F.record(clerk, "TEST-REC")
    for bad in ("x" * 2001, "作废\x00原因"):
        with pytest.raises(service.ValidationFailed) as exc:
            service.void(rec, head, bad)
        assert "reason" in exc.value.errors
        db.session.rollback()
    assert rec.status == "draft"


def test_department_with_active_users_cannot_be_retired(app):
    from qms.admin import service
    from qms.records.service import ValidationFailed
    admin = F.user("admin")
    F.user("clerk", "TSD")
    dept = F.dept("TSD")
    with pytest.raises(ValidationFailed):
        service.save_department(admin, dept, code=dept.code, name_zh=dept.name_zh, name_en=dept.name_en, active=False)
    db.session.rollback()
