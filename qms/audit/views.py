"""The global audit trail for the quality office: search by who, what, object and date."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..core.audit import AuditEvent
from ..core.timeutil import tz
from ..extensions import db
from ..records import policy
from ..records import spec as specs
from ..records.models import Record
from ..web import audit_actions

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE = 100


def _escape(text: str) -> str:
    """Search text taken literally: % and _ are not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@bp.route("/")
@login_required
def index():
    policy.require(current_user, "audit_global")
    stmt = select(AuditEvent)
    errors = {}
    a = request.args
    if a.get("action"):
        stmt = stmt.where(AuditEvent.action == a["action"][:40])
    if a.get("actor"):
        stmt = stmt.where(AuditEvent.actor_name.like("%" + _escape(a["actor"][:60]) + "%", escape="\\"))
    if a.get("object_type"):
        stmt = stmt.where(AuditEvent.object_type == a["object_type"][:40])
    if a.get("object_id"):
        stmt = stmt.where(AuditEvent.object_id == a["object_id"][:40])
    if a.get("q"):
        stmt = stmt.where(AuditEvent.summary.like("%" + _escape(a["q"][:100]) + "%", escape="\\"))
    for key, op in (("from", "ge"), ("to", "lt")):
        if a.get(key):
            try:
                d = date.fromisoformat(a[key])
            except ValueError:
                errors[key] = _("Enter a date as YYYY-MM-DD.")
                continue
            if op == "lt":
                d += timedelta(days=1)
            moment = datetime.combine(d, time(0), tzinfo=tz())
            stmt = stmt.where(AuditEvent.at >= moment if op == "ge" else AuditEvent.at < moment)
    before = a.get("before", type=int)
    if before and 0 < before < 2**31:
        stmt = stmt.where(AuditEvent.id < before)
    rows = db.session.execute(stmt.order_by(AuditEvent.id.desc()).limit(PAGE + 1)).scalars().all()
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    actions = list(audit_actions())
    return render_template("audit/index.html", rows=rows, next_before=rows[-1].id if more else None,
                           errors=errors, actions=actions, record_specs=_record_specs(rows)), 422 if errors else 200


def _record_specs(rows) -> dict:
    """{record id: (form code, spec)} for the record rows on the page, in one query, so field
    names show as the form's labels."""
    ids = {int(e.object_id) for e in rows if e.object_type == "record" and e.object_id.isdigit()}
    if not ids:
        return {}
    found = db.session.execute(select(Record.id, Record.form_code, Record.form_revision_id)
                               .where(Record.id.in_(ids))).all()
    return {str(rid): (code, specs.by_revision(rev)) for rid, code, rev in found}
