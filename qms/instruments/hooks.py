"""After-change hooks, one per form (same transaction as the change): the instrument's state, its
usage file and its reminders follow the signed records (INS-01..INS-11). Each calls the verbs of
:mod:`qms.instruments.state`; none sets a condition itself."""
from __future__ import annotations

from ..auth.lookup import names
from ..extensions import db
from ..records.lookup import as_id
from ..records.models import CLOSED, DRAFT, IN_PROGRESS, VOIDED
from . import impact, state
from .batches import instruments_of
from .gate import instrument_of
from .models import Instrument
from .reminders import watch_calibration, watch_hand_back, watch_switch
from .switches import switch_name, switch_of


def intake_changed(record, spec, new: bool = False) -> None:
    """A signed intake registers the instrument; a voided one voids it. Its reminder follows."""
    inst = db.session.get(Instrument, record.id)
    if record.status == VOIDED and inst is not None:
        state.void_registration(inst, record)
    elif record.status == CLOSED and inst is None:
        inst = state.register(record)
    if inst is not None:
        watch_calibration(inst)


def loan_changed(record, spec, new: bool = False) -> None:
    """Handed out (the loan waits for its return), or back (returned or voided): the keeper's
    reminder of a hand back stops."""
    inst = instrument_of(record.values)
    if inst is None:
        return
    if record.status == IN_PROGRESS and record.current_step == "return":
        state.lend(inst, record)
    elif inst.loan_id == record.id and record.status in (CLOSED, VOIDED):
        state.take_back(inst, record)
        watch_hand_back(record, inst, None, None)


def calibration_changed(record, spec, new: bool = False) -> None:
    """A reviewed calibration renews the validity, or quarantines the instrument and opens a
    nonconformity listing its uses since the last pass (INS-03)."""
    if record.status != CLOSED:
        return
    inst = instrument_of(record.values)
    if inst is None:
        return
    failed, since = state.calibrated(inst, record)
    if failed:
        impact.failed_calibration(inst, record, since)
    watch_calibration(inst)


def billing_changed(record, spec, new: bool = False) -> None:
    """A signed test moves its switch's watch; the reviewed test is in the instrument's file and,
    below the threshold, opens a nonconformity (INS-07)."""
    if record.number and record.status != DRAFT:
        sw = switch_of(record.values)
        if sw is not None:
            watch_switch(sw)
    if record.status != CLOSED:
        return
    v = record.values
    inst = instrument_of(v)
    if inst is not None:
        state.used(inst, record, v.get("tested_on"), f"{switch_name(v)} {v.get('test_month')}")
    impact.billing_below_threshold(record, spec)


def repair_changed(record, spec, new: bool = False) -> None:
    """A submitted repair stops the instrument; a finished one leaves it repaired or faulty (INS-10)."""
    inst = instrument_of(record.values)
    if inst is None:
        return
    if record.status == IN_PROGRESS:
        state.report_fault(inst, record)
    elif record.status == CLOSED:
        state.repair_done(inst, record)
    watch_calibration(inst)


def scrap_changed(record, spec, new: bool = False) -> None:
    """An approved scrapping is final (INS-09); its reminder stops."""
    inst = instrument_of(record.values)
    if inst is None:
        return
    if record.status == CLOSED:
        state.scrap(inst, record)
    watch_calibration(inst)


def maintenance_changed(record, spec, new: bool = False) -> None:
    """A signed maintenance goes into the usage file (INS-05)."""
    inst = instrument_of(record.values)
    if record.status == CLOSED and inst is not None:
        state.maintained(inst, record)


def handover_changed(record, spec, new: bool = False) -> None:
    """A confirmed handover moves custody, and the calibration reminder with it (INS-11)."""
    inst = instrument_of(record.values)
    if record.status != CLOSED or inst is None:
        return
    v = record.values
    giver, taker = as_id(v.get("from_person")), as_id(v.get("to_person"))
    people = names((giver, taker))
    state.hand_over(inst, record, people.get(giver, ""), people.get(taker, ""))
    watch_calibration(inst)


def sendout_changed(record, spec, new: bool = False) -> None:
    """Sent: each instrument is away and its file says so. Received back or voided: home again."""
    if record.status == IN_PROGRESS:
        for inst in instruments_of(record):
            state.send_out(inst, record)
    elif record.status in (CLOSED, VOIDED):
        state.come_back(record)


def switch_changed(record, spec, new: bool = False) -> None:
    """A registered or retired switch: its monthly-test watch starts or stops."""
    if record.status in (CLOSED, VOIDED):
        watch_switch(record)
