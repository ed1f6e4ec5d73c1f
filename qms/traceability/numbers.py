"""Number allocation by 交换传输室 (IT-07 交换传输放号): who holds a number, the value checks of the
allocation record (IT-NUM) and the hooks that keep the allocation table (``numbers_models``).

Decisions (written in procedures/QP-IT.md 4.0): a number is allocated when its IT-NUM record is
signed by 交换传输室 and stays allocated while that record is live. It is freed when the line is
cancelled — an IT-BIZ slip of type 拆机 for the number, signed — or when the allocation record is
voided (allocated in error). An amendment of the allocation takes the number over from the record
it amends. Voiding a cancellation slip does not take the number back: by then it may be another
customer's; the line is allocated again with a new record.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth.models import User
from ..core import audit
from ..core.errors import ValidationFailed
from ..core.timeutil import utcnow
from ..extensions import db
from ..records import phones
from ..records.lookup import display_number, record_of
from ..records.models import CLOSED, IN_PROGRESS, SUPERSEDED
from .chain_forms import BIZ, CANCEL
from .numbers_models import NumberAllocation

AUDIT_ACTIONS = {
    "it07_number_allocated": _l("Number allocated"),
    "it07_number_released": _l("Number freed"),
}
HOLDING = (IN_PROGRESS, CLOSED)  # an allocation record in these holds its number


def live(number) -> NumberAllocation | None:
    """The live allocation of ``number`` (typed any way), or None when it is free."""
    key = phones.key(number)
    if not key:
        return None
    return db.session.execute(select(NumberAllocation).where(NumberAllocation.live_key == key)).scalar()


def history(number, limit: int = 20) -> list[NumberAllocation]:
    """Every allocation of ``number``, newest first (the live one, then the freed ones)."""
    key = phones.key(number)
    if not key:
        return []
    return list(db.session.execute(select(NumberAllocation).where(NumberAllocation.number_key == key)
                                   .order_by(NumberAllocation.id.desc()).limit(limit)).scalars())


def of_record(record_id: int) -> list[NumberAllocation]:
    """The allocations an IT-NUM record made (live or freed), oldest first."""
    return list(db.session.execute(select(NumberAllocation).where(NumberAllocation.record_id == record_id)
                                   .order_by(NumberAllocation.id)).scalars())


def _taken(holder: NumberAllocation) -> str:
    return _("This number is already allocated (%(record)s) and the line has not been cancelled; "
             "it cannot be allocated twice.", record=display_number(holder.record_id))


def check(record, values: dict, user) -> dict:
    """IT-NUM's value checks: the slip is a signed business acceptance that is not a cancellation,
    and the number is not held by another live allocation (the message names the record holding it)."""
    errors: dict = {}
    slip = record_of(values, "record", BIZ)
    if slip is not None:
        if not slip.number or slip.status not in HOLDING:
            errors["record"] = [_("The business acceptance slip must be signed by the clerk (self-check) first.")]
        elif slip.values.get("business_type") == CANCEL:
            errors["record"] = [_("A cancellation slip allocates no number.")]
    holder = live(values.get("number"))
    mine = {record.id, record.amended_from_id} - {None} if record is not None else set()
    if holder is not None and holder.record_id not in mine:
        errors["number"] = [_taken(holder)]
    return errors


def _signer(record):
    """Who signed ``record`` last (the actor of the allocation's audit row)."""
    sigs = record.signatures
    return db.session.get(User, sigs[-1].user_id) if sigs else None


def _release(row: NumberAllocation, by_record, actor) -> None:
    row.live_key, row.released_at, row.released_by_id = None, utcnow(), by_record.id
    audit.log("it07_number_released", actor=actor, obj_type="record", obj_id=row.record_id,
              summary=f"{row.number} ← {by_record.display_number}", changes={"number": [row.number, None]})


def sync(record, spec, new: bool = False) -> None:
    """IT-NUM's ``on_change``: the record holds its number while it is signed and live; voided it
    frees it; superseded, its amendment takes it over (idempotent: run after every change)."""
    values = record.values
    key = phones.key(values.get("number"))
    mine = [r for r in of_record(record.id) if r.live_key is not None]
    holds = bool(record.number) and record.status in HOLDING and bool(key)
    actor = _signer(record)
    for row in mine:
        if not holds or row.number_key != key:
            if record.status == SUPERSEDED and record.superseded_by_id and row.number_key == key:
                continue  # the amendment takes it over when its own hook runs (below)
            _release(row, record, actor)
    if not holds or any(r.number_key == key for r in mine):
        return
    holder = live(key)
    if holder is not None and holder.record_id == record.amended_from_id:
        holder.record_id = record.id  # the amendment carries on the allocation it corrects
        return
    if holder is not None:  # the value check refuses this first; the unique key would anyway
        raise ValidationFailed({"number": [_taken(holder)]})
    slip = record_of(values, "record", BIZ)
    db.session.add(NumberAllocation(number_key=key, live_key=key, number=str(values.get("number"))[:100],
                                    record_id=record.id, slip_id=slip.id if slip else None))
    audit.log("it07_number_allocated", actor=actor, obj_type="record", obj_id=record.id,
              summary=f"{values.get('number')} → {record.display_number}",
              changes={"number": [None, values.get("number")]})


def release_cancelled(record, spec, new: bool = False) -> None:
    """IT-BIZ's ``on_change``: a signed cancellation slip (拆机) frees its number's live allocation."""
    values = record.values
    if values.get("business_type") != CANCEL or not record.number or record.status not in HOLDING:
        return
    holder = live(values.get("phone_number"))
    if holder is not None:
        _release(holder, record, _signer(record))


def of_slip(slip_id: int) -> list[NumberAllocation]:
    """The allocations made for a business acceptance slip, oldest first."""
    return list(db.session.execute(select(NumberAllocation).where(NumberAllocation.slip_id == slip_id)
                                   .order_by(NumberAllocation.id)).scalars())
