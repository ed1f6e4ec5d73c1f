"""Pages of the instruments procedure: the permit label and label sheets (INS-04), and the
instrument's panel on its intake record page — live status, usage file (INS-05) and the actions
a technician needs on a phone after scanning the label."""
from __future__ import annotations

import functools
from datetime import timedelta

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Date, bindparam, func, select

from ..auth.lookup import names
from ..auth.models import Department, User
from ..core import pdf
from ..core.i18n import current_locale
from ..core.timeutil import today, utcnow
from ..extensions import db
from ..records import policy
from ..records import spec as specs
from ..records.models import Record
from . import batches, events, permissions, switches
from .forms import BILLING, CAL, INTAKE, MAINT, SENDOUT
from .gate import permit_state, refusals
from .import_views import may_import
from .models import GONE, STOPPED, Condition, Instrument
from .switches import accuracy, threshold

bp = Blueprint("instruments", __name__)
SHEET_MAX = 300  # labels per sheet request (ten A4 pages)
STATE_TEXT = {"valid": "准用", "restricted": "限用", "stopped": "停用"}  # printed as on the paper label
STATE_TEXT_EN = {"valid": "valid", "restricted": "restricted use", "stopped": "out of service"}


LISTS = ("all", "due30", "overdue", "stopped", "on_loan", "loan_overdue", "away")
PAGE = 50


def _bad_page_link() -> str:
    return _("This page link is not valid; start again from the first page.")
PANEL_LINES = 20  # usage-file lines on the instrument page; the rest on the file's own pages
FILE_PDF_MAX = 5000  # lines in a printed usage file


def _list_where(show: str, on, on30) -> list:
    """What each dashboard list holds, as of ``on`` (``on30``: thirty days later)."""
    live = Instrument.condition.not_in(GONE)
    return {
        "all": [Instrument.condition != Condition.VOIDED],
        "due30": [live, Instrument.next_due_on >= on, Instrument.next_due_on <= on30],
        "overdue": [live, Instrument.next_due_on < on],
        "stopped": [Instrument.condition.in_(STOPPED)],
        "on_loan": [Instrument.loan_due_on.is_not(None)],  # set with the loan, cleared with it
        "loan_overdue": [Instrument.loan_due_on < on],
        "away": [Instrument.sendout_id.is_not(None)],
    }[show]


COUNTED = tuple(k for k in LISTS if k != "all")  # "all" is not counted: it would read the whole table


@functools.lru_cache(maxsize=1)
def _counts_statement():
    """Every dashboard count in one statement, each over a short index range; built once (composing
    the expressions cost more than running them), executed with today's dates."""
    on, on30 = bindparam("on", type_=Date), bindparam("on30", type_=Date)
    return select(*[select(func.count()).select_from(Instrument).where(*_list_where(k, on, on30)).scalar_subquery()
                    for k in COUNTED])


@bp.route("/instruments")
@login_required
def dashboard():
    """技术发展部's dashboard (INS-11 of the issue): what is due, overdue, stopped and out on loan,
    each count opening its list; loans out per person."""

    show = request.args.get("show", "all")
    if show not in LISTS:
        abort(422, description=_("There is no such list."))
    on = today()
    counted = db.session.execute(_counts_statement(), {"on": on, "on30": on + timedelta(days=30)}).one()
    counts = dict(zip(COUNTED, counted, strict=True))
    stmt = select(Instrument).where(*_list_where(show, on, on + timedelta(days=30)))
    after = request.args.get("after", "")
    if after:
        if not after.isdigit() or len(after) > 10:
            abort(422, description=_bad_page_link())
        stmt = stmt.where(Instrument.id < int(after))
    rows = db.session.execute(stmt.order_by(Instrument.id.desc()).limit(PAGE + 1)).scalars().all()
    nxt = rows[PAGE - 1].id if len(rows) > PAGE else None
    rows = rows[:PAGE]
    holders = db.session.execute(
        select(User.id, User.full_name, func.count(), func.min(Instrument.loan_due_on))
        .join(Instrument, Instrument.holder_id == User.id).group_by(User.id, User.full_name)
        .order_by(func.count().desc()).limit(50)).all()
    holder_names = names(r.holder_id for r in rows)
    return render_template("instruments/dashboard.html", counts=counts, show=show, rows=rows, next_after=nxt,
                           holders=holders, names=holder_names, today=on,
                           states={r.id: permit_state(r, on) for r in rows},
                           untested=switches.untested(), month=on.isoformat()[:7],
                           may_import=may_import(current_user),
                           may_send=policy.can(current_user, "create", specs.get(SENDOUT)),
                           may_test=policy.can(current_user, "create", specs.get(BILLING)),
                           intake_spec=specs.get(INTAKE))


def _visible(inst: Instrument) -> bool:
    intake = db.session.get(Record, inst.id)
    return intake is not None and policy.can(current_user, "view", specs.by_revision(intake.form_revision_id), intake)


def _label(inst: Instrument) -> dict:
    url = url_for("records.detail", code=INTAKE, record_id=inst.id, _external=True)
    state = permit_state(inst)
    final = inst.condition in GONE  # no validity date on a label of one out of service
    return {"asset_no": inst.asset_no, "number": inst.number, "name": inst.name, "model": inst.model,
            "calibrated_on": inst.calibrated_on, "next_due_on": None if final else inst.next_due_on, "state": state,
            "state_text": STATE_TEXT[state], "restriction": inst.restriction, "qr": pdf.qr_data_uri(url)}


def _pdf(labels: list[dict], name: str):
    return pdf.file_response(pdf.render("pdf/labels.html", labels=labels, locale=current_locale()), name, inline=True)


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
    stmt = select(Instrument).where(Instrument.condition != Condition.VOIDED)
    if raw:
        try:
            ids = [int(x) for x in raw.split(",") if x.strip()][:SHEET_MAX]
        except ValueError:
            abort(422, description=_("List instruments by their ids, separated by commas."))
        if any(not 0 < i < 2**31 for i in ids):
            abort(422, description=_("List instruments by their ids, separated by commas."))
        stmt = stmt.where(Instrument.id.in_(ids))
    dept = request.args.get("department", type=int)
    if dept:
        stmt = stmt.where(Instrument.department_id == dept)
    if not permissions.is_keeper(current_user):  # 技术发展部 keeps every instrument's label
        stmt = stmt.where(Instrument.department_id == current_user.department_id)
    found = db.session.execute(stmt.order_by(Instrument.asset_no).limit(SHEET_MAX)).scalars().all()
    return _pdf([_label(i) for i in found], "labels.pdf")


def intake_panel(record, spec, user) -> dict | None:
    """Live status of the instrument this intake record registered, what may be done with it,
    and the newest lines of its usage file."""
    inst = db.session.get(Instrument, record.id)
    if inst is None:
        return None
    lines = events.page(inst.id, limit=PANEL_LINES + 1)
    people = names([inst.holder_id, inst.custodian_id] + [e.person_id for e in lines])
    maintainer = permissions.maintainer_code(inst)
    # Only the buttons this person can follow through (a clerk does not record calibrations).
    may = {"calibrate": policy.can(user, "create", specs.get(CAL)),
           "maintain": permissions.maintains(user, inst) and policy.can(user, "create", specs.get(MAINT)),
           "hand_over": permissions.may_hand_over(user, inst)}
    return {"template": "instruments/panel.html", "inst": inst, "state": permit_state(inst),
            "today": today().isoformat(),
            "reasons": refusals(inst, today()), "lines": lines[:PANEL_LINES], "more": len(lines) > PANEL_LINES,
            "names": people, "kinds": events.KIND_TEXT, "maintainer": Department.by_code(maintainer), "may": may,
            "custodian_dept": db.session.get(Department, inst.department_id),
            "away": db.session.get(Record, inst.sendout_id) if inst.sendout_id else None,
            "state_text": {"valid": _("Valid"), "restricted": _("Restricted use"), "stopped": _("Out of service")}}


def _file_instrument(instrument_id: int) -> Instrument:
    inst = db.session.get(Instrument, instrument_id)
    if inst is None or not _visible(inst):
        abort(404)
    return inst


@bp.route("/instruments/<id:instrument_id>/file")
@login_required
def usage_file(instrument_id: int):
    """The whole usage file (使用档案, INS-05), newest first, 100 lines a page (keyset)."""
    inst = _file_instrument(instrument_id)
    try:
        cursor = events.parse_cursor(request.args.get("before", ""))
    except ValueError:
        abort(422, description=_bad_page_link())
    lines = events.page(inst.id, cursor, events.PAGE + 1)
    nxt = lines[events.PAGE - 1] if len(lines) > events.PAGE else None
    lines = lines[:events.PAGE]
    return render_template("instruments/file.html", inst=inst, lines=lines, kinds=events.KIND_TEXT,
                           names=names(e.person_id for e in lines),
                           next_cursor=f"{nxt.occurred_on.isoformat()}.{nxt.id}" if nxt else None,
                           state=permit_state(inst), reasons=refusals(inst))


@bp.route("/instruments/<id:instrument_id>/file.pdf")
@login_required
def usage_file_pdf(instrument_id: int):
    """The printed usage file: every line, oldest first, as the paper file is kept."""
    inst = _file_instrument(instrument_id)
    newest = events.page(inst.id, limit=1)
    # Rendered once per content: its newest line, the instrument's state (and today's, for the
    # permit), the language. A long file takes WeasyPrint seconds; printing it again takes none.
    changed = int(inst.updated_at.timestamp() * 1e6) if inst.updated_at else 0
    key = f"usage-{inst.id}-{newest[0].id if newest else 0}-{changed}-{today().isoformat()}-{current_locale()}"

    def produce() -> bytes:
        lines = list(reversed(events.page(inst.id, None, FILE_PDF_MAX)))
        state = permit_state(inst)
        return pdf.render("pdf/usage_file.html", inst=inst, intake=db.session.get(Record, inst.id), lines=lines,
                          kinds=events.KIND_TEXT, names=names(e.person_id for e in lines),
                          state_text=STATE_TEXT[state] if current_locale() != "en" else STATE_TEXT_EN[state],
                          custodian=names([inst.custodian_id]).get(inst.custodian_id, ""),
                          department=db.session.get(Department, inst.department_id), locale=current_locale(),
                          printed_at=utcnow())
    return pdf.file_response(pdf.cached(key, produce), f"usage-file-{inst.asset_no}.pdf", inline=True)


def sendout_panel(record, spec, user) -> dict:
    """The manifest's instruments and the calibration record each came back with."""
    return {"template": "instruments/panel_sendout.html", **batches.manifest(record)}


def billing_result(record, locale: str = "zh_CN") -> dict:
    """The computed accuracy beside the threshold of the switch type (page and printout)."""
    spec = specs.by_revision(record.form_revision_id)
    acc, limit = accuracy(record.values), threshold(spec, record.values)
    return {"accuracy": f"{acc:.4f}%" if acc is not None else "—",
            "threshold": f"{limit}%" if limit is not None else "—",
            "below": acc is not None and limit is not None and acc < limit}


def billing_panel(record, spec, user) -> dict:
    return {"template": "instruments/panel_billing.html", **billing_result(record)}
