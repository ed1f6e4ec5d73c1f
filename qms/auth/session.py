"""Sessions, throttling and security headers.

The Flask-Login id is a server-side session id (``user_sessions``): logging out or
deactivating a user ends the row, so a copied cookie stops working at once. Idle timeout is
checked against a timestamp in the signed cookie, which needs no database write per request.
"""
from __future__ import annotations

import secrets
import time
from datetime import timedelta

from flask import current_app, request, session
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ..core.timeutil import utcnow
from ..extensions import db, login_manager
from .models import LoginAttempt, User, UserSession

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def init_app(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    app.before_request(_idle_timeout)
    app.after_request(_headers)


@login_manager.user_loader
def _load(session_id: str):
    row = db.session.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id)
        .where(UserSession.id == session_id, UserSession.ended_at.is_(None), User.active.is_(True))
    ).first()
    if row is None:
        return None
    user = row[1]
    user.session_id = session_id
    return user


def _get_id(self):
    return getattr(self, "session_id", None)


User.get_id = _get_id


def _idle_timeout():
    if request.endpoint == "static" or request.path.startswith("/api/"):
        return
    now = time.time()
    last = session.get("seen")
    idle = current_app.config["QMS_IDLE_MINUTES"] * 60
    if last and now - last > idle and "_user_id" in session:
        session.clear()
        session["expired"] = True
    if "_user_id" in session:
        session["seen"] = now


def _headers(resp):
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "static":
        # Pages hold records: never kept in a shared or back-button cache. Static files may be.
        resp.headers.setdefault("Cache-Control", "no-store")
    return resp


def too_many_failures(username: str, ip: str) -> int:
    """Minutes to wait if ``username`` or ``ip`` has too many recent failures, else 0."""
    cfg = current_app.config
    window = timedelta(minutes=cfg["QMS_LOGIN_WINDOW_MINUTES"])
    since = utcnow() - window
    by_user = db.session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.success.is_(False), LoginAttempt.at > since)
    ).one()
    by_ip = db.session.execute(
        select(func.count()).where(LoginAttempt.ip == ip, LoginAttempt.success.is_(False), LoginAttempt.at > since)
    ).scalar()
    if by_user[0] >= cfg["QMS_LOGIN_MAX_FAILURES"] or by_ip >= cfg["QMS_LOGIN_MAX_FAILURES"] * 4:
        first = by_user[1] or utcnow()
        return max(1, int((first + window - utcnow()).total_seconds() // 60) + 1)
    return 0


def start_session(user: User) -> str:
    """Open a server-side session row for ``user``; returns its id."""
    sid = secrets.token_urlsafe(32)
    db.session.add(UserSession(id=sid, user_id=user.id, created_at=utcnow(), ip=(request.remote_addr or "")[:64]))
    user.session_id = sid
    session["seen"] = time.time()
    return sid


def end_sessions(user_id: int, session_id: str | None = None) -> None:
    """End one session (logout) or all of a user's sessions (deactivation, password change)."""
    stmt = update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if session_id:
        stmt = stmt.where(UserSession.id == session_id)
    db.session.execute(stmt.values(ended_at=utcnow()))


def expired_message() -> str | None:
    if session.pop("expired", None):
        return _("Your session ended after a period of inactivity. Please log in again.")
    return None
