"""Pages of the network-quality complaints (CS-15): the limits table for the admins, the panel on
a complaint's page (its limits, the clock of each step, the chase log) and logging a chase."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, SelectField, validators
from wtforms.fields.choices import SelectChoice

from ..auth.lookup import names
from ..auth.models import Department
from ..core.i18n import current_locale, tr
from ..core.timeutil import fmt, utcnow
from ..core.writes import web_write
from ..extensions import db
from ..records import policy
from ..records import spec as specs
from ..records.models import Record
from . import network_clock as clock
from . import network_table as table
from .network_models import NetworkLimit

bp = Blueprint("network", __name__, url_prefix="/complaints/network")


class LimitForm(FlaskForm):
    room_code = SelectField(_l("Who acts"), validate_choice=True)
    minutes = IntegerField(_l("Limit (minutes)"), [validators.Optional()],
                           description=_l("Empty: no fixed limit. A remote fault: minutes between chases."))
    months = IntegerField(_l("Limit (months)"), [validators.Optional()],
                          description=_l("For construction work (3 or 6 months); leave minutes empty."))
    active = BooleanField(_l("In use"), default=True)


def _labels() -> dict:
    """Labels of the category, duty and cause choices, and of departments, in the user's language."""
    spec = specs.get(table.FORM)
    out = {name: {v: tr(label) for v, label in spec.field_map[name].choices} for name in ("category", "duty", "causes")}
    out["duty"].update({table.CONFIRM: _("Confirm the fault solution and reply"),
                        table.PREPROCESS: _("Pre-processing")})
    locale = current_locale()
    out["room"] = {d.code: d.label(locale) for d in db.session.execute(select(Department)).scalars()}
    return out


@bp.route("/limits")
@login_required
def limits():
    """The limits table: per category, each duty, who acts and the time allowed."""
    policy.require(current_user, "admin")
    return render_template("complaints/network/limits.html", rows=table.rows(), labels=_labels(),
                           limit_text=table.limit_text)


@bp.route("/limits/<int:limit_id>", methods=["GET", "POST"])
@login_required
def edit_limit(limit_id: int):
    """Change one row: who acts, the limit, in use or not (audited; new complaints only)."""
    policy.require(current_user, "admin")
    row = db.session.get(NetworkLimit, limit_id)
    if row is None:
        abort(404)
    form = LimitForm(obj=row)
    form.room_code.choices = [SelectChoice(d.code, d.label(current_locale())) for d in db.session.execute(
        select(Department).where(Department.active.is_(True)).order_by(Department.id)).scalars()]
    status = 200
    if form.validate_on_submit():
        with web_write(_("Saved. Complaints already dispatched keep their limits."), flash_refusal=False) as w:
            table.save(current_user, row, {k: form[k].data for k in table.FIELDS})
        if w.ok:
            return redirect(url_for(".limits"))
        w.show_on(form)
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("complaints/network/limit_edit.html", form=form, row=row, labels=_labels()), status


@bp.route("/<int:record_id>/chase", methods=["POST"])
@login_required
def chase(record_id: int):
    """Log a chase of the complaint's remote fault (now, by the signed-in monitoring-room member)."""
    record = db.session.get(Record, record_id)
    if record is None or record.form_code != table.FORM:
        abort(404)
    policy.require(current_user, "view", specs.by_revision(record.form_revision_id), record)
    with web_write(_("Chase logged.")):
        clock.log_chase(record, current_user._get_current_object(), request.form.get("note", ""))
    return redirect(url_for("records.detail", code=table.FORM, record_id=record.id) + "#network-clock")


def network_panel(record, spec, user) -> dict:
    """The complaint's limits, the clock of each step and, for a remote fault, the chase log."""
    step = policy.signable_step(user, spec, record) if record.current_step == table.REMOTE else None
    case = clock.case_of(record.id)
    chases = clock.chases(record.id)
    return {"template": "complaints/network/panel.html", "clocks": clock.clocks(record, spec), "now": utcnow(),
            "case": case, "chases": chases, "next_chase": clock.next_chase_due(record),
            "interval": clock.chase_interval(record), "can_chase": step is not None, "labels": _labels(),
            "names": names(c.user_id for c in chases), "limit_text": table.limit_text}


def network_pdf(record, locale: str) -> dict:
    """The printout's clock table and chase log, as plain rows (part of the PDF cache key)."""
    spec = specs.by_revision(record.form_revision_id)
    duties = {v: tr(label, locale) for v, label in spec.field_map["duty"].choices}
    rooms = {d.code: d.label(locale) for d in db.session.execute(select(Department)).scalars()}
    now = utcnow()
    with force_locale(locale):
        duties.update({table.CONFIRM: _("Confirm the fault solution and reply"), table.PREPROCESS: _("Pre-processing")})
        clocks = tuple((tr(spec.step(c.step).label, locale), duties.get(c.duty, "") if c.duty else "",
                        rooms.get(c.room, c.room or ""),
                        table.limit_text(c.minutes, c.months, "remote" if c.step == table.REMOTE else "")
                        if c.duty else "",
                        fmt(c.started_at), fmt(c.due_at), fmt(c.done_at),
                        _("Over the limit") if c.late(now) else "")
                       for c in clock.clocks(record, spec))
    chases = clock.chases(record.id)
    who = names(c.user_id for c in chases)
    return {"network_clocks": clocks if clock.case_of(record.id) else (),
            "network_chases": tuple((fmt(c.chased_at), who.get(c.user_id, ""), c.note) for c in chases)}
