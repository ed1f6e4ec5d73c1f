"""The permit-to-use gate (INS-04): the one place that says whether an instrument may be used.

Every form that uses or acts on an instrument asks here (through the value and sign checks the
package declares), so the web, the API and other procedures meet the same gate; the label's
colour and the register's states come from the same conditions.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ..core.timeutil import today
from ..extensions import db
from ..records.lookup import as_id, display_number
from .models import CalResult, Condition, Instrument, InstrumentEvent

# Why an instrument in each condition may not be used (translated when asked).
_STOPS = {
    Condition.SCRAPPED: lambda: _("The instrument is scrapped."),
    Condition.VOIDED: lambda: _("The instrument's registration was voided."),
    Condition.QUARANTINED: lambda: _("The instrument is quarantined after a failed calibration; it needs a "
                                     "passing calibration."),
    Condition.UNDER_REPAIR: lambda: _("The instrument is under repair; after the repair it needs a passing "
                                      "calibration."),
    Condition.FAULTY: lambda: _("The instrument was found faulty (at its return or maintenance); it must be "
                                "repaired and calibrated first."),
    Condition.REPAIRED: lambda: _("The instrument was repaired; it needs a passing calibration before use."),
}


def instrument_of(values: dict) -> Instrument | None:
    """The instrument a record's ``instrument`` field names (None before its intake is signed)."""
    iid = as_id(values.get("instrument"))
    return db.session.get(Instrument, iid) if iid and 0 < iid < 2**31 else None


def refusals(inst: Instrument | None, on: date | None = None) -> list[str]:
    """Why ``inst`` may not be used or checked out now (INS-04); empty when it may. In the user's
    language, naming the date or the state that stops it."""
    if inst is None:
        return [_("This instrument is not registered (its intake record is not signed).")]
    on = on or today()
    out = []
    if inst.condition in _STOPS:
        out.append(_STOPS[inst.condition]())
    if inst.sendout_id:
        out.append(_("The instrument is away for calibration (%(number)s).", number=display_number(inst.sendout_id)))
    if inst.cal_result == CalResult.FAIL and inst.condition != Condition.QUARANTINED:
        out.append(_("The instrument failed its last calibration."))
    if inst.next_due_on is None:
        out.append(_("The instrument has no valid calibration."))
    elif inst.next_due_on < on:
        out.append(_("Calibration overdue since %(date)s.", date=inst.next_due_on.isoformat()))
    return out


def out_of_service(values: dict) -> dict:
    """For forms that need an instrument in service (calibration, maintenance, repair, scrapping,
    handover): why the named one is not — not registered, scrapped (by which record) or voided."""
    inst = instrument_of(values)
    if not values.get("instrument"):
        return {}
    if inst is None:
        return {"instrument": [refusals(None)[0]]}
    if inst.condition == Condition.SCRAPPED:
        scrap = db.session.execute(select(InstrumentEvent.number).where(
            InstrumentEvent.instrument_id == inst.id, InstrumentEvent.kind == "scrapped")).scalar()
        return {"instrument": [_("The instrument is scrapped (%(number)s).", number=scrap or "—")]}
    if inst.condition == Condition.VOIDED:
        return {"instrument": [refusals(inst)[0]]}
    return {}


def permit_state(inst: Instrument, on: date | None = None) -> str:
    """The label colour: "valid" (green), "restricted" (yellow) or "stopped" (red). The same
    conditions as :func:`refusals`, without composing the messages (a register shows fifty)."""
    on = on or today()
    if (inst.condition != Condition.OK or inst.sendout_id or inst.cal_result == CalResult.FAIL
            or inst.next_due_on is None or inst.next_due_on < on):
        return "stopped"
    return "restricted" if inst.cal_result == CalResult.RESTRICTED else "valid"


def on_loan_elsewhere(inst: Instrument, record) -> str | None:
    """Why ``inst`` cannot go out on ``record``: it is on another loan (None when it is not)."""
    if inst.loan_id and (record is None or inst.loan_id != record.id):
        return _("The instrument is on loan (%(number)s).", number=display_number(inst.loan_id))
    return None


def asset_alias(text: str) -> int | None:
    """An instrument typed by the asset number on its label (as printed, or in capitals) instead of
    its intake number. Both are looked up in the unique index."""
    text = text.strip()
    return db.session.execute(select(Instrument.id).where(
        Instrument.asset_no.in_({text, text.upper()})).order_by(Instrument.id).limit(1)).scalar()
