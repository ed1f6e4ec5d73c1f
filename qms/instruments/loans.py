"""A loan from the label page in one screen each (INS-02, INS-04): check out, hand back, check the return.

Each verb goes through ``records.service`` (create, update, ``sign_verified``), so the declaration,
the permit-to-use gate and the segregation rules hold exactly as on the record pages:

- :func:`check_out` creates a short loan and signs its request with one password; when the
  borrower keeps the instrument (技术发展部 or the custodian department, ``permissions.keeps``) and
  the declaration lets them sign the hand-out, the same password signs it too;
- :func:`hand_back`: the borrower, who may not check their own return (``not_same_as: [request]``),
  records that they handed it back (an audit row on the loan) and the keeper is told at once;
- :func:`accept_return`: the keeper fills the return step and signs it.

The password is checked first: a wrong one leaves only the ``signature_failed`` audit row. Any other
refusal rolls everything back (a signature refused after the loan was created must not leave a
half-made loan behind). Nothing here commits: the page does, through ``web_write``.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, select
from werkzeug.datastructures import MultiDict

from ..core import audit
from ..core.audit import AuditEvent
from ..core.errors import SignatureRefused, ValidationFailed
from ..core.timeutil import local, today
from ..extensions import db
from ..records import policy, service
from ..records import spec as specs
from ..records.models import IN_PROGRESS, Record, RecordFacet
from ..records.webforms import to_formdata
from ..reminders.engine import notify_now
from . import permissions
from .forms import USAGE
from .models import Instrument
from .reminders import HAND_BACK_RULE, watch_hand_back

WAITING_STEPS = ("approve", "hand_out")  # INS-USAGE steps at which a request waits to go out

SHORT_DAYS = (0, 3, 7, 14)  # the due-date chips: today, in 3, 7 or 14 days (a short loan: one month at most)
HANDED_BACK = "loan_handed_back"  # the audit action of a hand back


@contextmanager
def _all_or_nothing():
    """A signature refused after something was written rolls it all back (``web_write`` keeps what
    was written before a refused signature, for the failed-password row)."""
    try:
        yield
    except SignatureRefused as exc:
        raise ValidationFailed(exc.errors or {"password": [exc.message]}) from None


def check_out(inst: Instrument, user, *, days: int, department: str, purpose: str, manual_ack: bool,
              password: str, locale: str) -> Record:
    """A short loan of ``inst`` to ``user``, due in ``days``: created and its request signed; handed
    out with the same signature's password when ``user`` keeps the instrument. Returns the loan."""
    spec = specs.get(USAGE)
    policy.require(user, "create", spec)
    service.verify_password(user, password, spec, None, spec.workflow[0].name,
                            subject=("instrument", inst.id, f"{USAGE} {inst.asset_no}"))
    on = today()
    values = {"instrument": inst.id, "loan_type": "short", "borrower": user.id, "borrowing_department": department,
              "checked_out_on": on.isoformat(), "return_due_on": (on + timedelta(days=days)).isoformat(),
              "purpose": purpose, "manual_ack": manual_ack}
    with _all_or_nothing():
        loan = service.create(spec, user, to_formdata(spec, values), locale)
        service.sign_verified(loan, user, locale)  # the request
        step = policy.signable_step(user, spec, loan)
        if step is not None and step.name == "hand_out" and permissions.keeps(user, inst):
            service.sign_verified(loan, user, locale, step)  # handed out by the keeping department itself
    return loan


def handed_back(loan: Record | None) -> AuditEvent | None:
    """The borrower's latest hand back of ``loan`` (who, when, their note), or None."""
    if loan is None:
        return None
    return db.session.execute(select(AuditEvent).where(
        AuditEvent.object_type == "record", AuditEvent.object_id == str(loan.id), AuditEvent.action == HANDED_BACK)
        .order_by(AuditEvent.id.desc()).limit(1)).scalar()


def hand_back(inst: Instrument, loan: Record, user, note: str) -> list[int]:
    """The borrower handed ``inst`` back: an audit row on the loan (the date and their note), the
    keeper's reminder and an inbox notice now. Returns who was told."""
    if not permissions.may_hand_back(user, inst, loan):
        raise ValidationFailed({"note": [_("Only the borrower hands the instrument back.")]})
    if handed_back(loan) is not None:
        raise ValidationFailed({"note": [_("Already handed back; the keeper has been told.")]})
    note = (note or "").strip()
    if len(note) > 1000:
        raise ValidationFailed({"note": [_("At most %(max)d characters.", max=1000)]})
    on = today()
    audit.log("loan_handed_back", actor=user, obj_type="record", obj_id=loan.id,
              summary=f"{USAGE} {loan.display_number}",
              changes={"returned_on": [None, on.isoformat()], **({"return_note": [None, note]} if note else {})})
    told = permissions.return_checkers(inst, loan)
    watch_hand_back(loan, inst, on, told[0] if told else None)
    notify_now(HAND_BACK_RULE, "record", loan.id, told)
    return told


def return_defaults(loan: Record) -> dict:
    """What the return screen starts with: the day it was handed back (else today), 完好, the borrower's note."""
    back = handed_back(loan)
    changes = back.changes_dict if back else {}
    return {"returned_on": (changes.get("returned_on") or [None, today().isoformat()])[1],
            "condition_in": "good", "return_note": (changes.get("return_note") or [None, ""])[1]}


def accept_return(inst: Instrument, loan: Record, user, *, returned_on: str, condition_in: str, return_note: str,
                  password: str, locale: str) -> Record:
    """The keeper checks the return of ``loan``: the return step filled and signed (the loan closes)."""
    spec = specs.by_revision(loan.form_revision_id)
    if not permissions.accepts_return(user, inst, loan):
        raise ValidationFailed({"password": [policy.sign_refusal(user, spec, loan)
                                             or _("A return is checked by 技术发展部 or the custodian department.")]})
    service.verify_password(user, password, spec, loan, permissions.RETURN_STEP)
    data = MultiDict({"returned_on": returned_on, "condition_in": condition_in, "return_note": return_note})
    with _all_or_nothing():
        service.update(loan, user, data, locale, expected_version=None)
        service.sign_verified(loan, user, locale)
    return loan


def handed_back_on(event: AuditEvent | None):
    """The local date of a hand back (for the pages)."""
    return local(event.at).date() if event is not None else None


def waiting_requests(instrument_id: int, limit: int = 5) -> list[Record]:
    """Loan requests of the instrument still waiting for their approval or hand-out, oldest first.
    Read from the loans in progress, each probed for this instrument in the facet index; no ORDER BY
    in SQL, which would make SQLite walk the whole table in id order (an instrument with a thousand
    past loans then cost 3 ms; this costs 0.6 ms)."""
    named = exists().where(RecordFacet.record_id == Record.id, RecordFacet.form_code == USAGE,
                           RecordFacet.field == "instrument", RecordFacet.value == str(instrument_id))
    rows = db.session.execute(select(Record).where(
        Record.form_code == USAGE, Record.status == IN_PROGRESS, Record.current_step.in_(WAITING_STEPS),
        named)).scalars().all()
    return sorted(rows, key=lambda r: r.id)[:limit]
