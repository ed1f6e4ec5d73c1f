"""Sending meters to the municipal metrology station in batches (INS-03): reading a manifest.

A send-out manifest (INS-SENDOUT) lists asset numbers; signed by 技术发展部 it marks each
instrument away (``state.send_out``: the gate refuses it until the batch is received back) and its
printout is the manifest that travels with the meters. Each instrument comes back with its own
calibration record (INS-CAL, linked to the batch), which is reviewed only with its certificate
attached (``checks.sign_cal_certificate``).
"""
from __future__ import annotations

import re

from sqlalchemy import select

from ..extensions import db
from ..records.links import linked
from ..records.models import DRAFT, VOIDED, Record
from .forms import CAL
from .models import Instrument, InstrumentEvent

BATCH_MAX = 200
_SPLIT = re.compile(r"[\s,，、;；]+")


def asset_numbers(text: str | None) -> list[str]:
    """The asset numbers typed on a manifest, in order, blanks dropped."""
    return [a for a in _SPLIT.split(text or "") if a]


def resolve(numbers: list[str]) -> dict:
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
    found = resolve(numbers)
    return list({found[a].id: found[a] for a in numbers if a in found}.values())


def manifest(record, locale: str = "zh_CN") -> dict:
    """The manifest's rows (printout and page): what was sent and what came back of it."""
    insts = instruments_of(record)
    cals = {}
    if insts and record.status != DRAFT:
        for r in linked(CAL, "batch", record.id):
            if r.status != VOIDED:
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
                     "cal_result": (cal.values.get("result") if cal else "") or "",
                     "cal_status": cal.status if cal else ""})
    return {"manifest": rows}
