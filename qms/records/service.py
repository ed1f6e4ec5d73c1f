"""The record lifecycle: every write to a record goes through here, with its audit row.

Draft -> signed step by step -> closed; voided with a reason; amended by a new revision; and a
step sent back (:func:`send_back`): the waiting step's signer returns the previous step's
signature with a reason, that step is filled and signed again. A returned signature stays in the
history but no longer counts (``Record.signatures`` are the live ones). Sent back to the first step,
the record is a draft again that keeps its number.

Services never commit: the request (or CLI command) commits once, so a failure anywhere
leaves nothing half-written. Immutability of signed records is enforced again at flush time
(``records.guard``), so even code that bypasses these functions cannot change them.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

from ..auth.models import Department, User
from ..core import attachments as storage
from ..core import audit
from ..core.errors import (  # noqa: F401  (re-exported)
    Conflict,
    LockedRecord,
    ServiceError,
    SignatureRefused,
    ValidationFailed,
)
from ..core.i18n import RECORD_LOCALE, record_language, tr
from ..core.numbering import next_number
from ..core.timeutil import local, utcnow
from ..extensions import db
from . import (
    compute,
    customers,
    guard,  # noqa: F401  (registers the flush guard: signed content never changes)
    policy,
)
from . import spec as specs
from .customer_sign_models import sign_blocker as customer_signature_blocker
from .indexing import index_values
from .models import (
    CLOSED,
    DRAFT,
    IN_PROGRESS,
    SUPERSEDED,
    VOIDED,
    Attachment,
    Record,
    Signature,
    SignatureReturn,
)
from .procedures import registry, rules_for
from .webforms import clean_values, form_class, to_formdata


def _audit(action: str, record: Record, spec, user, **kw) -> None:
    """The audit row of a change to ``record`` (summary: form code and number as printed)."""
    audit.log(action, actor=user, obj_type="record", obj_id=record.id,
              summary=f"{spec.code} {record.display_number}", **kw)


def _new_values(values: dict) -> dict:
    """Audit changes of a new record: every value given, from nothing."""
    return {k: [None, v] for k, v in values.items() if v not in (None, [], False)}


def _changed(record: Record, spec, new: bool = False) -> None:
    """Run the after-change hooks: those for every form (reminder watches), then the form's own.
    ``new`` is true once, right after the record was created. Same transaction as the change."""
    customers.keep(record, spec, new)  # the customer index (engine machinery, like the facets)
    reg = registry()
    for hook in reg.every_change + reg.rules(spec.code).on_change:
        hook(record, spec, new)


def derive_values(spec, record, values: dict, user, only: tuple) -> dict:
    """``values`` with the procedures' derived fields of the fields being saved (``only``) worked out."""
    derived = {}
    for fn in rules_for(spec.code).derive:
        derived.update(fn(record, {**values, **derived}, user) or {})
    keep = {f.name for f in spec.fields if f.derived and f.name in only}
    return {**values, **{k: v for k, v in derived.items() if k in keep}}


def check_values(spec, record, values: dict, user, form=None) -> None:
    """Run the procedures' value checks (their draft-only checks while the record is new or a
    draft); raise ValidationFailed with the messages on their fields."""
    rules = rules_for(spec.code)
    checks = rules.checks + (rules.draft_checks if record is None or record.status == DRAFT else ())
    errors: dict = {}
    for fn in checks:
        for name, messages in (fn(record, values, user) or {}).items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        if form is not None:
            for name, messages in errors.items():
                if name in form._fields:
                    form[name].errors = list(form[name].errors) + messages
        raise ValidationFailed(errors, form)


def sign_blockers(record, spec, step, user) -> list[str]:
    """Reasons ``step`` cannot be signed yet (shown before the password is asked for)."""
    checks = (customer_signature_blocker, *rules_for(spec.code).sign_checks)  # the customer's, declared per step
    return [m for fn in checks if (m := fn(record, spec, step, user))]


def validate(spec, formdata, locale: str, only: tuple | None = None, context: dict | None = None):
    """Validate raw form data against the declaration (``only`` some fields); return
    (form, clean values) or raise ValidationFailed with field messages."""
    form = form_class(spec, locale, only)(formdata=formdata)
    form._context_values = context or {}
    if not form.validate():
        raise ValidationFailed({k: [str(m) for m in v] for k, v in form.errors.items()}, form)
    values = clean_values(spec, form)
    # Computed values are worked out here, on every save, from the stored values and the new ones.
    merged = {**(context or {}), **values}
    problems = compute.apply(spec, merged, only)
    values.update({f.name: merged[f.name] for f in spec.computed_fields if f.name in merged
                   and (only is None or f.name in only)})
    if problems:
        form.computed_errors = problems
        for name, messages in problems.items():
            if name in form._fields:
                form[name].errors = list(form[name].errors) + messages
        raise ValidationFailed(problems, form)
    return form, values


def editable_step(record: Record, spec) -> str | None:
    """The step whose fields can be filled now: the first step for a draft, the step awaiting
    its signature for a record in progress (if it has fields); otherwise none."""
    if record.status == DRAFT and not record.signatures:
        return spec.workflow[0].name
    if record.status == IN_PROGRESS and record.current_step and spec.step_fields(record.current_step):
        return record.current_step
    return None


def step_names(spec, step: str) -> tuple:
    """The names of the fields filled at ``step``."""
    return spec.step_field_names(step)


def create(spec, user, formdata, locale: str, department_id: int | None = None) -> Record:
    """Create a draft from form data; the author's department owns it unless company-wide staff choose."""
    policy.require(user, "create", spec)
    only = step_names(spec, spec.workflow[0].name)
    form, values = validate(spec, formdata, locale, only=only)
    values = derive_values(spec, None, values, user, only)
    check_values(spec, None, values, user, form)
    dept = department_id if (department_id and policy.company_wide(user)) else user.department_id
    if dept != user.department_id and (not 0 < dept < 2**31 or db.session.get(Department, dept) is None):
        raise ValidationFailed({"department_id": [_("Not a valid choice.")]})
    now = utcnow()
    record = Record(
        form_code=spec.code, form_revision_id=spec.revision_id, status=DRAFT,
        current_step=spec.workflow[0].name, department_id=dept, created_by_id=user.id,
        created_at=now, updated_at=now, values=values,
    )
    db.session.add(record)
    index_values(record, spec, values, fresh=True)  # facets ride on the same flush as the record
    db.session.flush()
    _audit("create", record, spec, user, changes=_new_values(values))
    _changed(record, spec, new=True)
    return record


def update(record: Record, user, formdata, locale: str, expected_version: int | None) -> Record:
    """Save the fields of the step being filled (a draft's, or the step awaiting its signature).
    Signed steps' fields never change. A stale ``expected_version`` raises Conflict."""
    spec = specs.by_revision(record.form_revision_id)
    step = editable_step(record, spec)
    if step is None:
        raise LockedRecord(_("This record is signed or closed and cannot be changed."))
    policy.require(user, "edit", spec, record)
    if expected_version is not None and int(expected_version) != record.version:
        raise Conflict(_("Someone else saved this record after you opened it. Your input is kept below; "
                         "review their change and save again."))
    old = record.values
    form, values = validate(spec, formdata, locale, only=step_names(spec, step), context=old)
    values = derive_values(spec, record, {**old, **values}, user, step_names(spec, step))
    check_values(spec, record, values, user, form)
    changes = audit.diff(old, values)
    if not changes:
        return record
    record.values = values
    record.updated_at = utcnow()
    index_values(record, spec, values)
    _audit("update", record, spec, user, changes=changes)
    _changed(record, spec)
    return record


def sign(record: Record, user, password: str, locale: str = "zh_CN") -> Signature:
    """Sign the step awaiting ``user``; the password is checked again on the server.

    The first step submits the record (and numbers it); the last step closes it.
    """
    spec = specs.by_revision(record.form_revision_id)
    step = policy.signable_step(user, spec, record)
    if step is None:
        raise SignatureRefused(policy.sign_refusal(user, spec, record))
    verify_password(user, password, spec, record, step.name)
    return sign_verified(record, user, locale, step)


def verify_password(user, password: str | None, spec, record: Record | None, step: str | None,
                    refused: str | None = None, changes: dict | None = None, subject: tuple | None = None) -> None:
    """The password typed again to sign (or send back, or void), checked on the server. A wrong one
    is audited as a refused signature (the attempt is evidence: on the record, or on the form when
    the record is not saved yet, or ``subject`` = (object type, id, summary): an instrument a loan
    is made from) and refused with SignatureRefused and a message on the password field; the
    caller keeps that audit row and nothing else."""
    if user.check_password(password or ""):
        return
    changes = changes if changes is not None else {"step": [None, step]}
    if record is not None:
        _audit("signature_failed", record, spec, user, changes=changes)
    elif subject is not None:
        audit.log("signature_failed", actor=user, obj_type=subject[0], obj_id=subject[1], summary=subject[2],
                  changes=changes)
    else:
        with record_language():
            unsaved = _("not saved")
        audit.log("signature_failed", actor=user, obj_type="form", obj_id=spec.code,
                  summary=f"{spec.code} ({unsaved})", changes=changes)
    raise SignatureRefused(refused or _("The password is not correct; nothing was signed."),
                           {"password": [_("The password is not correct.")]})


def _check_password(record: Record, spec, user, password: str | None, changes: dict, refused: str) -> None:
    """:func:`verify_password` for sending back and voiding, with their own refusal."""
    verify_password(user, password, spec, record, None, refused=refused, changes=changes)


def sign_verified(record: Record, user, locale: str = "zh_CN", step=None) -> Signature:
    """:func:`sign` after the password was checked (a batch import checks it once for all rows).

    Callers must have checked ``user``'s password in this same request themselves."""
    spec = specs.by_revision(record.form_revision_id)
    if step is None:
        step = policy.signable_step(user, spec, record)
        if step is None:
            raise SignatureRefused(policy.sign_refusal(user, spec, record))
    # Everything this signature covers must satisfy the declaration (required fields filled...),
    # except the fields of steps this record passed over (only_if): nobody fills those. The hash
    # still covers every field up to this step (Record.signed_hash), so older signatures are unchanged.
    values = record.values
    covered = tuple(f.name for f in spec.fields_upto(step.name)
                    if f.step == step.name or (s := spec.step(f.step)) is None or s.applies(values))
    try:
        validate(spec, to_formdata(spec, values), locale, only=covered, context=values)
    except ValidationFailed as exc:
        labels = "、".join(tr(spec.field_map[k].label) for k in exc.errors if k in spec.field_map)
        raise ValidationFailed({"password": [_("Fill in these fields before signing: %(fields)s",
                                               fields=labels)]}) from None
    try:
        check_values(spec, record, record.values, user)
    except ValidationFailed as exc:
        raise SignatureRefused(" ".join(exc.messages()), exc.errors) from None
    blockers = sign_blockers(record, spec, step, user)
    if blockers:
        raise SignatureRefused(" ".join(blockers), {"password": blockers})
    if step is spec.workflow[0] and not record.number:  # a draft sent back keeps its number
        _assign_number(record, spec)
    sig = Signature(record=record, step=step.name, meaning=step.meaning, user_id=user.id,
                    printed_name=user.full_name, signed_at=utcnow(),
                    content_hash=record.signed_hash(step.name, spec))
    db.session.add(sig)
    nxt = spec.next_step(step.name, record.values)
    record.current_step = nxt.name if nxt else None
    record.status = IN_PROGRESS if nxt else CLOSED
    record.updated_at = utcnow()
    if record.status == CLOSED and record.amended_from_id:
        # The approved amendment replaces the original; until then the original stays current.
        prev = db.session.get(Record, record.amended_from_id)
        prev.status, prev.superseded_by_id, prev.updated_at = SUPERSEDED, record.id, utcnow()
        _audit("supersede", prev, spec, user, changes={"superseded_by": [None, record.id]})
    _audit("sign", record, spec, user, changes={"step": [None, step.name], "meaning": [None, step.meaning],
                                                "status": [None, record.status]})
    _changed(record, spec)
    if record.status == CLOSED and record.amended_from_id:
        _changed(prev, spec)
    return sig


def _assign_number(record: Record, spec, fresh: bool = False) -> None:
    """Number a record as it is submitted (an amendment keeps its original's number)."""
    if record.amended_from_id:
        prev = db.session.get(Record, record.amended_from_id)
        record.number, record.year, record.seq = prev.number, prev.year, prev.seq
    else:
        year = local(utcnow()).year
        record.number, record.seq = next_number(spec.code, spec.numbering, year)
        record.year = year
    index_values(record, spec, record.values, fresh=fresh)


def create_automatic(spec, values: dict, department_id: int, *, cause_record: Record | None = None,
                     actor=None, cause: str | None = None) -> Record:
    """A record a procedure opens by itself (a failed calibration opens a nonconformity).

    The values pass the same validation as a person's; the record is numbered and moved past its
    first step *without* a signature, because nobody signed it. The audit trail names the cause
    (``cause_record``'s form and number, or ``cause``) and the person whose act triggered it:
    ``actor``, by default whoever signed ``cause_record`` last. Messages of the validation are in
    the records' language, as the values are.
    """
    if actor is None and cause_record is not None and cause_record.signatures:
        actor = db.session.get(User, cause_record.signatures[-1].user_id)
    if actor is None:
        raise ValueError("an automatic record needs the person whose act caused it")
    if cause is None:
        cause = f"{cause_record.form_code} {cause_record.display_number}" if cause_record is not None else "?"
    first = spec.workflow[0].name
    with record_language():
        _form, clean = validate(spec, to_formdata(spec, values), RECORD_LOCALE, only=step_names(spec, first))
    check_values(spec, None, clean, actor)
    nxt = spec.next_step(first, clean)
    now = utcnow()
    record = Record(form_code=spec.code, form_revision_id=spec.revision_id, status=DRAFT, current_step=first,
                    department_id=department_id, created_by_id=actor.id, created_at=now, updated_at=now,
                    values=clean)
    db.session.add(record)
    _assign_number(record, spec, fresh=True)  # numbered while still a draft, as a signed submission is
    record.status, record.current_step = (IN_PROGRESS, nxt.name) if nxt else (CLOSED, None)
    db.session.flush()
    _audit("auto_submit", record, spec, actor, changes=_new_values(clean), reason=cause[:2000])
    _changed(record, spec, new=True)
    return record


def _reason(reason: str, missing: str) -> str:
    """A stated reason: required, at most 2000 characters, no control characters."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationFailed({"reason": [missing]})
    if len(reason) > 2000:
        raise ValidationFailed({"reason": [_("At most %(max)d characters.", max=2000)]})
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", reason):
        raise ValidationFailed({"reason": [_("Contains characters that are not allowed.")]})
    return reason


def void(record: Record, user, reason: str, password: str | None = None) -> Record:
    """Void with a mandatory reason. The record stays readable; nothing is deleted.

    The record page and the API pass the ``password`` typed again: it is checked as a signature's
    (a wrong one is audited and refused). ``None`` skips that check, for callers that are not a
    person at a form (procedures' own code, the CLI, tests)."""
    spec = specs.by_revision(record.form_revision_id)
    policy.require(user, "void", spec, record)
    reason = _reason(reason, _("A reason is required to void a record."))
    if password is not None:
        _check_password(record, spec, user, password, {"status": [record.status, VOIDED]},
                        _("The password is not correct; the record was not voided."))
    return _void(record, spec, user, reason)


def discard(record: Record, user) -> Record:
    """The author gives up their own draft that was never submitted (``policy`` action
    ``discard``): it is voided with the automatic reason 草稿已放弃 and audited as a void. No password:
    nothing was signed or numbered. Any other record is voided with a stated reason (:func:`void`)."""
    spec = specs.by_revision(record.form_revision_id)
    policy.require(user, "discard", spec, record)
    with record_language():
        reason = _("Draft discarded")
    return _void(record, spec, user, reason)


def _void(record: Record, spec, user, reason: str) -> Record:
    old = record.status
    record.status, record.void_reason, record.voided_at = VOIDED, reason[:2000], utcnow()
    record.current_step = None
    record.updated_at = utcnow()
    _audit("void", record, spec, user, changes={"status": [old, VOIDED]}, reason=reason)
    _changed(record, spec)
    return record


def send_back(record: Record, user, reason: str, password: str) -> SignatureReturn:
    """Send ``record`` back to the previous step that applies, with a reason and the password.

    Whoever may sign the waiting step may do this instead of signing (``policy.send_back_step``:
    steps whose ``only_if`` fails are passed over). The live signature of the previous step is
    returned: a :class:`SignatureReturn` row marks it (signatures are never updated), it stays in the
    history as 退回 / Returned with who, when and why, and no longer counts for validity, segregation
    of duties or "who signed". That step waits again, its fields editable, to be filled and signed
    again by whoever may sign it. Its signer is told through the ``record_events`` hooks (the
    reminders package puts the notice in their inbox and mails it).

    Status: sent back to a later step, the record stays ``IN_PROGRESS`` at that step. Sent back to
    its first step it is a ``DRAFT`` again, in its author's hands, and keeps its number: the draft
    rules apply as they are (the author edits and submits it, the draft checks run again),
    submitting does not number it twice, and the flush guard (``records.guard``) refuses a new number. A wrong
    password is audited as a refused signature and refused; the reason is checked first.
    """
    spec = specs.by_revision(record.form_revision_id)
    target = policy.send_back_step(user, spec, record)
    if target is None:
        raise SignatureRefused(policy.send_back_refusal(user, spec, record))
    reason = _reason(reason, _("A reason is required to send a record back."))
    waiting = record.current_step
    _check_password(record, spec, user, password, {"step": [waiting, target.name]},
                    _("The password is not correct; the record was not sent back."))
    sig = [s for s in record.signatures if s.step == target.name][-1]
    now = utcnow()
    returned = SignatureReturn(signature=sig, record_id=record.id, returned_at=now, returned_by_id=user.id,
                               reason=reason[:2000])
    db.session.add(returned)
    old = record.status
    record.status = DRAFT if target is spec.workflow[0] else IN_PROGRESS
    record.current_step, record.updated_at = target.name, now
    _audit("send_back", record, spec, user, reason=reason,
           changes={"step": [waiting, target.name], "status": [old, record.status],
                    "returned_signature": [f"{sig.printed_name} {local(sig.signed_at):%Y-%m-%d %H:%M}", None]})
    _changed(record, spec)
    for hook in registry().record_events:
        hook(record, spec, "send_back", {"signature": sig, "by": user, "reason": reason, "step": target})
    return returned


def amend(record: Record, user, reason: str) -> Record:
    """Start a new revision of a closed record under the current form revision; the old one
    becomes superseded when the amendment is closed (approved)."""
    spec = specs.by_revision(record.form_revision_id)
    policy.require(user, "amend", spec, record)
    reason = _reason(reason, _("A reason is required to amend a record."))
    pending = db.session.query(Record).filter(Record.amended_from_id == record.id,
                                              Record.status.in_((DRAFT, IN_PROGRESS))).first()
    if pending:
        raise Conflict(_("An amendment of this record is already in progress."))
    current = specs.get(spec.code) or spec
    values = {k: v for k, v in record.values.items() if k in current.field_map}
    now = utcnow()
    new = Record(form_code=spec.code, form_revision_id=current.revision_id, status=DRAFT,
                 current_step=current.workflow[0].name, department_id=record.department_id,
                 created_by_id=user.id, created_at=now, updated_at=now, revision_no=record.revision_no + 1,
                 amended_from_id=record.id, values=values)
    db.session.add(new)
    db.session.flush()
    index_values(new, current, values, fresh=True)
    _audit("amend", new, spec, user, changes={"amended_from": [None, record.id]}, reason=reason)
    _changed(new, current, new=True)
    return new


def attach(record: Record, user, stream, filename: str) -> Attachment:
    """Store an uploaded file on the record (SHA-256, allow-listed type) and audit it."""
    spec = specs.by_revision(record.form_revision_id)
    policy.require(user, "attach", spec, record)
    try:
        sha, size, name, ctype = storage.store(stream, filename, {
            "type": _("This file type is not allowed."),
            "empty": _("The file is empty."),
            "content": _("The file content does not match its type."),
        })
    except storage.AttachmentRefused as exc:
        raise ValidationFailed({"file": [str(exc)]}) from None
    att = Attachment(record_id=record.id, filename=name, content_type=ctype, size=size, sha256=sha,
                     uploaded_by_id=user.id, uploaded_at=utcnow())
    db.session.add(att)
    record.updated_at = utcnow()
    db.session.flush()
    _audit("attach", record, spec, user, changes={"attachment": [None, f"{name} ({size} B, sha256 {sha[:12]})"]})
    return att
