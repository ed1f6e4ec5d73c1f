"""Pages of the instruments procedure: the permit label and label sheets (INS-04), and the
instrument's panel on its intake record page — live status, usage file (INS-05) and the actions
a technician needs on a phone after scanning the label."""
from __future__ import annotations

from flask import Blueprint, abort, make_response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..core import pdf, policy
from ..core.i18n import current_locale, tr
from ..core.timeutil import today
from ..extensions import db
from ..records import spec as specs
from ..records import views as record_views
from ..records.models import Record, RecordFacet
from .models import Instrument
from .service import BILLING, CAL, INTAKE, USAGE, accuracy, permit_state, refusals, threshold

bp = Blueprint("instruments", __name__)
SHEET_MAX = 300  # labels per sheet request (ten A4 pages)
STATE_TEXT = {"valid": "准用", "restricted": "限用", "stopped": "停用"}  # printed as on the paper label


LISTS = ("all", "due30", "overdue", "stopped", "on_loan", "loan_overdue")
PAGE = 50


def _list_where(show: str, on) -> list:
    from datetime import timedelta
    live = Instrument.condition.not_in(("scrapped", "voided"))
    return {
        "all": [Instrument.condition != "voided"],
        "due30": [live, Instrument.next_due_on >= on, Instrument.next_due_on <= on + timedelta(days=30)],
        "overdue": [live, Instrument.next_due_on < on],
        "stopped": [Instrument.condition.in_(("quarantined", "under_repair", "faulty", "repaired"))],
        "on_loan": [Instrument.loan_id.is_not(None)],
        "loan_overdue": [Instrument.loan_id.is_not(None), Instrument.loan_due_on < on],
    }[show]


@bp.route("/instruments")
@login_required
def dashboard():
    """技术发展部's dashboard (INS-11 of the issue): what is due, overdue, stopped and out on loan,
    each count opening its list; loans out per person."""
    from sqlalchemy import func

    from ..auth.models import User
    show = request.args.get("show", "all")
    if show not in LISTS:
        abort(422)
    on = today()
    counts = {k: db.session.execute(select(func.count()).select_from(Instrument).where(*_list_where(k, on))).scalar()
              for k in LISTS}
    stmt = select(Instrument).where(*_list_where(show, on))
    after = request.args.get("after", "")
    if after:
        if not after.isdigit() or len(after) > 10:
            abort(422)
        stmt = stmt.where(Instrument.id < int(after))
    rows = db.session.execute(stmt.order_by(Instrument.id.desc()).limit(PAGE + 1)).scalars().all()
    nxt = rows[PAGE - 1].id if len(rows) > PAGE else None
    rows = rows[:PAGE]
    holders = db.session.execute(
        select(User.id, User.full_name, func.count(), func.min(Instrument.loan_due_on))
        .join(Instrument, Instrument.holder_id == User.id).group_by(User.id, User.full_name)
        .order_by(func.count().desc()).limit(50)).all()
    names = {u.id: u.full_name for u in db.session.execute(
        select(User).where(User.id.in_({r.holder_id for r in rows if r.holder_id}))).scalars()} if rows else {}
    from flask import render_template
    return render_template("instruments/dashboard.html", counts=counts, show=show, rows=rows, next_after=nxt,
                           holders=holders, names=names, today=on, states={r.id: permit_state(r, on) for r in rows},
                           intake_spec=specs.get(INTAKE))


def _visible(inst: Instrument) -> bool:
    intake = db.session.get(Record, inst.id)
    return intake is not None and policy.can(current_user, "view", specs.by_revision(intake.form_revision_id), intake)


def _label(inst: Instrument) -> dict:
    url = url_for("records.detail", code=INTAKE, record_id=inst.id, _external=True)
    state = permit_state(inst)
    return {"asset_no": inst.asset_no, "number": inst.number, "name": inst.name, "model": inst.model,
            "calibrated_on": inst.calibrated_on, "next_due_on": inst.next_due_on, "state": state,
            "state_text": STATE_TEXT[state], "restriction": inst.restriction, "qr": pdf.qr_data_uri(url)}


def _pdf(labels: list[dict], name: str):
    data = pdf.render("pdf/labels.html", labels=labels, locale=current_locale())
    resp = make_response(data)
    resp.headers["Content-Type"] = "application/pdf"
    resp.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return resp


@bp.route("/instruments/<id:instrument_id>/label.pdf")
@login_required
def label(instrument_id: int):
    """One permit-to-use label (准用证): colour by state, next due date, QR to the live page."""
    inst = db.session.get(Instrument, instrument_id)
    if inst is None or not _visible(inst):
        abort(404)
    return _pdf([_label(inst)], f"label-{inst.asset_no}.pdf")


@bp.route("/instruments/labels.pdf")
@login_required
def labels():
    """A sheet of labels: ``?ids=1,2,3`` or every instrument of ``?department=<id>`` (A4, 3 x 8)."""
    raw = request.args.get("ids", "")
    stmt = select(Instrument).where(Instrument.condition.not_in(("voided",)))
    if raw:
        try:
            ids = [int(x) for x in raw.split(",") if x.strip()][:SHEET_MAX]
        except ValueError:
            abort(422)
        if any(not 0 < i < 2**31 for i in ids):
            abort(422)
        stmt = stmt.where(Instrument.id.in_(ids))
    dept = request.args.get("department", type=int)
    if dept:
        stmt = stmt.where(Instrument.department_id == dept)
    keeper = current_user.department is not None and current_user.department.code == "TDD"
    if not (policy.company_wide(current_user) or keeper):  # 技术发展部 keeps every instrument's label
        stmt = stmt.where(Instrument.department_id == current_user.department_id)
    found = db.session.execute(stmt.order_by(Instrument.asset_no).limit(SHEET_MAX)).scalars().all()
    return _pdf([_label(i) for i in found], "labels.pdf")


def intake_panel(record, spec, user) -> dict | None:
    """Live status and usage file of the instrument this intake record registered."""
    inst = db.session.get(Instrument, record.id)
    if inst is None:
        return None
    ids = db.session.execute(select(RecordFacet.record_id).where(
        RecordFacet.form_code.in_((USAGE, CAL, "CA-NC")), RecordFacet.field.in_(("instrument", "source_record")),
        RecordFacet.value == str(inst.id))).scalars().all()
    events = db.session.execute(select(Record).where(Record.id.in_(ids)).order_by(Record.id.desc())
                                .limit(500)).scalars().all() if ids else []
    cal_ids = [r.id for r in events if r.form_code == CAL]
    if cal_ids:  # nonconformities opened by its calibrations
        nc_ids = db.session.execute(select(RecordFacet.record_id).where(
            RecordFacet.form_code == "CA-NC", RecordFacet.field == "source_record",
            RecordFacet.value.in_([str(i) for i in cal_ids]))).scalars().all()
        events += db.session.execute(select(Record).where(Record.id.in_(nc_ids))).scalars().all() if nc_ids else []
    history = []
    titles = {code: tr(specs.get(code).title) for code in (USAGE, CAL, "CA-NC")}
    for r in sorted(events, key=lambda r: r.created_at, reverse=True):
        v = r.values
        if r.form_code == USAGE:
            text = f"{v.get('checked_out_on')} ~ {v.get('returned_on') or v.get('return_due_on')} · {v.get('purpose') or ''}"
        elif r.form_code == CAL:
            text = f"{v.get('calibrated_on')} · {v.get('certificate_no')} · {v.get('result')}"
        else:
            text = (v.get("description") or "")[:80]
        history.append({"record": r, "title": titles[r.form_code], "text": text})
    holder = None
    if inst.holder_id:
        from ..auth.models import User
        holder = db.session.get(User, inst.holder_id)
    return {"template": "instruments/panel.html", "inst": inst, "state": permit_state(inst), "today": today().isoformat(),
            "reasons": refusals(inst, today()), "history": history, "holder": holder,
            "state_text": {"valid": _("Valid"), "restricted": _("Restricted use"), "stopped": _("Stopped")}}


def billing_result(record, locale: str = "zh_CN") -> dict:
    """The computed accuracy beside the threshold of the switch type (page and printout)."""
    spec = specs.by_revision(record.form_revision_id)
    acc, limit = accuracy(record.values), threshold(spec, record.values)
    return {"accuracy": f"{acc:.4f}%" if acc is not None else "—", "threshold": f"{limit}%" if limit is not None else "—",
            "below": acc is not None and limit is not None and acc < limit}


def billing_panel(record, spec, user) -> dict:
    return {"template": "instruments/panel_billing.html", **billing_result(record)}


def install() -> None:
    """Register the record-page panels and what the billing-test printout computes."""
    record_views.PANELS[INTAKE] = intake_panel
    record_views.PANELS[BILLING] = billing_panel
    record_views.PDF_EXTRAS[BILLING] = billing_result
