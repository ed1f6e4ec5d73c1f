"""Pages of the facilities part (IT-04): the dashboard of what is under maintenance and for how long
(longest first), the printable 检修 status label, the long-repair limit (administrators), and the
panels on the facility and maintenance record pages."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.lookup import names
from ..core import pdf
from ..core.i18n import current_locale
from ..core.timeutil import fmt, utcnow
from ..core.writes import web_write
from ..extensions import db
from ..records import policy
from ..records import spec as specs
from ..records.models import Record
from . import facilities_state as state
from .facilities_models import Facility
from .facilities_models import FacilityStatus as S
from .facilities_settings import repair_days, set_repair_days
from .facilities_watch import retime_all

bp = Blueprint("trace_facilities", __name__)


def days_since(moment) -> float:
    """Days (with a fraction) from ``moment`` to now."""
    return (utcnow() - moment).total_seconds() / 86400 if moment else 0.0


def _may_view(record_id: int) -> bool:
    rec = db.session.get(Record, record_id)
    return rec is not None and policy.can(current_user, "view", specs.by_revision(rec.form_revision_id), rec)


@bp.route("/traceability/facilities")
@login_required
def dashboard():
    """What is under maintenance now and for how long (longest first), and every facility."""
    limit = repair_days()
    down = [{"f": f, "days": days_since(f.since_at), "record": db.session.get(Record, f.maint_record_id)}
            for f in state.under_maintenance()]
    every = list(db.session.execute(select(Facility).where(Facility.status != S.RETIRED)
                                    .order_by(Facility.facility_type, Facility.name)).scalars())
    return render_template("traceability/facilities/dashboard.html", down=down, every=every, limit=limit,
                           fmt=fmt, admin=policy.can(current_user, "admin"),
                           may_register=policy.can(current_user, "create", specs.get(state.FACILITY)),
                           types=dict(specs.get(state.FACILITY).field_map["facility_type"].choices))


@bp.route("/traceability/facilities/settings", methods=["POST"])
@login_required
def settings():
    """Change the long-repair limit (administrators)."""
    if not policy.can(current_user, "admin"):
        abort(403)
    with web_write(_("Saved.")):
        if set_repair_days(current_user, request.form.get("days", "")):
            retime_all()  # the open repairs are reminded by the new limit
    return redirect(url_for("trace_facilities.dashboard"))


@bp.route("/traceability/facilities/<id:facility_id>/label.pdf")
@login_required
def label(facility_id: int):
    """The 检修 status label hung on a facility under maintenance (none once it is repaired: S003
    「修复后,应立即撤去不正常状态标识」)."""
    fac = db.session.get(Facility, facility_id)
    if fac is None or fac.status != S.MAINTENANCE or not _may_view(fac.id):
        abort(404)
    rec = db.session.get(Record, fac.maint_record_id)
    url = url_for("records.detail", code=state.MAINT, record_id=rec.id, _external=True)
    html = pdf.render("traceability/facilities/label.html", fac=fac, record=rec, since=fmt(fac.since_at),
                      reason=rec.values.get("reason", ""), by=rec.values.get("performed_by", ""),
                      qr=pdf.qr_data_uri(url), locale=current_locale())
    return pdf.file_response(html, f"maintenance-{fac.number}.pdf", inline=True)


def facility_panel(record, spec, user) -> dict | None:
    """The facility's live status on its registration page: under maintenance since when (the label),
    its history, and the button to start a maintenance record."""
    fac = db.session.get(Facility, record.id)
    if fac is None:
        return None
    lines = state.history(fac.id)
    return {"template": "traceability/facilities/panel.html", "fac": fac, "lines": lines, "fmt": fmt,
            "days": days_since(fac.since_at), "limit": repair_days(),
            "may_start": fac.status == S.IN_SERVICE and policy.can(user, "create", specs.get(state.MAINT)),
            "open": db.session.get(Record, fac.maint_record_id) if fac.maint_record_id else None,
            "names": names([])}


def maint_panel(record, spec, user) -> dict | None:
    """The facility's status on a maintenance record's page, with its label while it is under maintenance."""
    fac = state.facility_of(record.values)
    if fac is None:
        return None
    return {"template": "traceability/facilities/panel.html", "fac": fac, "lines": [], "fmt": fmt,
            "days": days_since(fac.since_at), "limit": repair_days(), "may_start": False,
            "open": db.session.get(Record, fac.maint_record_id) if fac.maint_record_id else None, "names": {}}
