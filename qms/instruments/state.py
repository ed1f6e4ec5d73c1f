"""An instrument's state, moved only by the verbs here, each called by a hook when the record that
causes it is signed; each verb also writes the usage-file line (INS-05).

The conditions and the transitions between them are one table (:data:`TRANSITIONS`): a verb moves
the condition only from the conditions it lists (a repair report does not revive a scrapped
instrument; damage found at a return does not overrule a quarantine). Nothing here is typed in by
hand, so the state is as traceable as the records (see :mod:`qms.instruments.models`).
"""
from __future__ import annotations

from datetime import date

from ..auth.models import Department
from ..core.timeutil import today, utcnow
from ..extensions import db
from ..records.lookup import as_id, choice_text, choices_text
from ..records.models import CLOSED, Record
from ..reminders.workcal import add_months
from . import events
from .models import GONE, CalResult, Condition, Instrument

C = Condition
IN_REGISTERS = frozenset(C) - set(GONE)  # every condition of an instrument still in the registers

# verb: (the conditions it moves from, the condition it leaves the instrument in)
TRANSITIONS = {
    "report_fault": (IN_REGISTERS, C.UNDER_REPAIR),  # a repair record submitted (INS-10)
    "repaired": (IN_REGISTERS, C.REPAIRED),  # the repair worked: a passing calibration before use
    "not_repaired": (IN_REGISTERS, C.FAULTY),  # the repair did not work
    "found_faulty": (frozenset({C.OK}), C.FAULTY),  # damaged at a return, abnormal at a maintenance
    "quarantine": (IN_REGISTERS, C.QUARANTINED),  # a failed calibration (INS-03)
    "back_in_use": (frozenset({C.QUARANTINED, C.FAULTY, C.REPAIRED}), C.OK),  # a passing calibration
    "scrap": (IN_REGISTERS, C.SCRAPPED),  # final (INS-09)
    "void": (frozenset(C) - {C.VOIDED}, C.VOIDED),  # its registration was voided
}


def move(inst: Instrument, verb: str) -> bool:
    """Apply ``verb`` if the instrument's condition allows it; True when it moved."""
    sources, target = TRANSITIONS[verb]
    if inst.condition not in sources:
        return False
    inst.condition, inst.updated_at = target, utcnow()
    return True


def _touch(inst: Instrument) -> None:
    inst.updated_at = utcnow()


def register(record: Record) -> Instrument | None:
    """A signed intake registers the instrument (INS-01): its id is the intake record's."""
    if db.session.get(Instrument, record.id) is not None:
        return None
    v = record.values
    calibrated = date.fromisoformat(v["calibrated_on"])
    interval = int(v.get("interval_months") or 24)
    inst = Instrument(
        id=record.id, asset_no=v["asset_no"], number=record.number or "", name=v["name"], model=v.get("model") or "",
        category=v["category"], department_id=Department.id_of(v["custodian_department"]) or record.department_id,
        custodian_id=as_id(v.get("custodian")), interval_months=interval, calibrated_on=calibrated,
        next_due_on=add_months(calibrated, interval), cal_result=CalResult.PASS, condition=C.OK, updated_at=utcnow())
    db.session.add(inst)
    events.add(record.id, "intake", record, v["intake_on"], v["location"], person_id=as_id(v.get("custodian")))
    return inst


def void_registration(inst: Instrument, record: Record) -> None:
    """A voided intake voids the registration (the instrument never was)."""
    if move(inst, "void"):
        events.add(inst.id, "voided", record, today(), record.void_reason or "")


def lend(inst: Instrument, record: Record) -> None:
    """Handed out on loan ``record`` (INS-02)."""
    v = record.values
    inst.loan_id, inst.holder_id = record.id, as_id(v.get("borrower"))
    inst.loan_due_on = date.fromisoformat(v["return_due_on"])
    _touch(inst)
    events.add(inst.id, "loan_out", record, v["checked_out_on"], v.get("purpose") or "",
               person_id=as_id(v.get("borrower")))


def take_back(inst: Instrument, record: Record) -> None:
    """The loan ended: returned (and checked: damaged or faulty stops it), or voided."""
    v = record.values
    inst.loan_id = inst.holder_id = inst.loan_due_on = None
    _touch(inst)
    if record.status != CLOSED:
        return
    events.add(inst.id, "loan_return", record, v.get("returned_on"),
               " · ".join(x for x in (choice_text(record, "condition_in"), v.get("return_note") or "") if x),
               person_id=as_id(v.get("borrower")))
    if v.get("condition_in") in ("damaged", "faulty"):
        move(inst, "found_faulty")


def calibrated(inst: Instrument, record: Record) -> tuple[bool, date | None]:
    """A reviewed calibration (INS-03). A pass or restricted result renews the validity (and
    returns a stopped instrument to use); a fail quarantines it. Returns whether it failed, and
    the date of the last passing calibration before (every use since then is affected)."""
    v = record.values
    on = date.fromisoformat(v["calibrated_on"])
    events.add(inst.id, "calibration", record, on, f"{choice_text(record, 'result')} · {v.get('certificate_no') or ''}")
    if inst.calibrated_on and on < inst.calibrated_on and v["result"] != CalResult.FAIL:
        return False, None  # an older certificate entered late does not undo a newer one
    if v["result"] == CalResult.FAIL:
        since = inst.calibrated_on
        inst.cal_result = CalResult.FAIL
        move(inst, "quarantine")
        _touch(inst)
        return True, since
    inst.calibrated_on, inst.next_due_on = on, add_months(on, inst.interval_months)
    restricted = v["result"] == CalResult.RESTRICTED
    inst.cal_result, inst.restriction = v["result"], (v.get("restriction") or "") if restricted else ""
    move(inst, "back_in_use")
    _touch(inst)
    return False, None


def report_fault(inst: Instrument, record: Record) -> None:
    """A submitted repair record stops the instrument (INS-10)."""
    if move(inst, "report_fault"):
        v = record.values
        events.add(inst.id, "fault", record, v.get("fault_found_on"), v.get("fault") or "")


def repair_done(inst: Instrument, record: Record) -> None:
    """A closed repair record: repaired (a calibration before use) or not (still faulty)."""
    v = record.values
    if move(inst, "repaired" if v.get("outcome") == "repaired" else "not_repaired"):
        events.add(inst.id, "repair", record, v.get("repaired_on"),
                   f"{choice_text(record, 'outcome')} · {v.get('repair_work') or ''}")


def scrap(inst: Instrument, record: Record) -> None:
    """An approved scrapping is final (INS-09)."""
    if move(inst, "scrap"):
        events.add(inst.id, "scrapped", record, today(), choice_text(record, "reason"))


def maintained(inst: Instrument, record: Record) -> None:
    """A signed routine maintenance (INS-05); an abnormal result stops the instrument."""
    v = record.values
    done = choices_text(record, "work")
    events.add(inst.id, "maintenance", record, v.get("maintained_on"),
               f"{done} · {choice_text(record, 'result')}" + (f" · {v['note']}" if v.get("note") else ""),
               person_id=record.signatures[-1].user_id if record.signatures else None)
    if v.get("result") == "abnormal":
        move(inst, "found_faulty")


def hand_over(inst: Instrument, record: Record, giver: str, taker: str) -> None:
    """A confirmed handover moves custody to the successor and their department (INS-11)."""
    v = record.values
    events.add(inst.id, "handover", record, v.get("handed_on"), f"{giver} → {taker}", person_id=v["to_person"])
    inst.custodian_id = v["to_person"]
    inst.department_id = Department.id_of(v["to_department"]) or inst.department_id
    _touch(inst)


def send_out(inst: Instrument, record: Record) -> None:
    """Away for calibration with send-out ``record`` (INS-03): the gate refuses it until it is back."""
    if inst.sendout_id is None:
        inst.sendout_id = record.id
        events.add(inst.id, "sent_out", record, record.values.get("sent_on"), record.values.get("agency") or "")


def come_back(record: Record) -> None:
    """The send-out was received back (or voided): its instruments are home again."""
    for inst in db.session.query(Instrument).filter(Instrument.sendout_id == record.id):
        inst.sendout_id = None


def used(inst: Instrument, record: Record, on, what: str) -> None:
    """The instrument was used for a test (a switch's billing-accuracy test, INS-07)."""
    events.add(inst.id, "used", record, on, what)


def nonconformity_opened(inst: Instrument, nc: Record, on, what: str) -> None:
    """A nonconformity this instrument's failure opened, in its file."""
    events.add(inst.id, "nonconformity", nc, on, what)
