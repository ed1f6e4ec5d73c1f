"""Login, logout, account settings (language, password)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import PasswordField, StringField, validators

from ..core import audit
from ..core.i18n import LOCALES
from ..core.timeutil import utcnow
from ..extensions import db
from . import session as auth_session
from .models import LoginAttempt, User

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), [validators.InputRequired(_l("This field is required.")),
                                            validators.Length(max=60)])
    password = PasswordField(_l("Password"), [validators.InputRequired(_l("This field is required.")),
                                              validators.Length(max=200)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), [validators.InputRequired(_l("This field is required."))])
    new = PasswordField(_l("New password"), [
        validators.InputRequired(_l("This field is required.")),
        validators.Length(min=10, max=200, message=_l("Use at least 10 characters."))])
    confirm = PasswordField(_l("Repeat the new password"), [
        validators.EqualTo("new", message=_l("The two passwords differ."))])


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in; failures are counted in the database, so throttling holds across workers."""
    form = LoginForm()
    notice = auth_session.expired_message()
    if form.validate_on_submit():
        name = form.username.data.strip().lower()
        ip = (request.remote_addr or "")[:64]
        wait = auth_session.too_many_failures(name, ip)
        if wait:
            form.password.errors = [_("Too many failed attempts. Try again in %(n)d minutes.", n=wait)]
            return render_template("auth/login.html", form=form, notice=notice), 429
        user = db.session.execute(select(User).where(func.lower(User.username) == name)).scalar()
        ok = user is not None and user.active and user.check_password(form.password.data)
        db.session.add(LoginAttempt(username=name, ip=ip, at=utcnow(), success=ok))
        if not ok:
            audit.log("login_failed", actor=user if user else None, obj_type="user",
                      obj_id=user.id if user else "", summary=name)
            db.session.commit()
            form.password.errors = [_("Wrong username or password.")]
            return render_template("auth/login.html", form=form, notice=notice), 200
        session.clear()  # a fresh session: no fixation
        auth_session.start_session(user)
        login_user(user)
        audit.log("login", actor=user, obj_type="user", obj_id=user.id, summary=user.username)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, notice=notice)


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session on the server, then forget the cookie."""
    if current_user.is_authenticated:
        g_user = current_user._get_current_object()
        auth_session.end_sessions(g_user.id, getattr(g_user, "session_id", None))
        audit.log("logout", actor=g_user, obj_type="user", obj_id=g_user.id, summary=g_user.username)
        db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Language choice and password change."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not user.check_password(form.current.data):
            form.current.errors = [_("The password is not correct.")]
        else:
            user.set_password(form.new.data)
            auth_session.end_sessions(user.id)
            audit.log("password_changed", actor=user, obj_type="user", obj_id=user.id, summary=user.username)
            auth_session.start_session(user)
            login_user(user)
            db.session.commit()
            flash(_("Your password was changed. Other sessions were logged out."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form)


@bp.route("/language/<code>", methods=["POST"])
def language(code: str):
    """Switch language; remembered on the account (or in the session before login)."""
    if code not in LOCALES:
        return redirect(url_for("home.index"))
    session["locale"] = code
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        if user.locale != code:
            # A display preference, not a quality record: not written to the audit trail.
            user.locale = code
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))
