"""Pages of the customer-property register (CP-01, CP-02): the register of items with its filters,
keyset pages and Excel export; one item's page (state, the gate's verdict, its events and records)
and its printed label with a QR code back to that page, for a technician's phone.

Who may read: every signed-in employee. It is the company's register of what customers entrusted
to it (S003 顾客财产控制程序 applies to every department that touches a customer's equipment), and
it holds nothing a record's own page would hide: the item's description and which records moved it;
opening a record still asks that record's policy.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.models import Department
from ..core import pdf
from ..core.i18n import current_locale, tr
from ..core.timeutil import fmt, utcnow
from ..extensions import db
from ..records import export, policy
from ..records import spec as specs
from . import register as reg
from . import register_info as info
from . import register_query as query
from .loss import LOSS, NOT_REPORTABLE
from .register_api import bp as api_bp

bp = Blueprint("cp_register", __name__)


def _departments() -> list[Department]:
    return list(db.session.execute(select(Department).where(Department.active.is_(True))
                                   .order_by(Department.id)).scalars())


@bp.route("/customer-property")
@login_required
def register_page():
    """The register: filters kind, state, department, phone; 50 items a page, newest first."""
    loc = current_locale()
    try:
        f = query.parse(request.args)
        errors = {}
        rows, nxt = query.page(f)
    except query.BadFilter as exc:
        errors, rows, nxt, f = exc.errors, [], None, query.Filters()
    depts = _departments()
    return render_template("customer_property/register/index.html", rows=rows, next_after=nxt, errors=errors,
                           typed={k: (request.args.get(k) or "") for k in query.FILTERS},
                           kinds=[(k, reg.kind_label(k, loc)) for k in reg.KINDS],
                           states=[(s, reg.state_label(s, loc)) for s in reg.STATES],
                           departments=depts, colour=info.COLOUR, dept_names={d.id: d.label(loc) for d in depts},
                           filtered=bool(f.typed)), 422 if errors else 200


@bp.route("/customer-property.xlsx")
@login_required
def register_xlsx():
    """The register as filtered, as an Excel workbook (at most ``EXPORT_MAX`` rows)."""
    try:
        f = query.parse(request.args)
    except query.BadFilter as exc:
        abort(422, description=" ".join(m for msgs in exc.errors.values() for m in msgs))
    loc, moment = current_locale(), utcnow()
    depts = {d.id: d.label(loc) for d in _departments()}
    header = [_("Property code"), _("Kind"), _("Customer"), _("Phone"), _("Model"), _("Licence no."),
              _("Where installed"), _("State"), _("Since"), _("Department")]
    rows = ([i.code, reg.kind_label(i.kind, loc), i.customer_name, i.phone, i.model, i.licence_no, i.location,
             reg.state_label(i.state, loc), fmt(i.state_since), depts.get(i.department_id, "")]
            for i in query.export_rows(f))
    filters = " · ".join(f"{k}={v}" for k, v in f.typed.items())
    data = export.write_xlsx(_("Customer property"), header, rows,
                             export.caption(filters, current_user.full_name, moment))
    return pdf.file_response(data, export.file_name("customer-property", "xlsx", moment), mimetype=pdf.XLSX)


def _item(code: str):
    item = reg.by_code(code)
    if item is None:
        abort(404, description=_("No such customer-property item."))
    return item


@bp.route("/customer-property/<code>")
@login_required
def item_page(code: str):
    """One item: what it is, its state with colour, whether it may be connected, its history."""
    item = _item(code)
    loss_spec = specs.get(LOSS)
    may_report = (loss_spec is not None and item.state not in NOT_REPORTABLE + (reg.UNSUITABLE,)
                  and policy.can(current_user, "create", loss_spec))
    return render_template("customer_property/register/item.html", d=info.detail(item, current_locale()),
                           may_report=may_report, loss_form=LOSS)


@bp.route("/customer-property/<code>/label.pdf")
@login_required
def label(code: str):
    """The item's label (客户财产标识): code, customer, kind, model and state, with a QR code to its page."""
    item = _item(code)
    loc = current_locale()
    url = url_for("cp_register.item_page", code=item.code, _external=True)
    lab = {"code": item.code, "kind": reg.kind_label(item.kind, "zh_CN"), "customer": item.customer_name,
           "phone": item.phone, "model": item.model, "licence_no": item.licence_no,
           "state": reg.state_label(item.state, "zh_CN"), "colour": info.COLOUR.get(item.state, "grey"),
           "qr": pdf.qr_data_uri(url)}
    data = pdf.render("customer_property/register/label.html", labels=[lab], locale=loc, title=tr(
        {"zh": "客户财产标识", "en": "Customer property label"}, loc))
    return pdf.file_response(data, f"label-{item.code}.pdf", inline=True)


BLUEPRINTS = (bp, api_bp)
