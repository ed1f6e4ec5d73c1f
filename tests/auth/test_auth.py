"""Login, throttling, sessions ended on the server, idle timeout, headers, CSRF."""
import time

from sqlalchemy import select

from qms.auth.models import LoginAttempt, User, UserSession
from qms.core.audit import AuditEvent
from qms.extensions import db
from tests import factories as F


def test_login_and_wrong_password(app, client):
    u = F.user("clerk")
    html = client.post("/login", data={"username": u.username, "password": "nope-nope-nope",
                                       "csrf_token": F.csrf(client, "/login")}).get_data(as_text=True)
    assert "用户名或密码错误" in html
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "login_failed")).scalar_one()
    F.login(client, u)
    assert client.get("/").status_code == 200


def test_password_hash_is_scrypt(app):
    u = F.user("clerk")
    assert u.password_hash.startswith("scrypt:") and F.PASSWORD not in u.password_hash


def test_throttling_is_kept_in_the_database(app, client):
    u = F.user("clerk")
    for _ in range(5):
        client.post("/login", data={"username": u.username, "password": "bad-password-1",
                                    "csrf_token": F.csrf(client, "/login")})
    assert db.session.execute(select(LoginAttempt).where(LoginAttempt.success.is_(False))).scalars().all()
    # A second "worker" (fresh client, same database) also refuses, even the right password.
    other = app.test_client()
    resp = other.post("/login", data={"username": u.username, "password": F.PASSWORD,
                                      "csrf_token": F.csrf(other, "/login")})
    assert resp.status_code == 429
    assert "失败次数过多" in resp.get_data(as_text=True)


def test_logout_ends_the_session_on_the_server(app, client):
    u = F.user("clerk")
    F.login(client, u)
    stolen = client.get_cookie("session").value
    client.post("/logout", data={"csrf_token": F.csrf(client, "/")})
    assert db.session.execute(select(UserSession).where(UserSession.user_id == u.id)).scalar_one().ended_at
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/").status_code == 302  # back to login


def test_deactivation_ends_sessions_and_blocks_login(app, client):
    from qms.admin import service
    u, admin = F.user("clerk"), F.user("admin")
    F.login(client, u)
    assert client.get("/").status_code == 200
    u = db.session.get(User, u.id)
    service.update_user(admin, u, full_name=u.full_name, department_id=u.department_id, role=u.role,
                        email=u.email, active=False, reason="离职")
    db.session.commit()
    assert client.get("/").status_code == 302
    again = app.test_client()
    html = again.post("/login", data={"username": u.username, "password": F.PASSWORD,
                                      "csrf_token": F.csrf(again, "/login")}).get_data(as_text=True)
    assert "用户名或密码错误" in html


def test_usernames_are_never_reused(app):
    from qms.admin import service
    from qms.records.service import ValidationFailed
    u = F.user("clerk")
    try:
        service.create_user(None, username=u.username.upper(), full_name="x", department_id=u.department_id,
                            role="clerk", password="another-password-1")
        raise AssertionError("username reused")
    except ValidationFailed as exc:
        assert "username" in exc.errors


def test_idle_timeout(app, client):
    u = F.user("clerk")
    F.login(client, u)
    with client.session_transaction() as s:
        s["seen"] = time.time() - 31 * 60
    resp = client.get("/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_security_headers_and_cookie_flags(app, client):
    resp = client.get("/login")
    h = resp.headers
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
    assert "script-src 'self'" in h["Content-Security-Policy"]
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    u = F.user("clerk")
    resp = client.post("/login", data={"username": u.username, "password": F.PASSWORD,
                                       "csrf_token": F.csrf(client, "/login")})
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookie_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("QMS_SECURE_COOKIES", "1")
    from qms.config import load_config
    assert load_config({"INSTANCE_PATH": str(tmp_path)})["SESSION_COOKIE_SECURE"] is True


def test_csrf_is_required(app, client):
    u = F.user("clerk")
    F.login(client, u)
    resp = client.post("/r/TEST-REC/new", data=F.REC)
    assert resp.status_code == 400
    assert "表单已过期" in resp.get_data(as_text=True) or "expired" in resp.get_data(as_text=True)


def test_pages_need_login(app, client):
    for path in ("/", "/forms", "/r/TEST-REC/", "/procedures/", "/audit/"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_open_redirect_is_refused(app, client):
    u = F.user("clerk")
    token = F.csrf(client, "/login")
    resp = client.post("/login?next=//evil.example/x", data={"username": u.username, "password": F.PASSWORD,
                                                            "csrf_token": token})
    assert resp.headers["Location"] == "/"
