"""Sending meters to the municipal metrology station in batches, and their certificates (INS-03).

A send-out manifest (INS-SENDOUT) lists asset numbers; signed by 技术发展部 it marks each
instrument away (the gate refuses it until the batch is received back) and its printout is the
manifest that travels with the meters. Each instrument comes back with its own calibration record
(INS-CAL, linked to the batch), which is reviewed only with its certificate attached.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..records.models import CLOSED, DRAFT, IN_PROGRESS, VOIDED, Attachment, Record, RecordFacet
from . import events
from .models import Instrument, InstrumentEvent

SENDOUT, CAL = "INS-SENDOUT", "INS-CAL"
BATCH_MAX = 200
_SPLIT = re.compile(r"[\s,，、;；]+")


def asset_numbers(text: str | None) -> list[str]:
    """The asset numbers typed on a manifest, in order, blanks dropped."""
    return [a for a in _SPLIT.split(text or "") if a]


def _resolve(numbers: list[str]) -> dict:
    """Each typed number -> its instrument: the asset number as printed or in capitals, or the
    intake number on the label (YQ-...). Unknown ones are left out."""
    if not numbers:
        return {}
    keys = set(numbers) | {n.upper() for n in numbers}
    rows = db.session.execute(select(Instrument).where(
        Instrument.asset_no.in_(keys) | Instrument.number.in_(keys))).scalars().all()
    by_asset, by_number = {i.asset_no: i for i in rows}, {i.number: i for i in rows}
    out = {}
    for n in numbers:
        inst = by_asset.get(n) or by_asset.get(n.upper()) or by_number.get(n.upper())
        if inst is not None:
            out[n] = inst
    return out


def instruments_of(record: Record) -> list[Instrument]:
    """The batch's instruments: those it marked away once sent, else the numbers typed in."""
    if record.status != DRAFT:
        ids = db.session.execute(select(InstrumentEvent.instrument_id).where(
            InstrumentEvent.record_id == record.id, InstrumentEvent.kind == "sent_out")
            .order_by(InstrumentEvent.id)).scalars().all()
        if ids:
            found = {i.id: i for i in db.session.execute(select(Instrument).where(Instrument.id.in_(ids))).scalars()}
            return [found[i] for i in ids if i in found]
    numbers = asset_numbers(record.values.get("asset_nos"))[:BATCH_MAX]
    found = _resolve(numbers)
    return list({found[a].id: found[a] for a in numbers if a in found}.values())


def _check_sendout(record, values, user) -> dict:
    from .service import _number
    if record is not None and record.status != DRAFT:
        return {}
    errors = []
    numbers = asset_numbers(values.get("asset_nos"))
    if len(numbers) > BATCH_MAX:
        return {"asset_nos": [_("At most %(n)d instruments in one batch.", n=BATCH_MAX)]}
    found = _resolve(numbers)
    seen = set()
    dupes = [a for a in numbers if a in found and (found[a].id in seen or seen.add(found[a].id))]
    if dupes:
        errors.append(_("Listed twice: %(list)s", list="、".join(dict.fromkeys(dupes))))
    unknown = [a for a in numbers if a not in found or found[a].condition in ("scrapped", "voided")]
    if unknown:
        errors.append(_("Not registered or not in service: %(list)s", list="、".join(unknown[:20])))
    for a in numbers:
        inst = found.get(a)
        if inst is None:
            continue
        if inst.loan_id:
            errors.append(_("%(asset)s is on loan (%(number)s).", asset=a, number=_number(inst.loan_id)))
        elif inst.sendout_id and (record is None or inst.sendout_id != record.id):
            errors.append(_("%(asset)s is away already (%(number)s).", asset=a, number=_number(inst.sendout_id)))
    return {"asset_nos": errors[:20]} if errors else {}


def _check_cal_batch(record, values, user) -> dict:
    """A calibration linked to a batch is of an instrument that batch sent."""
    if record is not None and record.status != DRAFT or not values.get("batch") or not values.get("instrument"):
        return {}
    batch = db.session.get(Record, values["batch"])
    if batch is None or batch.form_code != SENDOUT or batch.status in (DRAFT, VOIDED):
        return {"batch": [_("Not a sent manifest.")]}
    sent = db.session.execute(select(InstrumentEvent.id).where(
        InstrumentEvent.record_id == batch.id, InstrumentEvent.kind == "sent_out",
        InstrumentEvent.instrument_id == values["instrument"])).first()
    if not sent:
        return {"batch": [_("This instrument was not sent with %(number)s.", number=batch.display_number)]}
    return {}


def _sign_cal_certificate(record, spec, step, user) -> str | None:
    """The certificate (a scan) is attached before the calibration is reviewed."""
    if step.name != "review":
        return None
    has = db.session.execute(select(Attachment.id).where(Attachment.record_id == record.id)).first()
    return None if has else _("Attach the calibration certificate (a scan or PDF) before the review.")


def on_change(record, spec, new: bool = False) -> None:
    """Sent: each instrument is away and its file says so. Received back or voided: home again."""
    if spec.code != SENDOUT or record.status == DRAFT:
        return
    v = record.values
    if record.status == IN_PROGRESS:
        for inst in instruments_of(record):
            if inst.sendout_id is None:
                inst.sendout_id = record.id
                events.add(inst.id, "sent_out", record, v.get("sent_on"), v.get("agency") or "")
        return
    if record.status in (CLOSED, VOIDED):
        for inst in db.session.execute(select(Instrument).where(Instrument.sendout_id == record.id)).scalars():
            inst.sendout_id = None


def manifest(record, locale: str = "zh_CN") -> dict:
    """The manifest's rows (printout and page): what was sent and what came back of it."""
    insts = instruments_of(record)
    cals = {}
    if insts and record.status != DRAFT:
        ids = db.session.execute(select(RecordFacet.record_id).where(
            RecordFacet.form_code == CAL, RecordFacet.field == "batch", RecordFacet.value == str(record.id))).scalars().all()
        for r in db.session.execute(select(Record).where(Record.id.in_(ids), Record.status != VOIDED)).scalars() if ids else ():
            cals[r.values.get("instrument")] = r
    intake = {r.id: r for r in db.session.execute(
        select(Record).where(Record.id.in_([i.id for i in insts]))).scalars()} if insts else {}
    rows = []
    for i in insts:
        v = intake[i.id].values if i.id in intake else {}
        cal = cals.get(i.id)
        rows.append({"id": i.id, "number": i.number, "asset_no": i.asset_no, "name": i.name, "model": i.model,
                     "serial_no": v.get("serial_no") or "", "range": v.get("range_accuracy") or "",
                     "next_due_on": i.next_due_on.isoformat() if i.next_due_on else "",
                     "cal_id": cal.id if cal else None, "cal_number": cal.display_number if cal else "",
                     "cal_result": (cal.values.get("result") if cal else "") or "", "cal_status": cal.status if cal else ""})
    return {"manifest": rows}
