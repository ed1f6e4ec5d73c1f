"""Pages of the instruments procedure: the permit label and label sheets (INS-04), and the
instrument's panel on its intake record page — live status, usage file (INS-05) and the actions
a technician needs on a phone after scanning the label."""
from __future__ import annotations

import functools
import secrets
from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Date, bindparam, func, select

from ..auth.lookup import names
from ..auth.models import Department, User
from ..core import pdf
from ..core.i18n import current_locale, tr
from ..core.timeutil import today, utcnow
from ..core.writes import remember_sent, sent_before, web_write
from ..extensions import db
from ..records import policy, service
from ..records import spec as specs
from ..records.models import Record
from ..records.webforms import to_formdata
from . import batches, events, loans, permissions, switches
from .forms import BILLING, CAL, INTAKE, MAINT, SENDOUT, USAGE
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


PICKABLE = ("due30", "overdue")  # the due lists: tick instruments, make a send-out manifest (item 8)
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
                           pickable=show in PICKABLE, away=_numbers({r.sendout_id for r in rows if r.sendout_id}),
                           may_test=policy.can(current_user, "create", specs.get(BILLING)),
                           intake_spec=specs.get(INTAKE))


def _numbers(ids: set) -> dict:
    """{record id: number} of a page's send-outs, in one query."""
    if not ids:
        return {}
    return dict(db.session.execute(select(Record.id, Record.number).where(Record.id.in_(ids))).all())


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
    maintainer = permissions.maintainer_code(inst)
    # Only the buttons this person can follow through (a clerk does not record calibrations).
    loan = db.session.get(Record, inst.loan_id) if inst.loan_id else None
    may = {"calibrate": policy.can(user, "create", specs.get(CAL)),
           "maintain": permissions.maintains(user, inst) and policy.can(user, "create", specs.get(MAINT)),
           "hand_over": permissions.may_hand_over(user, inst),
           "check_out": policy.can(user, "create", specs.get(USAGE)),
           "accept": permissions.accepts_return(user, inst, loan),
           "hand_back": permissions.may_hand_back(user, inst, loan)}
    back = loans.handed_back(loan)
    # Requests waiting to be approved or handed out (a borrower outside the keeping department);
    # none can go out while a loan is out, so they are not looked up then.
    waiting = [] if inst.loan_id else loans.waiting_requests(inst.id)
    people = names([inst.holder_id, inst.custodian_id] + [e.person_id for e in lines]
                   + [r.values.get("borrower") for r in waiting])
    return {"template": "instruments/panel.html", "inst": inst, "state": permit_state(inst),
            "waiting": waiting,
            "loan": loan, "handed_back": back, "handed_back_on": loans.handed_back_on(back),
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
    # "-unstamped": the printed-at line is stamped on as the file is served (it says when it was
    # printed, not when it was cached), as record printouts are.
    key = (f"usage-{inst.id}-{newest[0].id if newest else 0}-{changed}-{today().isoformat()}-{current_locale()}"
           "-unstamped")

    def produce() -> bytes:
        lines = list(reversed(events.page(inst.id, None, FILE_PDF_MAX)))
        state = permit_state(inst)
        return pdf.render("pdf/usage_file.html", inst=inst, intake=db.session.get(Record, inst.id), lines=lines,
                          kinds=events.KIND_TEXT, names=names(e.person_id for e in lines),
                          state_text=STATE_TEXT[state] if current_locale() != "en" else STATE_TEXT_EN[state],
                          custodian=names([inst.custodian_id]).get(inst.custodian_id, ""),
                          department=db.session.get(Department, inst.department_id), locale=current_locale(),
                          printed_at=None)
    data = pdf.stamped(pdf.cached(key, produce), printed_at=utcnow(), locale=current_locale())
    return pdf.file_response(data, f"usage-file-{inst.asset_no}.pdf", inline=True)


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


# ---- a loan from the label page, one screen each (INS-02, INS-04) ----


def _instrument_page(inst: Instrument):
    return redirect(url_for("records.detail", code=INTAKE, record_id=inst.id))


def _loan_of(inst: Instrument) -> Record | None:
    return db.session.get(Record, inst.loan_id) if inst.loan_id else None


def _my_department(spec) -> str:
    """The borrowing department a short loan starts with: the user's own, when the form lists it."""
    code = permissions.dept_code(current_user)
    return code if code in {v for v, _label in spec.field_map["borrowing_department"].choices} else ""


@bp.route("/instruments/<id:instrument_id>/check-out", methods=["GET", "POST"])
@login_required
def check_out(instrument_id: int):
    """A short loan in one screen: borrower me, my department, a due-date chip, the manual
    acknowledged, one password (request signed; handed out too when my department keeps it)."""
    inst = _file_instrument(instrument_id)
    spec = specs.get(USAGE)
    policy.require(current_user, "create", spec)
    form = {"days": request.form.get("days", ""), "purpose": request.form.get("purpose", ""),
            "department": request.form.get("department") or _my_department(spec),
            "manual_ack": request.form.get("manual_ack") == "y"}
    errors: dict = {}
    if request.method == "POST":
        if sent_before("quick_loans"):  # a double tap: the loan was made once
            return _instrument_page(inst)
        days = int(form["days"]) if form["days"].isdigit() and int(form["days"]) in loans.SHORT_DAYS else None
        if days is None:
            errors = {"days": [_("Choose when you bring it back.")]}
        else:
            with web_write(flash_refusal=False) as w:
                loan = loans.check_out(inst, current_user, days=days, department=form["department"],
                                       purpose=form["purpose"].strip(), manual_ack=form["manual_ack"],
                                       password=request.form.get("password", ""), locale=current_locale())
            if w.ok:
                remember_sent("quick_loans", loan.id)
                handed = loan.current_step == permissions.RETURN_STEP
                flash(_("Checked out: %(number)s. Bring it back by %(date)s.", number=loan.display_number,
                        date=loan.values["return_due_on"]) if handed else
                      _("Loan %(number)s requested; 技术发展部 or the custodian department hands it out.",
                        number=loan.display_number), "success")
                return _instrument_page(inst)
            errors = w.error.errors or {"password": [w.error.message]}
    on = today()
    chips = [(d, on + timedelta(days=d)) for d in loans.SHORT_DAYS]
    dept_field = spec.field_map["borrowing_department"]
    return render_template("instruments/check_out.html", inst=inst, state=permit_state(inst), form=form,
                           errors=errors, reasons=refusals(inst), loan=_loan_of(inst), chips=chips,
                           departments=[(v, tr(label)) for v, label in dept_field.choices],
                           manual=db.session.get(Record, inst.id).values.get("accessories"),
                           today=on.isoformat(), nonce=secrets.token_urlsafe(12)), 422 if errors else 200


@bp.route("/instruments/<id:instrument_id>/hand-back", methods=["GET", "POST"])
@login_required
def hand_back(instrument_id: int):
    """交回: the borrower hands the instrument back; the keeper is told and checks the return."""
    inst = _file_instrument(instrument_id)
    loan = _loan_of(inst)
    note, errors = request.form.get("note", ""), {}
    if request.method == "POST":
        if sent_before("hand_backs"):
            return _instrument_page(inst)
        with web_write(flash_refusal=False) as w:
            told = loans.hand_back(inst, loan, current_user, note) if loan else []
        if w.ok and loan:
            remember_sent("hand_backs", loan.id)
            flash(_("Handed back. %(who)s will check the return.", who="、".join(names(told).values())
                    or _("技术发展部 or the custodian department")), "success")
            return _instrument_page(inst)
        errors = w.error.errors if w.error else {"note": [_("The instrument is not on loan.")]}
    back = loans.handed_back(loan)
    return render_template("instruments/hand_back.html", inst=inst, state=permit_state(inst), loan=loan,
                           may=permissions.may_hand_back(current_user, inst, loan), note=note, errors=errors,
                           back=back, back_on=loans.handed_back_on(back), nonce=secrets.token_urlsafe(12)
                           ), 422 if errors else 200


@bp.route("/instruments/<id:instrument_id>/return", methods=["GET", "POST"])
@login_required
def return_check(instrument_id: int):
    """归还验收: the keeper checks the instrument back in, date and 完好 prefilled, one password."""
    inst = _file_instrument(instrument_id)
    loan = _loan_of(inst)
    if loan is None:
        flash(_("The instrument is not on loan."), "info")
        return _instrument_page(inst)
    form = loans.return_defaults(loan)
    errors: dict = {}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in form}
        with web_write(flash_refusal=False) as w:
            loans.accept_return(inst, loan, current_user, **form, password=request.form.get("password", ""),
                                locale=current_locale())
        if w.ok:
            flash(_("Return checked: %(number)s is closed.", number=loan.display_number), "success")
            return _instrument_page(inst)
        errors = w.error.errors or {"password": [w.error.message]}
        db.session.refresh(loan)
    spec = specs.by_revision(loan.form_revision_id)
    back = loans.handed_back(loan)
    return render_template("instruments/return.html", inst=inst, state=permit_state(inst), loan=loan, form=form,
                           errors=errors, may=permissions.accepts_return(current_user, inst, loan),
                           refusal=policy.sign_refusal(current_user, spec, loan), back=back,
                           back_on=loans.handed_back_on(back), holder=names([inst.holder_id]).get(inst.holder_id, ""),
                           conditions=[(v, tr(label)) for v, label in spec.field_map["condition_in"].choices]
                           ), 422 if errors else 200


def loan_panel(record, spec, user) -> dict | None:
    """On a loan's page, what its borrower and its keeper do next (hand back, check the return)."""
    inst = db.session.get(Instrument, record.values.get("instrument") or 0)
    if inst is None or inst.loan_id != record.id:
        return None
    back = loans.handed_back(record)
    return {"template": "instruments/panel_loan.html", "inst": inst, "back": back,
            "back_on": loans.handed_back_on(back), "accept": permissions.accepts_return(user, inst, record),
            "hand_back": permissions.may_hand_back(user, inst, record)}


# ---- a send-out manifest from the due lists (INS-03) ----


@bp.route("/instruments/send-out", methods=["POST"])
@login_required
def make_manifest():
    """生成送检清单: a draft INS-SENDOUT listing the ticked instruments (those away or on loan are left
    out and named), on a planned date; opens its edit page."""
    spec = specs.get(SENDOUT)
    policy.require(current_user, "create", spec)
    back = redirect(url_for(".dashboard", show=request.form.get("show", "due30")))
    ids = [int(x) for x in request.form.getlist("ids") if x.isdigit() and 0 < int(x) < 2**31][:batches.BATCH_MAX]
    found = db.session.execute(select(Instrument).where(Instrument.id.in_(ids)).order_by(Instrument.asset_no)
                               ).scalars().all() if ids else []
    busy = [i for i in found if i.sendout_id or i.loan_id or i.condition in GONE]
    chosen = [i.asset_no for i in found if i not in busy]
    if busy:
        flash(_("Left out (away, on loan or out of service): %(list)s",
                list="、".join(i.asset_no for i in busy)), "info")
    if not chosen:
        flash(_("Tick the instruments to send first."), "error")
        return back
    try:
        sent_on = date.fromisoformat(request.form.get("sent_on") or today().isoformat())
    except ValueError:
        flash(_("Not a valid date."), "error")
        return back
    values = {**{f.name: f.default for f in spec.fields if f.default is not None}, "sent_on": sent_on.isoformat(),
              "expected_back_on": (sent_on + timedelta(days=30)).isoformat(), "asset_nos": "\n".join(chosen)}
    with web_write(_("Manifest drafted with %(n)d instruments: check it, then sign it on the day it goes.",
                     n=len(chosen))) as w:
        record = service.create(spec, current_user, to_formdata(spec, values), current_locale())
    if not w.ok:
        return back
    return redirect(url_for("records.edit", code=SENDOUT, record_id=record.id))
