"""The procedure's rules that the form declarations cannot express: value checks (on create,
update and sign; the ``draft_*`` ones only while a record is a draft, so the gate is met when an
instrument is put to use, not again at later steps) and why a step cannot be signed yet.

Pure functions of (record | None, values, user) -> {field: [message]}, or (record, spec, step, user)
-> message | None; registered in the package's ``PROCEDURE``.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.lookup import department_name
from ..auth.models import Department, User
from ..auth.roles import DEPARTMENT_HEAD, TECHNICIAN
from ..core.i18n import current_locale
from ..core.timeutil import today
from ..extensions import db
from ..records.links import LIVE, linked
from ..records.lookup import as_id, display_number, record_of
from ..records.models import CLOSED, DRAFT, VOIDED, Attachment
from ..reminders.workcal import add_months
from . import permissions
from .batches import BATCH_MAX, asset_numbers, resolve
from .forms import INTAKE, MONITORING, MONITORING_KEEPER, SENDOUT
from .gate import instrument_of, on_loan_elsewhere, out_of_service, refusals
from .models import GONE, Condition, Instrument, InstrumentEvent
from .switches import switch_of

# ---- value checks ----


def check_intake(record, values, user) -> dict:
    """An asset number is registered once (who registers, 技术发展部, is declared in the form); the
    monitoring system's equipment is kept by 运行维护部 (INS-06)."""
    errors = {}
    asset = (values.get("asset_no") or "").strip()
    if asset:
        taken = db.session.execute(select(Instrument.id).where(Instrument.asset_no == asset,
                                                               Instrument.condition != Condition.VOIDED)).first()
        others = [r for r in linked(INTAKE, "asset_no", asset, statuses=LIVE)
                  if record is None or r.id != record.id]
        if (taken and (record is None or taken[0] != record.id)) or others:
            errors["asset_no"] = [_("This asset number is already registered.")]
    if values.get("category") == MONITORING and values.get("custodian_department") not in (None, MONITORING_KEEPER):
        errors["custodian_department"] = [_("The centralised monitoring system's equipment is kept by %(dept)s.",
                                            dept=department_name(MONITORING_KEEPER, current_locale()))]
    return errors


def draft_usage(record, values, user) -> dict:
    """A loan is of a registered instrument the gate lets out, not on another loan; a short loan
    lasts at most a month (INS-02, INS-04). A long loan's reason: required_if in the declaration."""
    errors = {}
    inst = instrument_of(values)
    if values.get("instrument") and inst is None:
        errors["instrument"] = [refusals(None)[0]]
    elif inst is not None:
        reasons = refusals(inst) or [m for m in (on_loan_elsewhere(inst, record),) if m]
        if reasons:
            errors["instrument"] = reasons
    out, due = values.get("checked_out_on"), values.get("return_due_on")
    latest = add_months(date.fromisoformat(out), 1) if out else None
    if values.get("loan_type") == "short" and latest and due and date.fromisoformat(due) > latest:
        errors["return_due_on"] = [_("A short loan is returned within one month (by %(date)s); "
                                     "choose a long loan otherwise.", date=latest.isoformat())]
    return errors


def draft_usage_manual(record, values, user) -> dict:
    """INS-08: the borrower confirms use by the instrument's manual (a new loan form revision asks)."""
    if values.get("manual_ack") is False:  # absent (None) on loans filled under revision A
        return {"manual_ack": [_("Confirm that the instrument is used as its manual prescribes.")]}
    return {}


def draft_in_service(record, values, user) -> dict:
    """Calibration, maintenance: the instrument named is registered and in service (a restriction's
    or an abnormal result's text: required_if in the declaration)."""
    return out_of_service(values)


def draft_cal_batch(record, values, user) -> dict:
    """A calibration linked to a batch is of an instrument that batch sent."""
    if not values.get("batch") or not values.get("instrument"):
        return {}
    batch = record_of(values, "batch")
    if batch is None or batch.form_code != SENDOUT or batch.status in (DRAFT, VOIDED):
        return {"batch": [_("Not a sent manifest.")]}
    sent = db.session.execute(select(InstrumentEvent.id).where(
        InstrumentEvent.record_id == batch.id, InstrumentEvent.kind == "sent_out",
        InstrumentEvent.instrument_id == values["instrument"])).first()
    if not sent:
        return {"batch": [_("This instrument was not sent with %(number)s.", number=batch.display_number)]}
    return {}


def draft_billing(record, values, user) -> dict:
    """A billing test: no more correct than tested, not dated before its month, with an instrument
    the gate lets be used on the test day (INS-07)."""
    errors = {}
    tested, correct = as_id(values.get("calls_tested")), as_id(values.get("calls_correct"))
    if tested is not None and correct is not None and correct > tested:
        errors["calls_correct"] = [_("More correct than tested.")]
    if values.get("tested_on") and values.get("test_month") and values["tested_on"][:7] < values["test_month"]:
        errors["tested_on"] = [_("A month is tested in that month or later, not before.")]
    if values.get("instrument"):
        on = date.fromisoformat(values["tested_on"]) if values.get("tested_on") else None
        reasons = refusals(instrument_of(values), on)
        if reasons:
            errors["instrument"] = reasons
    return errors


def draft_switch(record, values, user) -> dict:
    """A test names a registered switch in service."""
    if not values.get("switch"):
        return {}
    sw = switch_of(values)
    if sw is None or sw.status != CLOSED:
        return {"switch": [_("Only a registered switch in service is tested.")]}
    return {}


def draft_fault(record, values, user) -> dict:
    """Repairs and scrapping name a registered instrument that is not scrapped already; a repair
    goes to a department where somebody can sign it."""
    errors = out_of_service(values)
    code = values.get("repair_department")
    if code:
        signer = db.session.execute(select(User.id).join(Department, Department.id == User.department_id).where(
            Department.code == code, User.active.is_(True),
            User.role.in_((TECHNICIAN, DEPARTMENT_HEAD))).limit(1)).first()
        if signer is None:
            errors["repair_department"] = [_("Nobody in this department can sign a repair yet: choose another "
                                             "department or ask the administrator to add its staff.")]
    return errors


def draft_handover(record, values, user) -> dict:
    """A handover (INS-11): from the present custodian, to somebody else in the receiving
    department, of an instrument that is not on loan."""
    errors = out_of_service(values)
    if errors or not values.get("instrument"):
        return errors
    inst = instrument_of(values)
    if values.get("from_person") and inst.custodian_id != values.get("from_person"):
        errors["from_person"] = [_("Only the instrument's present custodian hands it over.")]
    if values.get("to_person") and values.get("to_person") == values.get("from_person"):
        errors["to_person"] = [_("Hand it over to somebody else.")]
    receiver = db.session.get(User, values["to_person"]) if values.get("to_person") else None
    dept = Department.by_code(values.get("to_department"))
    if receiver is not None and dept is not None and receiver.department_id != dept.id:
        errors["to_department"] = [_("%(name)s is not in this department.", name=receiver.full_name)]
    if inst.loan_id:
        errors["instrument"] = [_("The instrument is on loan (%(number)s); it is returned first.",
                                  number=display_number(inst.loan_id))]
    return errors


def draft_sendout(record, values, user) -> dict:
    """A manifest lists at most BATCH_MAX registered instruments in service, each once, none on loan
    or away already."""
    errors = []
    numbers = asset_numbers(values.get("asset_nos"))
    if len(numbers) > BATCH_MAX:
        return {"asset_nos": [_("At most %(n)d instruments in one batch.", n=BATCH_MAX)]}
    found = resolve(numbers)
    seen = set()
    dupes = [a for a in numbers if a in found and (found[a].id in seen or seen.add(found[a].id))]
    if dupes:
        errors.append(_("Listed twice: %(list)s", list="、".join(dict.fromkeys(dupes))))
    unknown = [a for a in numbers if a not in found or found[a].condition in GONE]
    if unknown:
        errors.append(_("Not registered or not in service: %(list)s", list="、".join(unknown[:20])))
    for a in numbers:
        inst = found.get(a)
        if inst is None:
            continue
        if inst.loan_id:
            errors.append(_("%(asset)s is on loan (%(number)s).", asset=a, number=display_number(inst.loan_id)))
        elif inst.sendout_id and (record is None or inst.sendout_id != record.id):
            errors.append(_("%(asset)s is away already (%(number)s).", asset=a, number=display_number(inst.sendout_id)))
    return {"asset_nos": errors[:20]} if errors else {}


def holds_instruments(user, new: dict) -> dict:
    """INS-11: someone who holds instruments is not deactivated or moved to another department
    until they are returned (the loan's return step) or handed over to another custodian."""
    leaving = not new["active"] and user.active
    moving = new["department_id"] != user.department_id
    if not (leaving or moving):
        return {}
    held = db.session.execute(select(Instrument.asset_no).where(
        Instrument.condition.not_in(GONE),
        (Instrument.holder_id == user.id) | (Instrument.custodian_id == user.id)).limit(20)).scalars().all()
    if not held:
        return {}
    message = _("%(name)s still holds instruments (%(list)s): return them or hand them over first.",
                name=user.full_name, list="、".join(held))
    return {"active" if leaving else "department_id": [message]}


# ---- why a step cannot be signed yet ----


def sign_usage(record, spec, step, user) -> str | None:
    """Handed out only through the gate, by 技术发展部 or the keeping department; the return is
    checked by them too."""
    if step.name == "return":
        if permissions.keeps(user, instrument_of(record.values)):
            return None
        return _("A return is checked by 技术发展部 or the custodian department.")
    if step.name != "hand_out":
        return None
    inst = instrument_of(record.values)
    reasons = refusals(inst)
    if reasons:
        return _("Cannot be handed out: %(reasons)s", reasons=" ".join(reasons))
    elsewhere = on_loan_elsewhere(inst, record)
    if elsewhere:
        return elsewhere
    return None if permissions.keeps(user, inst) else _("Handed out by 技术发展部 or the custodian department.")


def sign_sendout(record, spec, step, user) -> str | None:
    """A manifest planned ahead (made from the due lists) is signed as sent on its day, not before."""
    sent = record.values.get("sent_on")
    if step.name != "send" or not sent or date.fromisoformat(sent) <= today():
        return None
    return _("Planned for %(date)s: the send-out can be signed from that day.", date=sent)


def sign_cal_certificate(record, spec, step, user) -> str | None:
    """The certificate (a scan) is attached before the calibration is reviewed."""
    if step.name != "review":
        return None
    has = db.session.execute(select(Attachment.id).where(Attachment.record_id == record.id)).first()
    return None if has else _("Attach the calibration certificate (a scan or PDF) before the review.")


def sign_maint(record, spec, step, user) -> str | None:
    """Only the keeping department maintains (INS-05, INS-06)."""
    inst = instrument_of(record.values)
    if inst is None or permissions.maintains(user, inst):
        return None
    return _("This instrument is maintained by %(dept)s.",
             dept=department_name(permissions.maintainer_code(inst), current_locale()))
