"""The customer's signature on the record page and the printout: capture it (drawn on the screen
with the self-hosted signature pad, ``static/customer-signature.js``; a scan of the signed page; a
witnessed refusal), show it, serve its file; a full-screen page for a device handed to the customer.
The work is ``records.customer_sign``'s. CS-02, CS-05, CP-05, IT-03."""
from __future__ import annotations

import base64
import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from PIL import Image

from ..core import attachments as storage
from ..core.writes import web_write
from ..extensions import db
from . import customer_sign, views
from .customer_sign_models import CustomerSignature, Kind
from .models import Record
from .present import value_text

bp = Blueprint("customer_sign", __name__)
PRINT_MAX_SIDE = 1200  # a scan is printed from a copy this size: the page needs no 12 MP photo


def _typed() -> dict:
    """What was typed into the refused form (never a password), to show it again."""
    return {k: request.form.get(k, "")[:2000] for k in ("customer_name", "reason", "witness")}


@bp.route("/r/<code>/<id:record_id>/customer-signature", methods=["POST"])
@login_required
def capture(code: str, record_id: int):
    """Record the customer's signature at the waiting step: ``mode`` drawn (the pad's PNG in
    ``signature``), scan (``file``) or refused (``reason``, ``witness``, ``witness_password``)."""
    record, spec = views.load_record(code, record_id)
    user = current_user._get_current_object()
    mode = request.form.get("mode", "")
    name = request.form.get("customer_name", "")
    with web_write(_("The customer's signature was recorded."), flash_refusal=False) as w:
        if mode == Kind.DRAWN:
            customer_sign.capture_drawn(record, user, name, request.form.get("signature", ""))
        elif mode == Kind.SCAN:
            upload = request.files.get("file")
            customer_sign.capture_scan(record, user, name, upload.stream if upload else None,
                                       upload.filename if upload else "")
        elif mode == Kind.REFUSED:
            customer_sign.record_refusal(record, user, name, request.form.get("reason", ""),
                                         request.form.get("witness", ""), request.form.get("witness_password", ""))
        else:
            abort(400)
    if w.ok:
        return redirect(url_for("records.detail", code=code, record_id=record_id) + "#customer-signature")
    record, spec = views.load_record(code, record_id)  # as it is now: the refused write was rolled back
    refused = {"form": "customer_signature", "mode": mode, "errors": w.error.errors, "message": w.error.message,
               **_typed()}
    if request.form.get("_screen") and (step := customer_sign.capturable_step(current_user, spec, record)):
        return _screen(record, spec, step, refused), w.error.status
    return views._detail_page(record, spec, refused, w.error.status)


@bp.route("/r/<code>/<id:record_id>/customer-signature", methods=["GET"])
@login_required
def screen(code: str, record_id: int):
    """The full-screen signing page: handed to the customer on a phone or a counter tablet."""
    record, spec = views.load_record(code, record_id)
    step = customer_sign.capturable_step(current_user, spec, record)
    if step is None:
        flash(_("No step of this record waits for the customer's signature."), "error")
        return redirect(url_for("records.detail", code=code, record_id=record_id))
    return _screen(record, spec, step, {})


def _screen(record, spec, step, refused: dict) -> str:
    """The customer sees the fields they sign for (those the step's signature covers)."""
    values = record.values
    items = [(f, value_text(f, values.get(f.name))) for f in spec.fields_upto(step.name)]
    return render_template("records/_customer_signature_screen.html", record=record, spec=spec, step=step,
                           items=items, refused=refused)


def _load(cs_id: int) -> CustomerSignature:
    cs = db.session.get(CustomerSignature, cs_id)
    if cs is None or cs.sha256 is None:
        abort(404)
    record = db.session.get(Record, cs.record_id)
    views.load_record(record.form_code, record.id)  # 403 unless the record may be read
    return cs


@bp.route("/customer-signatures/<id:cs_id>")
@login_required
def file(cs_id: int):
    """The signature's file: an image shown in the page (it was decoded when captured), a PDF
    downloaded."""
    cs = _load(cs_id)
    path = storage.path_for(cs.sha256)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=cs.content_type, as_attachment=cs.kind == Kind.SCAN and cs.content_type
                     == "application/pdf", download_name=cs.filename)


@bp.app_template_global("customer_signature_panel")
def panel(record, spec) -> dict | None:
    """What the record page shows of the customers' signatures: per declaring step the one that
    counts, how many were replaced, and the step at which this person may capture one now."""
    steps = [s for s in spec.workflow if s.customer_signature]
    if not steps or record.id is None:
        return None
    counted = customer_sign.for_record(record, spec)
    everything = customer_sign.history(record)
    return {"steps": [(s, counted.get(s.name)) for s in steps],
            "replaced": [cs for cs in everything if cs not in counted.values()],
            "capture_step": customer_sign.capturable_step(current_user, spec, record)
            if current_user.is_authenticated else None,
            "drawn_max_mb": customer_sign.DRAWN_MAX_BYTES // (1024 * 1024),
            "scan_max_mb": customer_sign.SCAN_MAX_BYTES // (1024 * 1024)}


@bp.app_template_global("customer_signatures_for_print")
def for_print(record, spec) -> dict:
    """{step name: (customer signature, image as a data: URL or None)} for the printout: the
    image is inlined (the PDF renderer fetches nothing else); a scanned PDF is named, not drawn."""
    return {step_name: (cs, _data_url(cs)) for step_name, cs in customer_sign.for_record(record, spec).items()}


def _data_url(cs: CustomerSignature) -> str | None:
    if cs.sha256 is None or cs.content_type not in ("image/png", "image/jpeg"):
        return None
    path = storage.path_for(cs.sha256)
    if not path.exists():
        return None
    data = path.read_bytes()
    if cs.kind == Kind.SCAN:
        img = Image.open(io.BytesIO(data))
        if max(img.size) > PRINT_MAX_SIDE:
            img.thumbnail((PRINT_MAX_SIDE, PRINT_MAX_SIDE))
            out = io.BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=80)
            return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()
    return f"data:{cs.content_type};base64," + base64.b64encode(data).decode()
