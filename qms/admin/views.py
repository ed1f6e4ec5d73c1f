"""Admin screens: departments (with their aliases), users, and the per-flow contacts of the procedures."""
from __future__ import annotations

import re

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, PasswordField, SelectField, StringField, validators
from wtforms.fields.choices import SelectChoice

from ..auth.models import Department, User
from ..auth.roles import ROLES
from ..core import audit
from ..core.errors import ValidationFailed
from ..core.i18n import current_locale
from ..core.writes import web_write
from ..documents import loader
from ..extensions import db
from ..records import policy
from . import contacts, service

bp = Blueprint("admin", __name__, url_prefix="/admin")
REQ = _l("This field is required.")


def _optional_int(value):
    """A department id from the form; None for the "choose" placeholder."""
    return int(value) if value not in (None, "") else None


class DepartmentForm(FlaskForm):
    code = StringField(_l("Code"), [validators.InputRequired(REQ), validators.Length(max=40),
                                    validators.Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Letters, digits, '-' and '_' only."))])
    name_zh = StringField(_l("Name (Chinese)"), [validators.InputRequired(REQ), validators.Length(max=80)])
    name_en = StringField(_l("Name (English)"), [validators.InputRequired(REQ), validators.Length(max=120)])
    aliases = StringField(_l("Other names (aliases)"), [validators.Length(max=400)],
                          description=_l("Other names the procedures use for this department, separated by 、 or commas "
                                         "(e.g. 客户服务中心 for 客户服务部)."))
    active = BooleanField(_l("Active"), default=True)


ALIAS_SPLIT = re.compile(r"[、,，;；\n]+")


class ContactForm(FlaskForm):
    procedure_code = SelectField(_l("Procedure"), validate_choice=True)
    flow = StringField(_l("Flow code"), [validators.InputRequired(REQ), validators.Length(max=20)],
                       description=_l("As the procedure's steps write it, e.g. TS-001."))
    role_zh = StringField(_l("Role (Chinese)"), [validators.InputRequired(REQ), validators.Length(max=80)])
    role_en = StringField(_l("Role (English)"), [validators.InputRequired(REQ), validators.Length(max=120)])
    person = StringField(_l("Person"), [validators.InputRequired(REQ), validators.Length(max=120)])
    phone = StringField(_l("Phone"), [validators.Length(max=60)])
    department_id = SelectField(_l("Department"), coerce=_optional_int, validate_choice=True)
    active = BooleanField(_l("Active"), default=True)


class UserForm(FlaskForm):
    username = StringField(_l("Username"), [validators.InputRequired(REQ), validators.Length(max=60),
                                            validators.Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Letters, digits, '.', '-' and '_' only."))])
    full_name = StringField(_l("Full name"), [validators.InputRequired(REQ), validators.Length(max=120)])
    email = StringField(_l("E-mail"), [validators.Optional(), validators.Length(max=200),
                                       validators.Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid e-mail address."))])
    department_id = SelectField(_l("Department"), coerce=int, validate_choice=True)
    role = SelectField(_l("Role"), choices=[SelectChoice(k, v) for k, v in ROLES.items()])
    password = PasswordField(_l("Initial password"), [validators.Optional(), validators.Length(min=10, max=200, message=_l("Use at least 10 characters."))])
    active = BooleanField(_l("Active"), default=True)
    reason = StringField(_l("Reason for the change"), [validators.Length(max=500)])




def _chosen(form, field):
    """The placeholder is not a choice."""
    if field.data in (None, ""):
        raise validators.StopValidation(_("Choose one."))


def _require_admin():
    policy.require(current_user, "admin")


def _dept_choices(form):
    locale = current_locale()
    form.department_id.choices = [SelectChoice(d.id, d.label(locale)) for d in db.session.execute(
        select(Department).where(Department.active.is_(True)).order_by(Department.id)).scalars()]


@bp.route("/departments", methods=["GET", "POST"])
@bp.route("/departments/<id:dept_id>", methods=["GET", "POST"])
@login_required
def departments(dept_id: int | None = None):
    _require_admin()
    dept = db.session.get(Department, dept_id) if dept_id else None
    if dept_id and dept is None:
        abort(404)
    form = DepartmentForm(obj=dept)
    if dept is not None and request.method == "GET":
        form.aliases.data = "、".join(dept.alias_names)
    status = 200
    if form.validate_on_submit():
        with web_write(_("Saved."), flash_refusal=False) as w:
            service.save_department(current_user, dept, code=form.code.data, name_zh=form.name_zh.data,
                                    name_en=form.name_en.data, active=form.active.data,
                                    aliases=ALIAS_SPLIT.split(form.aliases.data or ""))
        if w.ok:
            return redirect(url_for(".departments"))
        form.code.errors = w.error.errors.get("code", [])
        form.aliases.errors = w.error.errors.get("aliases", [])
        status = 422
    elif request.method == "POST":
        status = 422
    rows = db.session.execute(select(Department).order_by(Department.id)).scalars().all()
    return render_template("admin/departments.html", rows=rows, form=form, dept=dept), status


@bp.route("/users")
@login_required
def users():
    _require_admin()
    rows = db.session.execute(select(User).order_by(User.id)).scalars().all()
    return render_template("admin/users.html", rows=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@login_required
def user_edit(user_id: int | None = None):
    _require_admin()
    target = db.session.get(User, user_id) if user_id else None
    if user_id and target is None:
        abort(404)
    form = UserForm(obj=target)
    _dept_choices(form)
    if target is None:
        # A new user's department and role are chosen, never taken silently from the first option.
        form.department_id.choices = [SelectChoice("", _("— choose —"))] + list(form.department_id.choices)
        form.role.choices = [SelectChoice("", _("— choose —"))] + list(form.role.choices)
        form.department_id.coerce = _optional_int
        form.department_id.validators = [_chosen]
        form.role.validators = [_chosen]
        form.department_id.flags.required = form.role.flags.required = True
        form.password.validators = [validators.InputRequired(REQ)] + list(form.password.validators)[1:]
        form.password.flags.required = True
    if target is not None:
        form.username.validators = []  # fixed once created
        form.username.data = target.username
        form.password.label.text = _("New password (leave empty to keep the current one)")
    status = 200
    if form.validate_on_submit():
        with web_write(_("Saved."), flash_refusal=False) as w:
            if target is None:
                if not form.password.data:
                    raise ValidationFailed({"password": [_("This field is required.")]})
                service.create_user(current_user, username=form.username.data, full_name=form.full_name.data,
                                    department_id=form.department_id.data, role=form.role.data,
                                    password=form.password.data, email=form.email.data)
            else:
                service.update_user(current_user, target, full_name=form.full_name.data,
                                    department_id=form.department_id.data, role=form.role.data,
                                    email=form.email.data, active=form.active.data, reason=form.reason.data)
                if form.password.data:
                    target.set_password(form.password.data)
                    audit.log("password_reset", actor=current_user, obj_type="user", obj_id=target.id,
                              summary=target.username)
        if w.ok:
            return redirect(url_for(".users"))
        w.show_on(form)
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("admin/user_edit.html", form=form, target=target), status


def _contact_choices(form) -> None:
    locale = current_locale()
    form.procedure_code.choices = [SelectChoice(p.code, f"{p.code} {p.title.get('en' if locale == 'en' else 'zh')}")
                                   for p in loader.current_all()]
    form.department_id.choices = [SelectChoice("", _("— none —"))] + [
        SelectChoice(d.id, d.label(locale)) for d in db.session.execute(
            select(Department).where(Department.active.is_(True)).order_by(Department.id)).scalars()]


@bp.route("/contacts", methods=["GET", "POST"])
@bp.route("/contacts/<id:contact_id>", methods=["GET", "POST"])
@login_required
def contacts_page(contact_id: int | None = None):
    """Per-flow contacts (person and phone) shown on the procedure pages: list, add, change."""
    _require_admin()
    contact = db.session.get(contacts.FlowContact, contact_id) if contact_id else None
    if contact_id and contact is None:
        abort(404)
    form = ContactForm(obj=contact)
    _contact_choices(form)
    status = 200
    if form.validate_on_submit():
        with web_write(_("Saved."), flash_refusal=False) as w:
            contacts.save(current_user, contact, {k: form[k].data for k in contacts.FIELDS})
        if w.ok:
            return redirect(url_for(".contacts_page"))
        w.show_on(form)
        status = 422
    elif request.method == "POST":
        status = 422
    rows = db.session.execute(select(contacts.FlowContact).order_by(
        contacts.FlowContact.procedure_code, contacts.FlowContact.position, contacts.FlowContact.id)).scalars().all()
    return render_template("admin/contacts.html", rows=rows, form=form, contact=contact), status
