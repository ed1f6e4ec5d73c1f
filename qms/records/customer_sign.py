"""Customer signatures at a workflow step: captured, checked, stored (CS-02, CS-05, CP-05, IT-03).

Customers are not users. At a step that declares ``customer_signature``, whoever may sign the
step records the customer's signature before signing it themselves: drawn on the screen
(:func:`capture_drawn`, a PNG), a scan or photo of the signed paper page (:func:`capture_scan`,
PNG, JPEG or PDF), or the customer's refusal with the reason, witnessed by a second member of staff
who types their own password (:func:`record_refusal`). The file goes to ``core.attachments``
(content-addressed by SHA-256); the row to ``customer_sign_models`` (append-only); the staff
signature of the step covers it (``Record.signed_hash``); a step that requires it cannot be signed
without it (``customer_sign_models.sign_blocker``, run by ``service.sign_blockers`` for the web, the API and the
importer). Every refusal is field by field; nothing is stored until every check has passed.
"""
from __future__ import annotations

import base64
import binascii
import io
import re

from flask_babel import gettext as _
from PIL import Image, ImageChops, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from sqlalchemy import select

from ..auth.models import User
from ..core import attachments as storage
from ..core import audit
from ..core.errors import Conflict, SignatureRefused, ValidationFailed
from ..core.i18n import record_language
from ..core.timeutil import utcnow
from ..extensions import db
from . import policy, service
from . import spec as specs
from .customer_sign_models import CustomerSignature, Kind, counting, sign_blocker  # noqa: F401  (re-exported)
from .models import OPEN, Record

DRAWN_MAX_BYTES = 2 * 1024 * 1024  # a drawn signature: a PNG of a few tens of KB; 2 MB is generous
SCAN_MAX_BYTES = 10 * 1024 * 1024  # a phone photo or a scanned A4 page
MAX_PIXELS = 40_000_000  # refuse larger images before decoding them (a 12 MP photo is 12 M)
# A drawing counts as a signature when it has at least this much ink: a tap or a stray dot does not.
MIN_INK_PIXELS, MIN_INK_SPAN = 80, 30
SCAN_TYPES = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "pdf": "pdf"}
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff", "pdf": b"%PDF-"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def capturable_step(user, spec, record):
    """The waiting step at which ``user`` may record the customer's signature now (it declares
    one and ``user`` may sign it), or None."""
    if record.status not in OPEN:
        return None
    step = policy.signable_step(user, spec, record)
    return step if step is not None and step.customer_signature else None


def for_record(record, spec) -> dict:
    """{step name: the customer signature that counts there} for the steps that declare one
    (steps without one yet are left out)."""
    out = {}
    for step in spec.workflow:
        if step.customer_signature and (cs := counting(record, step.name)) is not None:
            out[step.name] = cs
    return out


def history(record) -> list[CustomerSignature]:
    """Every customer signature captured on ``record``, the replaced and stale ones included."""
    return list(db.session.execute(select(CustomerSignature).where(CustomerSignature.record_id == record.id)
                                   .order_by(CustomerSignature.id)).scalars())


def _step(record, user):
    spec = specs.by_revision(record.form_revision_id)
    policy.require(user, "view", spec, record)
    waiting = spec.step(record.current_step) if record.status in OPEN and record.current_step else None
    if waiting is None or not waiting.customer_signature:
        raise Conflict(_("No step of this record waits for the customer's signature."))
    step = capturable_step(user, spec, record)
    if step is None:
        raise SignatureRefused(policy.sign_refusal(user, spec, record)
                               or _("You cannot sign this step, so you cannot record the customer's signature."))
    return spec, step


def _name(value, errors: dict) -> str:
    name = (value or "").strip() if isinstance(value, str) else ""
    if not name:
        errors["customer_name"] = [_("Enter the customer's name as the customer writes it.")]
    elif len(name) > 120:
        errors["customer_name"] = [_("At most %(max)d characters.", max=120)]
    elif _CONTROL.search(name):
        errors["customer_name"] = [_("Contains characters that are not allowed.")]
    return name


def _image(data: bytes, kind: str):
    """Decode an image fully (a truncated or fake file fails here); None if it is not one."""
    try:
        img = Image.open(io.BytesIO(data))
        if img.format.lower() != kind or img.width * img.height > MAX_PIXELS:
            return None
        img.load()
        return img
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None


def has_ink(img) -> bool:
    """Whether a drawing holds a signature: enough dark, visible pixels spread over some distance
    (the pad draws dark strokes on a transparent or white ground)."""
    rgba = img.convert("RGBA")
    visible = rgba.getchannel("A").point(lambda a: 255 if a > 40 else 0)
    dark = rgba.convert("L").point(lambda v: 255 if v < 180 else 0)
    ink = ImageChops.multiply(visible, dark)
    box = ink.getbbox()
    if box is None:
        return False
    return ink.histogram()[255] >= MIN_INK_PIXELS and max(box[2] - box[0], box[3] - box[1]) >= MIN_INK_SPAN


def decode_drawing(value) -> bytes | None:
    """The PNG bytes of a drawing sent as a ``data:image/png;base64,...`` URL or bare base64; None
    if it is not base64."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if value.startswith("data:"):
        head, _sep, value = value.partition(",")
        if head.lower() != "data:image/png;base64":
            return None
    if len(value) > DRAWN_MAX_BYTES * 4 // 3 + 8:
        return b"\0" * (DRAWN_MAX_BYTES + 1)  # over the limit: said as such, without decoding it
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _drawing_errors(data: bytes | None) -> list[str]:
    if data == b"":
        return [_("The customer has not signed yet: the signature box is empty.")]
    if data is not None and len(data) > DRAWN_MAX_BYTES:
        return [_("The signature image is larger than %(mb)d MB.", mb=DRAWN_MAX_BYTES // (1024 * 1024))]
    img = _image(data, "png") if data and data.startswith(MAGIC["png"]) else None
    if img is None:
        return [_("The signature must be a PNG image (data:image/png;base64,...).")]
    try:
        inked = has_ink(img)
    except (ValueError, OSError):  # a pixel format the check cannot read: not what the pad makes
        return [_("The signature must be a PNG image (data:image/png;base64,...).")]
    if not inked:
        return [_("The signature box is empty or holds only a dot: ask the customer to sign.")]
    return []


def _scan_errors(data: bytes, filename: str) -> list[str]:
    ext = storage.extension(storage.safe_filename(filename))
    kind = SCAN_TYPES.get(ext)
    if kind is None:
        return [_("Upload the signed page as a PNG or JPEG image or a PDF.")]
    if not data:
        return [_("The file is empty.")]
    if len(data) > SCAN_MAX_BYTES:
        return [_("The file is larger than %(mb)d MB.", mb=SCAN_MAX_BYTES // (1024 * 1024))]
    if not data.startswith(MAGIC[kind]):
        return [_("The file content does not match its type.")]
    if kind == "pdf":
        try:
            if len(PdfReader(io.BytesIO(data)).pages) < 1:
                raise PdfReadError("no pages")
        except (PdfReadError, ValueError, OSError, KeyError, TypeError):
            return [_("The PDF cannot be read.")]
    elif _image(data, kind) is None:
        return [_("The image cannot be read.")]
    return []


def _store(data: bytes, filename: str) -> tuple[str, int, str, str]:
    try:
        return storage.store(io.BytesIO(data), filename, {
            "type": _("This file type is not allowed."), "empty": _("The file is empty."),
            "content": _("The file content does not match its type.")})
    except storage.AttachmentRefused as exc:
        raise ValidationFailed({"file": [str(exc)]}) from None


def _save(record, spec, step, user, cs: CustomerSignature, action_text: str, reason: str = "") -> CustomerSignature:
    """Add the row (counted from now on for the step), date the record, audit it."""
    cs.record_id, cs.step, cs.captured_by_id, cs.captured_at = record.id, step.name, user.id, utcnow()
    cs.step_round = sum(1 for s in record.returned_signatures if s.step == step.name)
    db.session.add(cs)
    record.updated_at = utcnow()  # a new version: the cached printout is rendered again
    db.session.flush()
    if cs.kind == Kind.REFUSED:
        audit.log("customer_refusal", actor=user, obj_type="record", obj_id=record.id,
                  summary=f"{spec.code} {record.display_number}", reason=reason,
                  changes={"step": [None, step.name], "customer_signature": [None, action_text]})
    else:
        audit.log("customer_signature", actor=user, obj_type="record", obj_id=record.id,
                  summary=f"{spec.code} {record.display_number}",
                  changes={"step": [None, step.name], "customer_signature": [None, action_text]})
    return cs


def _file_text(cs: CustomerSignature) -> str:
    with record_language():
        how = _("drawn on screen") if cs.kind == Kind.DRAWN else _("signed page uploaded")
    return f"{cs.customer_name} · {how} · {cs.filename} ({cs.size} B, sha256 {cs.sha256[:12]})"


def capture_drawn(record: Record, user, customer_name, drawing) -> CustomerSignature:
    """The customer signed on the screen: ``drawing`` is the pad's PNG (a data URL or base64, or
    the bytes). Refused field by field: no name, not a PNG, over 2 MB, nothing drawn."""
    spec, step = _step(record, user)
    errors: dict = {}
    name = _name(customer_name, errors)
    data = drawing if isinstance(drawing, bytes) else decode_drawing(drawing)
    if messages := _drawing_errors(data):
        errors["signature"] = messages
    if errors:
        raise ValidationFailed(errors)
    sha, size, filename, ctype = _store(data, f"customer-signature-{record.id}-{step.name}.png")
    cs = CustomerSignature(kind=Kind.DRAWN, customer_name=name, sha256=sha, filename=filename,
                           content_type=ctype, size=size)
    return _save(record, spec, step, user, cs, _file_text(cs))


def capture_scan(record: Record, user, customer_name, stream, filename: str) -> CustomerSignature:
    """The customer signed the paper form: its scan or photo (PNG, JPEG or PDF, at most 10 MB)."""
    spec, step = _step(record, user)
    errors: dict = {}
    name = _name(customer_name, errors)
    data = stream.read(SCAN_MAX_BYTES + 1) if stream is not None else b""
    if not filename:
        errors["file"] = [_("Choose a file to upload.")]
    elif messages := _scan_errors(data, filename):
        errors["file"] = messages
    if errors:
        raise ValidationFailed(errors)
    sha, size, safe, ctype = _store(data, filename)
    cs = CustomerSignature(kind=Kind.SCAN, customer_name=name, sha256=sha, filename=safe, content_type=ctype,
                           size=size)
    return _save(record, spec, step, user, cs, _file_text(cs))


def record_refusal(record: Record, user, customer_name, reason, witness_username,
                   witness_password) -> CustomerSignature:
    """The customer would not sign: the reason, and a second member of staff (not ``user``) who
    witnessed it and confirms with their own password. A wrong password is audited as a refused
    signature of the witness and refused; nothing else is written."""
    spec, step = _step(record, user)
    errors: dict = {}
    name = _name(customer_name, errors)
    reason = reason.strip() if isinstance(reason, str) else ""
    if len(reason) < 2:
        errors["reason"] = [_("Say why the customer would not sign.")]
    elif len(reason) > 2000:
        errors["reason"] = [_("At most %(max)d characters.", max=2000)]
    elif re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", reason):
        errors["reason"] = [_("Contains characters that are not allowed.")]
    username = witness_username.strip() if isinstance(witness_username, str) else ""
    witness = db.session.execute(select(User).where(User.username == username)).scalar() if username else None
    if not username:
        errors["witness"] = [_("Enter the user name of the colleague who witnessed the refusal.")]
    elif witness is None or not witness.active:
        errors["witness"] = [_("No active user has this user name.")]
    elif witness.id == user.id:
        errors["witness"] = [_("The witness must be another person, not you.")]
    if not isinstance(witness_password, str) or not witness_password:
        errors["witness_password"] = [_("The witness enters their own password.")]
    if errors:
        raise ValidationFailed(errors)
    try:
        service.verify_password(witness, witness_password, spec, record, step.name,
                                refused=_("The witness's password is not correct; the refusal was not recorded."),
                                changes={"step": [None, step.name], "witness": [None, witness.full_name]})
    except SignatureRefused as exc:
        raise SignatureRefused(exc.message, {"witness_password": [_("The password is not correct.")]}) from None
    cs = CustomerSignature(kind=Kind.REFUSED, customer_name=name, refusal_reason=reason, witness_id=witness.id)
    with record_language():
        text = _("%(name)s refused to sign; witnessed by %(witness)s", name=name, witness=witness.full_name)
    return _save(record, spec, step, user, cs, text, reason=reason)
