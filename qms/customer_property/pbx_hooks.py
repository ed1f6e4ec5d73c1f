"""The register kept from the PBX records (CP-01, CP-04): the application submitted → the PBX is an
item (kind pbx, pending); a failed inspection → in rectification; a passed inspection or round →
accepted; formal use approved → in use. Idempotent: hooks run after every change of their form.

An amendment of an application moves the item its original registered (one PBX, one item).
"""
from __future__ import annotations

from ..auth.models import User
from ..extensions import db
from ..records.lookup import record_of
from ..records.models import Record, Status
from . import register as reg
from .pbx_rounds import FAIL, INSPECT, PASS, PBX

SOURCE_KEY = "pbx"
# The states the application and its rounds move an item between; any other (a loss report's
# unsuitable, returned) was set by another record and is left alone.
FLOW = (reg.PENDING, reg.RECTIFICATION, reg.ACCEPTED, reg.IN_USE)


def _original(record: Record) -> Record:
    """The first revision of an amended application (the one that registered the item)."""
    seen = 0
    while record.amended_from_id and seen < 50:  # a chain of amendments; bounded against a cycle
        prev = db.session.get(Record, record.amended_from_id)
        if prev is None:
            break
        record, seen = prev, seen + 1
    return record


def item_of(application: Record):
    """The register item of a PBX application (or of its original, for an amendment), or None."""
    items = [i for i in reg.items_of_record(_original(application).id) if i.source_key == SOURCE_KEY]
    return items[0] if items else None


def signer(record: Record) -> User | None:
    """Whoever signed ``record`` last (the register's events name them)."""
    sigs = record.signatures
    return db.session.get(User, sigs[-1].user_id) if sigs else None


def _state_of(record: Record) -> str:
    steps = {s.step for s in record.signatures}
    if record.status == Status.CLOSED and "approve" in steps:
        return reg.IN_USE
    if INSPECT in steps:
        return reg.ACCEPTED if record.values.get("inspection_result") == PASS else reg.RECTIFICATION
    return reg.PENDING


def application_changed(record: Record, spec, new: bool = False) -> None:
    """Register the PBX once the application is submitted; move it with its inspection and approval."""
    if record.number is None or record.status not in (Status.IN_PROGRESS, Status.CLOSED) or not record.signatures:
        return
    v = record.values
    original = _original(record)
    item = item_of(record)
    described = {"kind": "pbx", "customer_name": v.get("customer_name") or "", "phone": v.get("contact_phone") or "",
                 "model": v.get("device_model") or "", "licence_no": v.get("licence_no") or "",
                 "location": v.get("install_address") or ""}
    by = signer(record)
    if item is None:
        item = reg.register(original, source_key=SOURCE_KEY, state=reg.PENDING, by=by, **described)
    else:
        reg.register(original, source_key=SOURCE_KEY, state=item.state, by=by, **described)
    state = _state_of(record)
    if item.state not in FLOW:
        return  # reported lost, damaged or unsuitable, or returned: the PBX flow no longer moves it
    if state == reg.RECTIFICATION and item.state == reg.ACCEPTED:
        return  # a passed round already accepted it: the failed first inspection is history
    if state == reg.ACCEPTED or state == reg.IN_USE or item.state in (reg.PENDING, reg.RECTIFICATION):
        reg.set_state(item, state, record, by)


def round_changed(record: Record, spec, new: bool = False) -> None:
    """A signed round: a pass accepts the PBX; a fail keeps it in rectification."""
    if record.status != Status.CLOSED:
        return
    app = record_of(record.values, "application", PBX)
    item = item_of(app) if app is not None else None
    if item is None or item.state not in FLOW or item.state == reg.IN_USE:
        return
    by = signer(record)
    result = record.values.get("result")
    if result == PASS:
        reg.set_state(item, reg.ACCEPTED, record, by)
    elif result == FAIL and item.state != reg.ACCEPTED:
        reg.set_state(item, reg.RECTIFICATION, record, by)
