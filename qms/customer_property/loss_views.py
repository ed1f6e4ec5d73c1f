"""The loss report's page (CP-07): its panel (the item, the nonconformities raised) and raising a
nonconformity from it."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.models import Department
from ..core.i18n import current_locale
from ..core.writes import web_write
from ..extensions import db
from ..records import policy
from ..records import spec as specs
from ..records.links import linked
from ..records.models import Record
from . import register as reg
from .loss_nc import raise_nonconformity
from .register_info import COLOUR

NC = "CA-NC"
bp = Blueprint("cp_loss", __name__)


def panel(record: Record, spec, user) -> dict:
    """The report's panel: its item with its state, the nonconformities raised, the form to raise one."""
    item = reg.by_code(record.values.get("item_code"))
    nc_spec = specs.get(NC)
    depts = db.session.execute(select(Department).where(Department.active.is_(True)).order_by(Department.id)).scalars()
    return {"template": "customer_property/loss/panel.html", "item": item,
            "state_label": reg.state_label(item.state, current_locale()) if item else "",
            "colour": COLOUR.get(item.state, "grey") if item else "grey",
            "findings": linked(NC, "source_record", record.id),
            "can_raise": record.number is not None and nc_spec is not None and policy.can(user, "create", nc_spec),
            "departments": {d.code: d.label(current_locale()) for d in depts},
            "own_department": record.department.code if record.department else "",
            "severities": list(nc_spec.field_map["severity"].choices) if nc_spec else []}


@bp.route("/customer-property/loss/<int:record_id>/nonconformity", methods=["POST"])
@login_required
def nonconformity(record_id: int):
    """Raise a nonconformity from the report."""
    record = db.session.get(Record, record_id)
    if record is None or record.form_code != "CP-LOSS":
        abort(404)
    policy.require(current_user, "view", specs.by_revision(record.form_revision_id), record)
    policy.require(current_user, "create", specs.get(NC))
    f = request.form
    with web_write(_("Nonconformity raised.")) as w:
        nc = raise_nonconformity(record, current_user._get_current_object(), f.get("department", ""),
                                 f.get("severity", ""), f.get("description", ""))
    if w.ok:
        return redirect(url_for("records.detail", code=NC, record_id=nc.id))
    return redirect(url_for("records.detail", code=record.form_code, record_id=record.id) + "#loss-panel")
