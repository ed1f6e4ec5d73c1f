"""JSON API under /api/v1: bearer tokens, the same policy and services as the web pages."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, g, jsonify, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import Forbidden, NotFound

from ..auth.tokens import json_error as _error
from ..auth.tokens import token_required
from ..core import attachments as storage
from ..core.i18n import current_locale
from ..extensions import db
from ..records import customer_sign, policy, register, search_all, service
from ..records import customers_search as customer_search
from ..records import spec as specs
from ..records.customer_sign_models import CustomerSignature, Kind
from ..records.models import Attachment, Record
from ..records.search_views import search_messages
from ..records.views import query_messages
from ..records.webforms import json_to_formdata
from ..traceability import trace, trace_views  # the trace graph (IT-07): the app layer serves it
from . import openapi

bp = Blueprint("api", __name__, url_prefix="/api/v1")




def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise service.ValidationFailed({"body": [_("The body must be a JSON object.")]})
    return data


def _spec(code):
    spec = specs.get(code)
    if spec is None:
        raise NotFound(_("No such form."))
    return spec


def _record(record_id: int, action: str = "view"):
    record = db.session.get(Record, record_id)
    if record is None:
        raise NotFound(_("No such record."))
    spec = specs.by_revision(record.form_revision_id)
    if not policy.can(g.api_user, action, spec, record):
        raise Forbidden(_("You are not allowed to do this."))
    return record, spec


def record_json(record: Record, spec) -> dict:
    """A record as the API returns it."""
    return {
        "id": record.id, "form": record.form_code, "form_revision": spec.revision,
        "number": record.number, "revision_no": record.revision_no, "status": record.status,
        "current_step": record.current_step, "department_id": record.department_id,
        "created_by": record.created_by_id, "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(), "version": record.version, "values": record.values,
        "amended_from": record.amended_from_id, "superseded_by": record.superseded_by_id,
        "void_reason": record.void_reason,
        "signatures": [{"step": s.step, "meaning": s.meaning, "user_id": s.user_id,
                        "printed_name": s.printed_name, "signed_at": s.signed_at.isoformat(),
                        "content_hash": s.content_hash, "valid": s.is_valid(record, spec)}
                       for s in record.signatures],
        # Sent back: history only, never a signature of the record (no validity).
        "returned_signatures": [{"step": s.step, "meaning": s.meaning, "user_id": s.user_id,
                                 "printed_name": s.printed_name, "signed_at": s.signed_at.isoformat(),
                                 "returned_at": s.returned.returned_at.isoformat(),
                                 "returned_by": s.returned.returned_by_id, "reason": s.returned.reason}
                                for s in record.returned_signatures],
        "attachments": [attachment_json(a) for a in db.session.execute(
            select(Attachment).where(Attachment.record_id == record.id).order_by(Attachment.id)).scalars()],
        **_customer_signatures(record, spec),
    }


def _handle(fn):
    """Map service refusals to JSON errors; the request commits once on success."""
    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            result = fn(*args, **kwargs)
            db.session.commit()
            return result
        except service.SignatureRefused as exc:
            db.session.commit()  # keep the failed-signature audit row
            return _error(exc.status, exc.message, exc.errors)
        except service.ServiceError as exc:
            db.session.rollback()
            return _error(exc.status, exc.message, exc.errors)
        except register.BadQuery as exc:
            db.session.rollback()
            return _error(422, _("Please correct the highlighted fields."), exc.errors)
    return wrapper


@bp.route("/openapi.json")
def openapi_json():
    return jsonify(openapi.document())


@bp.route("/forms")
@token_required
def forms():
    out = [{"code": s.code, "revision": s.revision, "title": s.title, "procedure": s.procedure}
           for s in specs.all_specs() if policy.can(g.api_user, "view", s)]
    return jsonify({"forms": out})


@bp.route("/forms/<code>")
@token_required
def form_detail(code):
    spec = _spec(code)
    if not policy.can(g.api_user, "view", spec):
        raise Forbidden()
    return jsonify(openapi.form_description(spec))


@bp.route("/forms/<code>/records", methods=["GET"])
@token_required
@_handle
def list_records(code):
    spec = _spec(code)
    if not policy.can(g.api_user, "view", spec):
        raise Forbidden()
    limit = request.args.get("limit", "50")
    if not limit.isdigit() or not 1 <= int(limit) <= 200:
        raise register.BadQuery({"limit": [_("Must be between %(min)s and %(max)s.", min=1, max=200)]})
    page = register.page(spec, g.api_user, request.args, query_messages(), int(limit))
    return jsonify({"records": [record_json(r, specs.by_revision(r.form_revision_id)) for r in page.rows],
                    "next": page.next_cursor})


@bp.route("/forms/<code>/records", methods=["POST"])
@token_required
@_handle
def create_record(code):
    spec = _spec(code)
    if not policy.can(g.api_user, "create", spec):
        raise Forbidden()
    body = _body()
    values = body.get("values")
    if not isinstance(values, dict):
        raise service.ValidationFailed({"values": [_("Must be an object of field values.")]})
    md, errors = json_to_formdata(spec, values)
    if errors:
        raise service.ValidationFailed(errors)
    dept = body.get("department_id")
    if dept is not None and (not isinstance(dept, int) or isinstance(dept, bool)):
        raise service.ValidationFailed({"department_id": [_("Not a valid choice.")]})
    record = service.create(spec, g.api_user, md, current_locale(), department_id=dept)
    db.session.flush()
    return jsonify(record_json(record, spec)), 201


@bp.route("/records/<id:record_id>", methods=["GET"])
@token_required
def get_record(record_id):
    record, spec = _record(record_id)
    return jsonify(record_json(record, spec))


@bp.route("/records/<id:record_id>", methods=["PATCH"])
@token_required
@_handle
def patch_record(record_id):
    record, spec = _record(record_id)
    body = _body()
    values = body.get("values")
    if not isinstance(values, dict):
        raise service.ValidationFailed({"values": [_("Must be an object of field values.")]})
    version = body.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise service.ValidationFailed({"version": [_("Must be a whole number.")]})
    step = service.editable_step(record, spec)
    if step is None:
        raise service.LockedRecord(_("This record is signed or closed and cannot be changed."))
    editable = set(service.step_names(spec, step))
    stored = record.values
    fixed = {k: [_("This field cannot be changed at this step.")] for k, v in values.items()
             if k in spec.field_map and k not in editable and v != stored.get(k)}
    if fixed:
        raise service.ValidationFailed(fixed)
    merged = {**stored, **values}
    md, errors = json_to_formdata(spec, merged)
    if errors:
        raise service.ValidationFailed(errors)
    service.update(record, g.api_user, md, current_locale(), version)
    db.session.flush()
    return jsonify(record_json(record, spec))


def _text(body: dict, key: str) -> str:
    v = body.get(key, "")
    if not isinstance(v, str):
        raise service.ValidationFailed({key: [_("Must be text.")]})
    return v


@bp.route("/records/<id:record_id>/sign", methods=["POST"])
@token_required
@_handle
def sign_record(record_id):
    record, spec = _record(record_id)
    service.sign(record, g.api_user, _text(_body(), "password"), current_locale())
    db.session.flush()
    return jsonify(record_json(record, spec))


@bp.route("/records/<id:record_id>/void", methods=["POST"])
@token_required
@_handle
def void_record(record_id):
    """Void with ``{reason, password}`` (the password is checked as a signature's)."""
    record, spec = _record(record_id)
    body = _body()
    service.void(record, g.api_user, _text(body, "reason"), _text(body, "password"))
    db.session.flush()
    return jsonify(record_json(record, spec))


@bp.route("/records/<id:record_id>/send-back", methods=["POST"])
@token_required
@_handle
def send_back_record(record_id):
    """Send the record back to the previous step with ``{reason, password}``, instead of signing."""
    record, spec = _record(record_id)
    body = _body()
    service.send_back(record, g.api_user, _text(body, "reason"), _text(body, "password"))
    db.session.flush()
    return jsonify(record_json(record, spec))


@bp.route("/records/<id:record_id>/attachments", methods=["POST"])
@token_required
@_handle
def add_attachment(record_id):
    """Attach a file (multipart field ``file``); 413 above the size limit."""
    record, _spec = _record(record_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise service.ValidationFailed({"file": [_("Choose a file to upload.")]})
    att = service.attach(record, g.api_user, upload.stream, upload.filename)
    db.session.flush()
    return jsonify(attachment_json(att)), 201


@bp.route("/attachments/<id:attachment_id>")
@token_required
def get_attachment(attachment_id):
    """Download an attachment (always as a file)."""
    att = db.session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound(_("Not found."))
    _record(att.record_id)
    path = storage.path_for(att.sha256)
    if not path.exists():
        raise NotFound(_("Not found."))
    return send_file(path, mimetype=att.content_type, as_attachment=True, download_name=att.filename)


def attachment_json(att) -> dict:
    return {"id": att.id, "filename": att.filename, "content_type": att.content_type, "size": att.size,
            "sha256": att.sha256, "uploaded_by": att.uploaded_by_id, "uploaded_at": att.uploaded_at.isoformat()}


@bp.route("/records/<id:record_id>/amend", methods=["POST"])
@token_required
@_handle
def amend_record(record_id):
    record, spec = _record(record_id)
    new = service.amend(record, g.api_user, _text(_body(), "reason"))
    db.session.flush()
    return jsonify(record_json(new, specs.by_revision(new.form_revision_id))), 201


def customer_signature_json(cs, counts: bool = True) -> dict:
    """A customer's signature (or witnessed refusal) as the API returns it; ``counts``: it is the
    one the step's staff signature covers (not replaced by a later capture, not sent back)."""
    return {"id": cs.id, "step": cs.step, "kind": cs.kind, "customer_name": cs.customer_name,
            "sha256": cs.sha256, "content_type": cs.content_type, "size": cs.size,
            "refusal_reason": cs.refusal_reason, "witness": cs.witness_id, "captured_by": cs.captured_by_id,
            "captured_at": cs.captured_at.isoformat(), "counts": counts,
            "file": f"/api/v1/customer-signatures/{cs.id}" if cs.sha256 else None}


def _customer_signatures(record, spec) -> dict:
    """``customer_signatures`` of a record whose form declares them (others: no key, no query)."""
    if not any(s.customer_signature for s in spec.workflow):
        return {}
    counting = {cs.id for cs in customer_sign.for_record(record, spec).values()}
    return {"customer_signatures": [customer_signature_json(cs, cs.id in counting)
                                    for cs in customer_sign.history(record)]}


@bp.route("/records/<id:record_id>/customer-signature", methods=["POST"])
@token_required
@_handle
def add_customer_signature(record_id):
    """The customer's signature at the waiting step: JSON ``{kind: drawn, customer_name, signature}``
    (a PNG, base64 or a data URL, at most 2 MB) or ``{kind: refused, customer_name, reason, witness,
    witness_password}``; or multipart ``customer_name`` + ``file`` (the signed page: PNG, JPEG or
    PDF, at most 10 MB). 422 with field messages; nothing is stored then."""
    record, _spec = _record(record_id)
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        cs = customer_sign.capture_scan(record, g.api_user, request.form.get("customer_name", ""),
                                        upload.stream if upload else None, upload.filename if upload else "")
    else:
        body = _body()
        kind = body.get("kind")
        if kind == Kind.DRAWN:
            cs = customer_sign.capture_drawn(record, g.api_user, body.get("customer_name"), body.get("signature"))
        elif kind == Kind.REFUSED:
            cs = customer_sign.record_refusal(record, g.api_user, body.get("customer_name"), body.get("reason"),
                                              body.get("witness"), body.get("witness_password"))
        else:
            raise service.ValidationFailed({"kind": [_("Must be drawn or refused (a scan is sent as multipart).")]})
    db.session.flush()
    return jsonify(customer_signature_json(cs)), 201


@bp.route("/customer-signatures/<id:cs_id>")
@token_required
def get_customer_signature(cs_id):
    """The file of a customer's signature (the drawing or the signed page), as a file."""
    cs = db.session.get(CustomerSignature, cs_id)
    if cs is None or cs.sha256 is None:
        raise NotFound(_("Not found."))
    _record(cs.record_id)
    path = storage.path_for(cs.sha256)
    if not path.exists():
        raise NotFound(_("Not found."))
    return send_file(path, mimetype=cs.content_type, as_attachment=True, download_name=cs.filename)


def _customer_json(c) -> dict:
    return {"key": c.key, "kind": c.kind, "value": c.value, "phones": c.phones, "names": c.names,
            "records": c.records, "last_at": c.last_at.isoformat() if c.last_at else None}


@bp.route("/customers")
@token_required
@_handle
def customers_search():
    """Customers found by ``q`` (a phone number as typed, or a name's beginning), in the caller's scope;
    422 when ``q`` is empty or normalises to nothing ("---", "+86")."""
    found = customer_search.search(request.args.get("q"), g.api_user)
    return jsonify({"customers": [_customer_json(c) for c in found]})


@bp.route("/customers/<path:key>")
@token_required
@_handle
def customer_records(key):
    """Every record about the customer ``key`` the caller may read, newest first (keyset: ``after``)."""
    limit = request.args.get("limit", "50")
    if not limit.isdigit() or not 1 <= int(limit) <= 200:
        raise register.BadQuery({"limit": [_("Must be between %(min)s and %(max)s.", min=1, max=200)]})
    page = customer_search.customer_page(key, g.api_user, request.args.get("after"), int(limit))
    if page is None:
        raise NotFound(_("No such customer."))
    return jsonify({"customer": _customer_json(page.customer), "next": page.next_cursor, "records": [
        {"id": r.id, "form": r.form_code, "form_title": spec.title, "number": r.display_number, "status": r.status,
         "created_at": r.created_at.isoformat(), "department_id": r.department_id,
         "url": url_for("records.detail", code=r.form_code, record_id=r.id)} for r, spec in page.rows]})


@bp.route("/trace")
@token_required
@_handle
def trace_graph():
    """The traceability chain (IT-07) of ``q`` — a phone number as typed, a customer's name or a record
    number — as nodes and edges, only records the caller may read; 422 when ``q`` cannot be traced."""
    return jsonify(trace_views.trace_json(trace.build(request.args.get("q"), g.api_user)))


@bp.route("/search")
@token_required
@_handle
def search_everywhere():
    """``?q=`` over every register the caller may read, grouped by form (the header's search box);
    ``per_form`` hits per form (1-50, default 5)."""
    per_form = request.args.get("per_form", str(search_all.PER_FORM))
    if not per_form.isdigit() or not 1 <= int(per_form) <= search_all.MAX_PER_FORM:
        raise register.BadQuery({"per_form": [_("Must be between %(min)s and %(max)s.", min=1,
                                                max=search_all.MAX_PER_FORM)]})
    q = search_all.checked_query(request.args, search_messages())
    found = search_all.everywhere(g.api_user, q, search_messages(), int(per_form), current_locale())
    return jsonify({"q": found.q, "broad": found.broad, "groups": [
        {"form": grp.spec.code, "title": grp.spec.title, "more": grp.more, "partial": grp.partial,
         "records": [{"id": h.record.id, "number": h.record.number, "display_number": h.record.display_number,
                      "status": h.record.status, "summary": h.summary,
                      "url": url_for("records.detail", code=h.record.form_code, record_id=h.record.id)}
                     for h in grp.hits],
         "register_url": url_for("records.register_view", code=grp.spec.code, q=found.q)}
        for grp in found.groups]})
