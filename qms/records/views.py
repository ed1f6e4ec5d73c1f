"""Generic record screens: every declared form gets these from its declaration alone."""
from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..auth.models import Department
from ..core import attachments as storage
from ..core import pdf
from ..core.audit import AuditEvent
from ..core.i18n import current_locale, tr
from ..core.timeutil import utcnow
from ..core.writes import refusal_text, remember_sent, sent_before, web_write
from ..documents import loader as procedures
from ..extensions import db
from . import export, lines, links, policy, printing, register, service, waiting
from . import spec as specs
from .models import Attachment, Record
from .present import (
    STATUS_LABELS,
    cell,
    column_label,
    prefetch_links,
    present_values,
    status_label,
    templates_for,
    value_text,
)
from .procedures import rules_for
from .webforms import defaults_by_choice, form_class, initial_values, resolve_default, to_formdata

bp = Blueprint("records", __name__)

def query_messages() -> dict:
    return {"date": _("Enter a date as YYYY-MM-DD."), "choice": _("Not a valid choice."),
            "cursor": _("This page link is no longer valid."), "long": _("The search text is too long."),
            "phone": _("Enter a valid phone number.")}


def load_spec(code: str):
    spec = specs.get(code)
    if spec is None:
        abort(404)
    return spec


def load_record(code: str, record_id: int, action: str = "view"):
    """The record and the spec it was filled under; 404 if absent, 403 if not permitted."""
    record = db.session.get(Record, record_id)
    if record is None or record.form_code != code:
        abort(404)
    spec = specs.by_revision(record.form_revision_id)
    policy.require(current_user, action, spec, record)
    return record, spec


def user():
    return current_user._get_current_object()


@bp.route("/forms")
@login_required
def catalog():
    """Every form the user may see, grouped by procedure."""
    groups: dict = {}
    for spec in specs.all_specs():
        if policy.can(user(), "view", spec):
            groups.setdefault(spec.procedure, []).append(spec)
    titles = {p.code: p for p in procedures.current_all()}
    return render_template("records/catalog.html", groups=groups, procedures=titles)


@bp.route("/r/<code>/")
@login_required
def register_view(code: str):
    """The register: filters, search, sort, keyset pages."""
    spec = load_spec(code)
    policy.require(user(), "view", spec)
    try:
        page = register.page(spec, user(), request.args, query_messages(), current_app_page_size())
        errors = {}
    except register.BadQuery as exc:
        page, errors = register.Page([], None, None, "id", True), exc.errors
    locale = current_locale()
    rows = []
    _linked = prefetch_links(spec, page.rows)  # noqa: F841  (held while the cells read them)
    for r in page.rows:
        values = r.values  # decode the JSON once per row, not once per cell
        rows.append((r, [cell(spec, r, c, locale, values) for c in spec.register_columns]))
    departments = db.session.execute(select(Department).order_by(Department.id)).scalars().all()
    status = 422 if errors else 200
    return render_template(templates_for(spec, "register.html"), spec=spec, page=page, rows=rows, errors=errors,
                           columns=[(c, column_label(spec, c, locale)) for c in spec.register_columns],
                           departments=departments), status


def current_app_page_size() -> int:
    return current_app.config["QMS_PAGE_SIZE"]


@bp.route("/r/<code>/export.<fmt>")
@login_required
def export_view(code: str, fmt: str):
    """The filtered register as CSV, XLSX or PDF."""
    spec = load_spec(code)
    policy.require(user(), "export", spec)
    if fmt not in ("csv", "xlsx", "pdf"):
        abort(404)
    locale = current_locale()
    limit = export.PDF_ROW_LIMIT if fmt == "pdf" else 100_000
    try:
        records = list(register.iterate(spec, user(), request.args, query_messages(), limit=limit))
        _linked = prefetch_links(spec, records)  # noqa: F841  (held while the cells read them)
    except register.BadQuery as exc:
        return render_template("error.html", code=422, message="; ".join(exc.messages())), 422
    now = utcnow()
    name = export.file_name(spec.code, fmt, now)
    filters = filter_summary(spec, request.args, locale)
    if fmt == "csv":
        data, mime = export.to_csv(spec, records, locale), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        data, mime = export.to_xlsx(spec, records, locale, export.caption(filters, user().full_name, now)), pdf.XLSX
    else:
        data, mime = export.to_pdf(spec, records, locale, printed_at=now, printed_by=user().full_name,
                                   procedure=procedures.current(spec.procedure), filters=filters), "application/pdf"
    # A printed register opens in the browser, to read or print; the others are files to work with.
    return pdf.file_response(data, name, mime, inline=fmt == "pdf")


def filter_summary(spec, args, locale: str) -> str:
    """The filters of a register export in words, printed on the PDF."""
    parts = []
    if args.get("q"):
        parts.append(f"“{args['q'][:100]}”")
    if args.get("status") in STATUS_LABELS:
        parts.append(status_label(args["status"]))
    for name in spec.register_filters:
        f = spec.filter_fields.get(name)
        if f is None:
            continue
        if args.get(name):
            parts.append(f"{tr(f.label, locale)} = {value_text(f, args[name], locale)}")
        lo, hi = args.get(name + "_from"), args.get(name + "_to")
        if lo or hi:
            parts.append(f"{tr(f.label, locale)} {lo or '…'} ~ {hi or '…'}")
    return "; ".join(parts)


@bp.route("/r/<code>/new", methods=["GET", "POST"])
@login_required
def new(code: str):
    """Fill a new record (saved as a draft)."""
    spec = load_spec(code)
    policy.require(user(), "create", spec)
    locale = current_locale()
    only = service.step_names(spec, spec.workflow[0].name)
    initial = initial_values(spec, only, request.args, user()) if request.method == "GET" else {}
    form = form_class(spec, locale, only)(formdata=request.form if request.method == "POST"
                                          else (MultiDict(initial) if initial else None))
    departments = department_choices(spec)
    page = dict(record=None, step=spec.workflow[0], values={}, departments=departments, may_sign=True,
                auto_defaults=defaults_by_choice(spec, only, user()))
    if request.method == "POST" and request.form.get("_rows"):  # a row added or removed, without script
        data = lines.rearranged(spec, request.form, request.form["_rows"]) or request.form
        return _form_page(spec, form_class(spec, locale, only)(formdata=data), nonce=request.form.get("_nonce", ""),
                          department_id=request.form.get("_department", type=int), **page)
    if request.method == "POST":
        made = sent_before("created")
        if made:  # the same form sent twice (double click, reload): show the record it already made
            return redirect(url_for(".detail", code=code, record_id=made))
        signing = bool(request.form.get("_sign"))
        try:
            if signing:  # the password first: a wrong one keeps the form as typed, nothing saved
                service.verify_password(user(), request.form.get("password", ""), spec, None,
                                        spec.workflow[0].name)
            record = service.create(spec, user(), request.form, locale,
                                    department_id=request.form.get("_department", type=int))
            if signing:
                service.sign_verified(record, user(), locale)
            db.session.commit()
            remember_sent("created", record.id)
            if signing:
                flash(_("Saved and signed."), "success")
                return redirect(url_for(".detail", code=code, record_id=record.id, signed=1))
            flash(_("Draft saved. Check it, then sign to submit."), "success")
            return redirect(url_for(".detail", code=code, record_id=record.id))
        except service.ServiceError as exc:
            _form_refused(exc)
            form = getattr(exc, "form", None) or _with_errors(form, exc)
            return _form_page(spec, form, nonce=request.form.get("_nonce", ""), password_errors=_password_errors(exc),
                              department_id=request.form.get("_department", type=int), status=422, **page)
    return _form_page(spec, form, nonce=secrets.token_urlsafe(12),
                      department_id=request.args.get("_department", type=int), **page)


def _form_page(spec, form, status: int = 200, **page):
    """The form page (a new record, or the step being filled) with its line items, its computed
    values as typed so far, and where its script asks for them again while the person types."""
    record, locale = page.get("record"), current_locale()
    context = record.values if record is not None else {}
    tables = {f.name: lines.display(f, context.get(f.name) or [], locale)
              for f in spec.fields if f.type == "table" and f.name not in form._fields}
    blanks = {f.name: lines.blank_row(form, f) for f in spec.fields if f.type == "table"}
    computed = lines.preview(spec, form, context, locale)
    compute_url = (url_for(".compute_preview", code=spec.code, record_id=record.id) if record is not None
                   else url_for(".compute_preview", code=spec.code)) if computed else None
    return render_template(templates_for(spec, "edit.html"), spec=spec, form=form, tables=tables, blanks=blanks,
                           computed=computed, compute_url=compute_url, **page), status


@bp.route("/r/<code>/compute", methods=["POST"])
@bp.route("/r/<code>/<id:record_id>/compute", methods=["POST"])
@login_required
def compute_preview(code: str, record_id: int | None = None):
    """The computed values and totals of a form as typed so far (the page's script asks while the
    person types; the server works them out again on saving)."""
    if record_id is None:
        spec = load_spec(code)
        policy.require(user(), "create", spec)
        step, context = spec.workflow[0].name, {}
    else:
        record, spec = load_record(code, record_id)
        policy.require(user(), "edit", spec, record)
        step, context = service.editable_step(record, spec), record.values
        if step is None:
            return jsonify({}), 409
    form = form_class(spec, current_locale(), service.step_names(spec, step))(formdata=request.form)
    return jsonify(lines.preview(spec, form, context, current_locale()))


def _form_refused(exc) -> None:
    """Undo the request's writes after a refusal, but keep a refused signature's audit row (a
    wrong password is evidence); say why at the top of the form."""
    if isinstance(exc, service.SignatureRefused):
        db.session.commit()
    else:
        db.session.rollback()
    flash(exc.message if not isinstance(exc, service.SignatureRefused) else refusal_text(exc), "error")


def _password_errors(exc) -> list:
    """Messages shown at the password field (a wrong password, fields to fill before signing)."""
    return list(exc.errors.get("password", [])) if isinstance(exc, service.ServiceError) else []


def _with_errors(form, exc):
    """The form as typed, with the refusal's field messages next to their fields."""
    form.validate()
    for name, messages in exc.errors.items():
        if name in form._fields:
            form[name].errors = list(dict.fromkeys([*form[name].errors, *messages]))
    return form


def department_choices(spec) -> list:
    """Departments a company-wide author may file the record under (forms that declare a
    ``department_label``, e.g. the department responsible for a nonconformity); else none."""
    if not spec.department_label or not policy.company_wide(user()):
        return []
    return db.session.execute(select(Department).where(Department.active.is_(True))
                              .order_by(Department.code)).scalars().all()


@bp.route("/r/<code>/<id:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit(code: str, record_id: int):
    """Edit a draft; optimistic locking keeps a concurrent change from being overwritten."""
    record, spec = load_record(code, record_id)
    step = service.editable_step(record, spec)
    if step is None:
        flash(_("This record is signed or closed and cannot be changed."), "error")
        return redirect(url_for(".detail", code=code, record_id=record.id))
    policy.require(user(), "edit", spec, record)
    locale = current_locale()
    only = service.step_names(spec, step)
    may_sign = _signs_this_step(record, spec, step)
    page = dict(record=record, step=spec.step(step), may_sign=may_sign,
                auto_defaults=defaults_by_choice(spec, only, user()))
    if request.method == "POST" and request.form.get("_rows"):  # a row added or removed, without script
        data = lines.rearranged(spec, request.form, request.form["_rows"]) or request.form
        return _form_page(spec, form_class(spec, locale, only)(formdata=data), version=request.form.get("_version"),
                          values=present_values(spec, record, locale), **page)
    if request.method == "POST":
        signing = may_sign and bool(request.form.get("_sign"))
        try:
            if signing:  # the password first: a wrong one keeps the form as typed, nothing saved
                service.verify_password(user(), request.form.get("password", ""), spec, record, step)
            service.update(record, user(), request.form, locale, request.form.get("_version", type=int))
            if signing:
                service.sign_verified(record, user(), locale)
            db.session.commit()
            if signing:
                flash(_("Saved and signed."), "success")
                return redirect(url_for(".detail", code=code, record_id=record.id, signed=1))
            flash(_("Saved."), "success")
            return redirect(url_for(".detail", code=code, record_id=record.id))
        except service.ServiceError as exc:
            _form_refused(exc)
            form = getattr(exc, "form", None) or form_class(spec, locale, only)(formdata=request.form)
            if isinstance(exc, service.Conflict) or not getattr(exc, "form", None):
                form = _with_errors(form, exc)
            page["record"] = record = db.session.get(Record, record_id)
            return _form_page(spec, form, values=present_values(spec, record, locale),
                              conflict=isinstance(exc, service.Conflict), password_errors=_password_errors(exc),
                              version=request.form.get("_version"),
                              status=409 if isinstance(exc, service.Conflict) else 422, **page)
    data = to_formdata(spec, record.values)
    for f in spec.step_fields(step):  # a later step opens with its defaults (a return dated today)
        if record.values.get(f.name) in (None, "", []) and (value := resolve_default(f, user())) is not None:
            data[f.name] = value
    form = form_class(spec, locale, only)(formdata=data)
    return _form_page(spec, form, version=record.version, values=present_values(spec, record, locale), **page)


def _signs_this_step(record, spec, step: str) -> bool:
    """The person filling the step may also sign it (then the form offers "save and sign")."""
    signable = policy.signable_step(user(), spec, record)
    return signable is not None and signable.name == step


@bp.route("/next")
@login_required
def next_waiting():
    """下一条: the next record waiting for this person's signature (after ``after``), else home."""
    after = request.args.get("after", type=int)
    for r in waiting.waiting_for(user(), limit=10):
        if r.id != after:
            return redirect(url_for(".detail", code=r.form_code, record_id=r.id))
    flash(_("Nothing else waits for your signature."), "success")
    return redirect(url_for("home.index"))


def _related(record):
    """Earlier and later revisions of the record (each lookup is by an indexed column)."""
    rows = [db.session.get(Record, i) for i in (record.amended_from_id, record.superseded_by_id) if i]
    rows += db.session.execute(select(Record).where(Record.amended_from_id == record.id)).scalars().all()
    return sorted({r.id: r for r in rows}.values(), key=lambda r: r.id)


@bp.route("/r/<code>/<id:record_id>")
@login_required
def detail(code: str, record_id: int):
    """The record page: values, signatures with validity, history, attachments, links."""
    record, spec = load_record(code, record_id)
    return _detail_page(record, spec)


def _detail_page(record, spec, refused: dict | None = None, status: int = 200):
    """The record page; ``refused`` shows one of its forms again after a refusal:
    {"form": "send_back" | "void", "errors": {field: [message]}, "reason": what was typed}."""
    values = record.values
    locale = current_locale()
    sections = []
    for f in spec.fields:
        title = tr(f.section, locale) if f.section else ""
        if not sections or sections[-1][0] != title:
            sections.append((title, []))
        sections[-1][1].append((f, lines.display(f, values.get(f.name) or [], locale) if f.type == "table"
                                else value_text(f, values.get(f.name), locale)))
    history = db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "record", AuditEvent.object_id == str(record.id))
        .order_by(AuditEvent.id)).scalars().all()
    attachments = db.session.execute(
        select(Attachment).where(Attachment.record_id == record.id).order_by(Attachment.id)).scalars().all()
    step = policy.signable_step(user(), spec, record)
    valid = {sig.id: sig.is_valid(record, spec) for sig in record.signatures}
    # Required fields of the step still empty: fill them before the password is asked for.
    missing = [tr(f.label) for f in (spec.step_fields(step.name) if step else [])
               if f.required and values.get(f.name) in (None, "", [])]
    # Someone who would sign but signed an earlier step the declaration keeps apart (segregation).
    excluded = step is None and policy.segregated(user(), spec, record)
    blockers = service.sign_blockers(record, spec, step, user()) if step else []
    panel_of = rules_for(spec.code).panel  # a procedure's panel (a nonconformity's CAPA rounds...)
    panel = panel_of(record, spec, user()) if panel_of else None
    back_to = policy.send_back_step(user(), spec, record)  # the step a send back returns, if any
    return render_template(templates_for(spec, "detail.html"), spec=spec, record=record, sections=sections,
                           blockers=blockers, panel=panel, back_to=back_to, refused=refused or {},
                           history=history, attachments=attachments, sign_step=step,
                           related=_related(record), valid=valid, current_hash=record.content_hash(),
                           missing=missing, excluded=excluded, linked=links.linked_from(record, user()),
                           linked_max=links.LINKED_MAX,
                           can_fill=policy.can(user(), "edit", spec, record),
                           procedure=procedures.current(spec.procedure)), status


@bp.route("/r/<code>/<id:record_id>/sign", methods=["POST"])
@login_required
def sign(code: str, record_id: int):
    """E-sign the step waiting for this user, after re-entering the password."""
    record, spec = load_record(code, record_id)
    with web_write(_("Signed.")) as w:
        service.sign(record, user(), request.form.get("password", ""), current_locale())
    # After a signature the page offers 下一条 → (the next record waiting for this person).
    return redirect(url_for(".detail", code=code, record_id=record_id, signed=1 if w.ok else None))


def _refused(code: str, record_id: int, form: str, error):
    """The record page again after ``form`` was refused: the refusal flashed, its field messages
    beside the fields, the reason as typed (never the password)."""
    flash(error.message, "error")
    record, spec = load_record(code, record_id)  # as it is now (the refused write was rolled back)
    return _detail_page(record, spec, {"form": form, "errors": error.errors,
                                       "reason": request.form.get("reason", "")[:2000]}, error.status)


@bp.route("/r/<code>/<id:record_id>/send-back", methods=["POST"])
@login_required
def send_back(code: str, record_id: int):
    """Send the record back to the previous step with a reason, after re-entering the password
    (instead of signing the waiting step): that step's signature is returned."""
    record, spec = load_record(code, record_id)
    with web_write(_("The record was sent back to the previous step."), flash_refusal=False) as w:
        service.send_back(record, user(), request.form.get("reason", ""), request.form.get("password", ""))
    if w.ok:
        return redirect(url_for(".detail", code=code, record_id=record_id))
    return _refused(code, record_id, "send_back", w.error)


@bp.route("/r/<code>/<id:record_id>/void", methods=["POST"])
@login_required
def void(code: str, record_id: int):
    """Void, once the consequence is confirmed, with a reason and the password typed again."""
    record, spec = load_record(code, record_id)
    with web_write(_("The record was voided."), flash_refusal=False) as w:
        if not request.form.get("confirm"):
            raise service.ValidationFailed({"confirm": [_("Confirm that you understand what voiding does.")]})
        service.void(record, user(), request.form.get("reason", ""), request.form.get("password", ""))
    if w.ok:
        return redirect(url_for(".detail", code=code, record_id=record_id))
    return _refused(code, record_id, "void", w.error)


@bp.route("/r/<code>/<id:record_id>/discard", methods=["POST"])
@login_required
def discard(code: str, record_id: int):
    """The author gives up their own unsubmitted draft (voided with an automatic reason)."""
    record, spec = load_record(code, record_id)
    with web_write(_("The draft was discarded.")):
        service.discard(record, user())
    return redirect(url_for(".detail", code=code, record_id=record_id))


@bp.route("/r/<code>/<id:record_id>/amend", methods=["POST"])
@login_required
def amend(code: str, record_id: int):
    record, spec = load_record(code, record_id)
    with web_write(_("An amendment was started as a new draft revision.")) as w:
        new = service.amend(record, user(), request.form.get("reason", ""))
    if w.ok:
        return redirect(url_for(".edit", code=code, record_id=new.id))
    return redirect(url_for(".detail", code=code, record_id=record_id))


@bp.route("/r/<code>/<id:record_id>/attachments", methods=["POST"])
@login_required
def upload(code: str, record_id: int):
    record, spec = load_record(code, record_id)
    f = request.files.get("file")
    if f is None or not f.filename:
        flash(_("Choose a file to upload."), "error")
        return redirect(url_for(".detail", code=code, record_id=record_id))
    with web_write(_("File attached.")):
        service.attach(record, user(), f.stream, f.filename)
    return redirect(url_for(".detail", code=code, record_id=record_id))


@bp.route("/attachments/<id:attachment_id>")
@login_required
def download(attachment_id: int):
    """Download an attachment; always as a file, never rendered inline."""
    att = db.session.get(Attachment, attachment_id)
    if att is None:
        abort(404)
    record = db.session.get(Record, att.record_id)
    load_record(record.form_code, record.id)
    path = storage.path_for(att.sha256)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=att.content_type, as_attachment=True, download_name=att.filename)


@bp.route("/r/<code>/<id:record_id>.pdf")
@login_required
def pdf_view(code: str, record_id: int):
    """The printout, shown in the browser (print it from there), stamped with this moment."""
    record, spec = load_record(code, record_id)
    name = f"{record.display_number.replace('/', '-').lstrip('#')}.pdf"
    return pdf.file_response(printing.record_pdf(record, spec, current_locale(), printed_at=utcnow()),
                             f"{spec.code}-{name}", inline=True)
