"""The usage file (使用档案, INS-05): every instrument's history as one indexed list.

Each signed record that concerns an instrument writes one line here (intake, loan out and back,
calibration, maintenance, fault and repair, handover, send-out, tests done with it, the
nonconformity a failed calibration opened, scrapping). The lines are a read model: the record
each points at stays the evidence, so the file is as trustworthy as the records, and the page
reads one index range instead of searching every form (an instrument with 2,000 events).
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.timeutil import today
from ..extensions import db
from .models import InstrumentEvent

# How each kind reads in the file (translated when shown).
KIND_TEXT = {
    "intake": _l("Taken in"), "loan_out": _l("Checked out"), "loan_return": _l("Returned"),
    "calibration": _l("Calibrated"), "maintenance": _l("Routine maintenance"), "fault": _l("Fault reported"),
    "repair": _l("Repair finished"), "scrapped": _l("Scrapped"), "handover": _l("Handed over"),
    "used": _l("Used for a test"), "sent_out": _l("Sent for calibration"),
    "nonconformity": _l("Nonconformity opened"), "voided": _l("Registration voided"),
}
PAGE = 100


def add(instrument_id: int, kind: str, record, on: date | str | None, summary: str = "",
        person_id: int | None = None) -> None:
    """Write one line of the file, once per (record, kind, instrument): a hook may run again for
    the same record (a later step, an amendment), and the file must not repeat itself."""
    if isinstance(on, str):
        on = date.fromisoformat(on) if on else None
    on = on or today()  # every line has a date: the file is ordered (and paged) by it
    db.session.flush()
    exists = db.session.execute(select(InstrumentEvent.id).where(
        InstrumentEvent.record_id == record.id, InstrumentEvent.kind == kind,
        InstrumentEvent.instrument_id == instrument_id)).first()
    if exists:
        return
    if person_id is None and record.signatures:
        person_id = record.signatures[0].user_id  # who did it: the first signer (tester, reporter...)
    db.session.add(InstrumentEvent(instrument_id=instrument_id, occurred_on=on, kind=kind, record_id=record.id,
                                   form_code=record.form_code,
                                   number=record.number or "", person_id=person_id, summary=(summary or "")[:300]))


def page(instrument_id: int, before: tuple[str, int] | None = None, limit: int = PAGE) -> list[InstrumentEvent]:
    """The newest ``limit`` lines (or those before the cursor ``(date, id)``): one index range."""
    stmt = select(InstrumentEvent).where(InstrumentEvent.instrument_id == instrument_id)
    if before is not None:
        on, eid = date.fromisoformat(before[0]), before[1]
        stmt = stmt.where((InstrumentEvent.occurred_on < on)
                          | ((InstrumentEvent.occurred_on == on) & (InstrumentEvent.id < eid)))
    return list(db.session.execute(stmt.order_by(InstrumentEvent.occurred_on.desc(), InstrumentEvent.id.desc())
                                   .limit(limit)).scalars())


def parse_cursor(raw: str) -> tuple[str, int] | None:
    """``YYYY-MM-DD.id`` -> (date, id); None when empty; ValueError when malformed."""
    if not raw:
        return None
    day, _, eid = raw.partition(".")
    if len(raw) > 30 or not eid.isdigit() or len(eid) > 10:
        raise ValueError(raw)
    date.fromisoformat(day)
    return day, int(eid)
