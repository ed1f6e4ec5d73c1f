"""Pages of the complaint/inquiry form (CS-02, CS-03, CS-12): the record-page panel (both clocks, the
repeat verdict, the customer's earlier complaints, nonconformities raised), raising a nonconformity
for the company's own fault, and the written reply to the 180 complaint centre (a PDF letter)."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.models import Department, User
from ..core import pdf
from ..core.i18n import current_locale
from ..core.timeutil import local, utcnow
from ..core.writes import web_write
from ..extensions import db
from ..records import policy
from ..records import spec as specs
from ..records.links import linked
from ..records.lookup import choice_text
from ..records.models import Record
from ..records.views import load_record
from . import clocks, intake, repeat
from .intake_nc import raise_nonconformity

NC = "CA-NC"
bp = Blueprint("complaints_intake", __name__)


def _now():
    return local(utcnow()).replace(tzinfo=None)


def _earlier(record: Record, user) -> list[Record]:
    """The customer's other complaints (newest first) that ``user`` may read."""
    rows = repeat.earlier(record.values.get("phone_number"), intake.REPEAT_FORMS, None,
                          exclude=(record.id, record.amended_from_id))
    return [r for r in rows if policy.can(user, "view", specs.by_revision(r.form_revision_id), r)][:20]


def _departments() -> dict:
    """{code: name} of the active departments, for the department at fault."""
    rows = db.session.execute(select(Department).where(Department.active.is_(True)).order_by(Department.id)).scalars()
    return {d.code: d.label(current_locale()) for d in rows}


def reply_letter_ready(record: Record) -> bool:
    """A 180-centre ticket whose handling (with the written reply) is signed."""
    return record.values.get("channel") == "c180" and any(s.step == "handle" for s in record.signatures)


def panel(record, spec, user) -> dict:
    """The record page's panel."""
    values = record.values
    repeat_of = db.session.get(Record, values["repeat_of"]) if values.get("repeat_of") else None
    nc_spec = specs.get(NC)
    return {"template": "complaints/intake/panel.html", "clocks": clocks.clocks_of(values, _now()),
            "repeat_of": repeat_of, "earlier": _earlier(record, user),
            "findings": linked(NC, "source_record", record.id),
            "can_raise": record.number is not None and nc_spec is not None and policy.can(user, "create", nc_spec),
            "departments": _departments(),
            "severities": list(nc_spec.field_map["severity"].choices) if nc_spec else [],
            "handling_department": values.get("handling_department") or "",
            "letter": reply_letter_ready(record)}


@bp.route("/complaints/intake/<int:record_id>/nonconformity", methods=["POST"])
@login_required
def nonconformity(record_id: int):
    """Raise a nonconformity from the complaint (the company's own fault)."""
    record, _spec = load_record(intake.INQ, record_id)
    policy.require(current_user, "create", specs.get(NC))
    f = request.form
    with web_write(_("Nonconformity raised.")) as w:
        nc = raise_nonconformity(record, current_user._get_current_object(), f.get("department", ""),
                                 f.get("severity", ""), f.get("description", ""))
    if w.ok:
        return redirect(url_for("records.detail", code=NC, record_id=nc.id))
    return redirect(url_for("records.detail", code=intake.INQ, record_id=record.id) + "#complaint-clocks")


@bp.route("/complaints/intake/<int:record_id>/reply-180.pdf")
@login_required
def reply_180(record_id: int):
    """The written reply to the 180 complaint centre (S003 「将处理过程及结果采取书面形式回复180投诉中心」)."""
    record, spec = load_record(intake.INQ, record_id)
    if not reply_letter_ready(record):
        abort(404)
    handle = next(s for s in record.signatures if s.step == "handle")
    values = record.values
    data = pdf.render("complaints/intake/reply_180.html", record=record, values=values, spec=spec,
                      handled_by=handle.printed_name, handled_at=handle.signed_at,
                      handler_dept=db.session.get(User, handle.user_id).department,
                      category=choice_text(record, "category"), locale="zh_CN")
    return pdf.file_response(data, f"180-reply-{record.number}.pdf", inline=True)
