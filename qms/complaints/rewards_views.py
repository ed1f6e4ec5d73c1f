"""Pages of the reward part (CS-12): the complaint item catalogue (every version readable; admins
change it), each department's reward reviewer (admins), a reward started from its complaint, and the
handbook's sheets (page and Excel; :mod:`.rewards_sheets`)."""
from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField, TextAreaField, validators
from wtforms.fields.choices import SelectChoice

from ..auth.models import Department, User
from ..core.i18n import current_locale
from ..core.pdf import XLSX, file_response
from ..core.timeutil import today, utcnow
from ..core.writes import web_write
from ..extensions import db
from ..records import policy
from ..records import spec as specs
from ..records.export import file_name, write_xlsx
from ..records.lookup import record_by_text
from . import catalogue, rewards_reviewers, rewards_sheets

bp = Blueprint("rewards", __name__)
REQ = _l("This field is required.")
GRADE_LABELS = {"minor": _l("Minor (轻微)"), "general": _l("General (一般)"), "major": _l("Major (较重)"),
                "serious": _l("Serious (严重/重大)"), "": _l("Per the network standard (按网络通标准处理)")}
CAUSE_LABELS = {"human": _l("Human (staff)"), "system": _l("System"), "network": _l("Network")}
SHEET_TITLES = {
    "daily": _l("Daily complaint reward and penalty summary (投诉奖、罚情况汇总表)"),
    "weekly": _l("Weekly complaint reward and penalty report (投诉奖/罚报表)"),
    "register": _l("Monthly complaint reward register (投诉奖励登记表)"),
    "repricing": _l("Monthly service quality reward summary for repricing (每月服务质量奖励情况汇总表)"),
    "summary": _l("Complaint assessment and reward summary (投诉考核/奖励情况汇总表)"),
}


class ItemForm(FlaskForm):
    number = StringField(_l("Item number"), [validators.Length(max=12)])
    category_zh = StringField(_l("Category (Chinese)"), [validators.InputRequired(REQ), validators.Length(max=60)])
    category_en = StringField(_l("Category (English)"), [validators.InputRequired(REQ), validators.Length(max=120)])
    text = TextAreaField(_l("Item"), [validators.InputRequired(REQ), validators.Length(max=400)])
    grade = SelectField(_l("Grade"), choices=[SelectChoice(k, v) for k, v in GRADE_LABELS.items()])
    cause = SelectField(_l("Cause"), choices=[SelectChoice(k, v) for k, v in CAUSE_LABELS.items()])
    mobile = BooleanField(_l("Mobile operators only"))
    in_use = BooleanField(_l("In use"), default=True)


class ReviewerForm(FlaskForm):
    department_id = SelectField(_l("Department"), coerce=int, validate_choice=True)
    user_id = SelectField(_l("Reviewer"), coerce=int, validate_choice=True)


def _require_admin():
    policy.require(current_user, "admin")


def _spec():
    spec = specs.get(rewards_sheets.REWARD)
    if spec is None:
        abort(404)
    return spec


@bp.route("/complaints/catalogue")
@login_required
def catalogue_page():
    """The complaint item catalogue, current or as of ``?version=N``; admins get the edit links."""
    current = catalogue.current_version()
    version = request.args.get("version", type=int) or current
    if not 1 <= version <= max(current, 1):
        abort(404)
    return render_template("complaints/rewards/catalogue.html", items=catalogue.items_at(version), version=version,
                           current=current, grades=GRADE_LABELS, causes=CAUSE_LABELS,
                           admin=policy.can(current_user, "admin"), form=ItemForm(formdata=None))


@bp.route("/complaints/catalogue/new", methods=["POST"])
@bp.route("/complaints/catalogue/<number>", methods=["GET", "POST"])
@login_required
def catalogue_item(number: str | None = None):
    """Change one item (or add one): the next catalogue version; the old one is kept."""
    _require_admin()
    old = catalogue.item(number) if number else None
    if number and old is None:
        abort(404)
    form = ItemForm(obj=old)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            with web_write(_("Saved."), flash_refusal=False) as w:  # the page shows the version it made
                values = {k: form[k].data for k in catalogue.EDITABLE}
                catalogue.save(current_user, number, {**values, "number": form.number.data})
            if w.ok:
                return redirect(url_for(".catalogue_page"))
            w.show_on(form)
    return render_template("complaints/rewards/catalogue_item.html", form=form, item=old), status


@bp.route("/complaints/catalogue/mobile", methods=["POST"])
@login_required
def catalogue_mobile():
    """Switch every mobile-only item off (a fixed-line company) or on again, in one version."""
    _require_admin()
    on = request.form.get("in_use") == "1"
    with web_write(_("Mobile-only items switched on.") if on else _("Mobile-only items switched off.")):
        catalogue.switch_mobile(current_user, on)
    return redirect(url_for(".catalogue_page"))


@bp.route("/complaints/rewards/reviewers", methods=["GET", "POST"])
@login_required
def reviewers_page():
    """Each department's designated reward reviewer (第七条)."""
    _require_admin()
    locale = current_locale()
    form = ReviewerForm()
    form.department_id.choices = [SelectChoice(d.id, d.label(locale)) for d in db.session.execute(
        select(Department).where(Department.active.is_(True)).order_by(Department.id)).scalars()]
    form.user_id.choices = [SelectChoice(u.id, f"{u.full_name} ({u.username})") for u in db.session.execute(
        select(User).where(User.active.is_(True)).order_by(User.full_name)).scalars()]
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            with web_write(_("Saved."), flash_refusal=False) as w:
                rewards_reviewers.save(current_user, form.department_id.data, form.user_id.data)
            if w.ok:
                return redirect(url_for(".reviewers_page"))
            w.show_on(form)
    return render_template("complaints/rewards/reviewers.html", rows=rewards_reviewers.all_rows(), form=form,
                           locale=locale), status


@bp.route("/complaints/rewards/new")
@login_required
def new_reward():
    """A reward record for the complaint ``?complaint=<number>``: the form opens with the complaint
    (its customer, content and first/repeat follow) and the department's designated reviewer."""
    spec = _spec()
    policy.require(current_user, "create", spec)
    args = {}
    complaint = record_by_text(request.args.get("complaint"))
    if complaint is not None and complaint.number:
        args["complaint"] = complaint.number
    person = rewards_reviewers.designated(current_user.department_id)
    if person is not None:
        args["reviewer"] = person.id
    return redirect(url_for("records.new", code=spec.code, **args))


def _sheet_args(sheet: str):
    if sheet not in rewards_sheets.SHEETS:
        abort(404)
    policy.require(current_user, "view", _spec())
    try:
        day = date.fromisoformat(request.args.get("day") or today().isoformat())
    except ValueError:
        abort(404)
    dept = request.args.get("department", type=int) if policy.company_wide(current_user) else \
        current_user.department_id
    return day, dept


@bp.route("/complaints/rewards/sheets/<sheet>")
@login_required
def sheet_page(sheet: str):
    """One of the handbook's reward sheets for ``?day=`` (and ``?department=`` for company-wide staff);
    ``?format=xlsx`` downloads it."""
    day, dept = _sheet_args(sheet)
    locale = current_locale()
    start, end = rewards_sheets.period(sheet, day)
    found = rewards_sheets.rows(sheet, start, end, dept, locale)
    sums = rewards_sheets.totals(found)
    title = str(SHEET_TITLES[sheet])
    if request.args.get("format") == "xlsx":
        return file_response(_xlsx(sheet, title, start, end, found, sums), file_name(f"CS-REWARD-{sheet}", "xlsx",
                                                                                    utcnow()), XLSX)
    depts = [(d.id, d.label(locale)) for d in db.session.execute(
        select(Department).where(Department.active.is_(True)).order_by(Department.id)).scalars()]
    return render_template("complaints/rewards/sheet.html", sheet=sheet, title=title, titles=SHEET_TITLES,
                           day=day, start=start, end=end, rows=found, sums=sums, dept=dept, depts=depts,
                           company_wide=policy.company_wide(current_user), grades=GRADE_LABELS)


def _day(text: str):
    """A stored date as a spreadsheet date (kept as text when it is not one)."""
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return text


def _xlsx(sheet, title, start, end, found, sums) -> bytes:
    caption = f"{title} {start.isoformat()} – {end.isoformat()}"
    title = re.sub(r"[\\/*?:\[\]]", "-", title)  # characters a sheet's name may not hold
    if sheet == "summary":
        header = [_("Grade"), _("First: count"), _("First: value (yuan)"), _("Repeat: count"),
                  _("Repeat: value (yuan)")]
        body = [[str(GRADE_LABELS[g]), *sums["cells"][(g, "first")], *sums["cells"][(g, "repeat")]]
                for g in catalogue.GRADES]
        body.append([_("Total"), sums["count"], sums["value"], "", ""])
        by_dept = [[name, c, v] for name, (c, v) in sums["departments"].items()]
        return write_xlsx(title[:31], header, body, caption,
                          more=[(_("By department"), [_("Department"), _("Count"), _("Value (yuan)")], by_dept)])
    header = [_("No."), _("Department"), _("Complaint"), _("Customer"), _("Number rewarded"), _("Item"), _("Grade"),
              _("First or repeat"), _("Value (yuan)"), _("Reward in kind"), _("Starts"), _("Ends"), _("Reviewer"),
              _("Reviewed"), _("Customer told")]
    body = [[r.number, r.department, r.complaint, r.customer_name, r.phone_number, r.item, r.severity, r.repeat,
             r.value, r.kind, _day(r.start_on), _day(r.end_on), r.reviewer, _("Yes") if r.reviewed else _("No"),
             _("Yes") if r.told else _("No")] for r in found]
    body.append([_("Total"), "", "", "", "", "", "", "", sums["value"], "", "", "", "", "", ""])
    return write_xlsx(title[:31], header, body, caption)


def reward_panel(record, spec, user) -> dict:
    """On a reward record: the catalogue item it used, as that version words it, and the way to the
    catalogue and the sheets."""
    version = record.values.get("catalogue_version")
    number = record.values.get("item") or ""
    return {"template": "complaints/rewards/panel.html", "number": number, "version": version,
            "item": catalogue.item(number, version) if number else None}


def filing_panel(record, spec, user) -> dict | None:
    """On a filing record: the sheet it filed, for the month that sheet covers (the 20th's and the
    1st's report last month's rewards, the 30th's this month's)."""
    sheet, month = record.values.get("sheet"), record.values.get("month") or ""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        return None
    day = first - timedelta(days=1) if sheet == "repricing" else first
    return {"template": "complaints/rewards/panel_filing.html", "sheet": sheet, "day": day.isoformat(),
            "title": SHEET_TITLES.get(sheet, "")}
