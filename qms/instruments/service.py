"""Monitoring and measuring devices (监视和测量装置控制程序): the permit-to-use gate (INS-04), the
loan rules (INS-02), calibration results and their reverse impact (INS-03), and the instrument
state kept from the signed records.

Every rule is registered on the records service, so the web, the API and every other form meet
the same gate: :func:`refusals` is the one place that says whether an instrument may be used.
"""
from __future__ import annotations

from datetime import UTC, date

from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.models import Department
from ..core import policy
from ..core.timeutil import today, utcnow
from ..extensions import db
from ..records import service
from ..records import spec as specs
from ..records.models import CLOSED, DRAFT, IN_PROGRESS, VOIDED, Record, RecordFacet
from ..reminders.workcal import add_months
from . import events
from .models import Instrument, InstrumentEvent

INTAKE, USAGE, CAL, BILLING = "INS-INTAKE", "INS-USAGE", "INS-CAL", "INS-BILLING"
REPAIR, SCRAP = "INS-REPAIR", "INS-SCRAP"
MAINT, HANDOVER, SENDOUT, SWITCH = "INS-MAINT", "INS-HANDOVER", "INS-SENDOUT", "INS-SWITCH"
KEEPER = "TDD"  # 技术发展部 keeps the registers and organises calibration


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def instrument_of(values: dict) -> Instrument | None:
    """The instrument a record's ``instrument`` field names (None before its intake is signed)."""
    iid = _int(values.get("instrument"))
    return db.session.get(Instrument, iid) if iid else None


def refusals(inst: Instrument | None, on: date | None = None) -> list[str]:
    """Why ``inst`` may not be used or checked out now (INS-04); empty when it may. In the user's
    language, naming the date or the state that stops it."""
    if inst is None:
        return [_("This instrument is not registered (its intake record is not signed).")]
    on = on or today()
    out = []
    if inst.condition == "scrapped":
        out.append(_("The instrument is scrapped."))
    elif inst.condition == "voided":
        out.append(_("The instrument's registration was voided."))
    elif inst.condition == "quarantined":
        out.append(_("The instrument is quarantined after a failed calibration; it needs a passing calibration."))
    elif inst.condition == "under_repair":
        out.append(_("The instrument is under repair; after the repair it needs a passing calibration."))
    elif inst.condition == "faulty":
        out.append(_("The instrument was found faulty (at its return or maintenance); it must be repaired and "
                     "calibrated first."))
    elif inst.condition == "repaired":
        out.append(_("The instrument was repaired; it needs a passing calibration before use."))
    if inst.sendout_id:
        out.append(_("The instrument is away for calibration (%(number)s).", number=_number(inst.sendout_id)))
    if inst.cal_result == "fail" and inst.condition != "quarantined":
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
    if inst.condition == "scrapped":
        scrap = db.session.execute(select(InstrumentEvent.number).where(
            InstrumentEvent.instrument_id == inst.id, InstrumentEvent.kind == "scrapped")).scalar()
        return {"instrument": [_("The instrument is scrapped (%(number)s).", number=scrap or "—")]}
    if inst.condition == "voided":
        return {"instrument": [refusals(inst)[0]]}
    return {}


def permit_state(inst: Instrument, on: date | None = None) -> str:
    """The label colour: "valid" (green), "restricted" (yellow) or "stopped" (red). The same
    conditions as :func:`refusals`, without composing the messages (a register shows fifty)."""
    on = on or today()
    if (inst.condition != "ok" or inst.sendout_id or inst.cal_result == "fail" or inst.next_due_on is None
            or inst.next_due_on < on):
        return "stopped"
    return "restricted" if inst.cal_result == "restricted" else "valid"


# ---- value checks (create, update, sign) ----

def _check_intake(record, values, user) -> dict:
    errors = {}  # who registers (技术发展部) is declared in the form (permissions.departments)
    asset = (values.get("asset_no") or "").strip()
    if asset:
        taken = db.session.execute(select(Instrument.id).where(Instrument.asset_no == asset,
                                                               Instrument.condition != "voided")).first()
        drafts = db.session.execute(select(RecordFacet.record_id).where(
            RecordFacet.form_code == INTAKE, RecordFacet.field == "asset_no", RecordFacet.value == asset,
            RecordFacet.record_id != (record.id if record is not None else 0))
            .join(Record, Record.id == RecordFacet.record_id)
            .where(Record.status.in_((DRAFT, IN_PROGRESS, CLOSED)))).first()
        if (taken and (record is None or taken[0] != record.id)) or drafts:
            errors["asset_no"] = [_("This asset number is already registered.")]
    return errors


def _check_usage(record, values, user) -> dict:
    if record is not None and record.status != DRAFT:
        return {}  # later steps: the gate is checked again when it is handed out
    errors = {}
    inst = instrument_of(values)
    if values.get("instrument") and inst is None:
        errors["instrument"] = [refusals(None)[0]]
    elif inst is not None:
        reasons = refusals(inst)
        if reasons:
            errors["instrument"] = reasons
        elif inst.loan_id and (record is None or inst.loan_id != record.id):
            errors["instrument"] = [_("The instrument is on loan (%(number)s).", number=_number(inst.loan_id))]
    out, due = values.get("checked_out_on"), values.get("return_due_on")
    if values.get("loan_type") == "short" and out and due and date.fromisoformat(due) > add_months(date.fromisoformat(out), 1):
        errors["return_due_on"] = [_("A short loan is returned within one month (by %(date)s); choose a long loan otherwise.",
                                     date=add_months(date.fromisoformat(out), 1).isoformat())]
    return errors  # a long loan's reason: required_if in the declaration


def _check_cal(record, values, user) -> dict:
    if record is not None and record.status != DRAFT:
        return {}
    return out_of_service(values)  # a restriction's text: required_if in the declaration


def threshold(spec, values: dict) -> float | None:
    """The required accuracy (%) of the tested switch's type, as the form revision declares it."""
    from .switches import switch_type
    t = (spec.raw.get("thresholds") or {}).get(switch_type(values))
    return float(t) if t is not None else None


def accuracy(values: dict) -> float | None:
    """Billed correctly / tested, in percent (None when not computable)."""
    tested, correct = _int(values.get("calls_tested")), _int(values.get("calls_correct"))
    return 100.0 * correct / tested if tested and correct is not None else None


def _check_billing(record, values, user) -> dict:
    if record is not None and record.status != DRAFT:
        return {}
    errors = {}
    tested, correct = _int(values.get("calls_tested")), _int(values.get("calls_correct"))
    if tested is not None and correct is not None and correct > tested:
        errors["calls_correct"] = [_("More correct than tested.")]
    if values.get("tested_on") and values.get("test_month") and values["tested_on"][:7] < values["test_month"]:
        errors["tested_on"] = [_("A month is tested in that month or later, not before.")]
    if values.get("instrument"):
        reasons = refusals(instrument_of(values), date.fromisoformat(values["tested_on"]) if values.get("tested_on") else None)
        if reasons:
            errors["instrument"] = reasons
    return errors


def _check_fault(record, values, user) -> dict:
    """Repairs and scrapping name a registered instrument that is not scrapped already; a repair
    goes to a department where somebody can sign it."""
    if record is not None and record.status != DRAFT:
        return {}
    errors = out_of_service(values)
    code = values.get("repair_department")
    if code:
        from ..auth.models import User
        signer = db.session.execute(select(User.id).join(Department, Department.id == User.department_id).where(
            Department.code == code, User.active.is_(True),
            User.role.in_(("technician", "department_head"))).limit(1)).first()
        if signer is None:
            errors["repair_department"] = [_("Nobody in this department can sign a repair yet: choose another "
                                             "department or ask the administrator to add its staff.")]
    return errors


def choice_zh(record, field: str) -> str:
    """The Chinese label of a choice value, as the usage file and generated texts print it."""
    spec = specs.by_revision(record.form_revision_id)
    value = record.values.get(field)
    f = spec.field_map.get(field)
    for v, label in (f.choices if f is not None else ()):
        if v == value:
            return label.get("zh", value) if isinstance(label, dict) else str(label)
    return value or ""


def _number(record_id) -> str:
    r = db.session.get(Record, record_id) if record_id else None
    return r.display_number if r else "—"


# ---- why a step cannot be signed yet ----

def _sign_usage(record, spec, step, user) -> str | None:
    if step.name == "return":
        return _keeper_or_custodian(user, instrument_of(record.values),
                                    _("A return is checked by 技术发展部 or the custodian department."))
    if step.name != "hand_out":
        return None
    inst = instrument_of(record.values)
    reasons = refusals(inst)
    if reasons:
        return _("Cannot be handed out: %(reasons)s", reasons=" ".join(reasons))
    if inst.loan_id and inst.loan_id != record.id:
        return _("The instrument is on loan (%(number)s).", number=_number(inst.loan_id))
    return _keeper_or_custodian(user, inst, _("Handed out by 技术发展部 or the custodian department."))


def _keeper_or_custodian(user, inst: Instrument | None, refusal: str) -> str | None:
    """Loans are handed out and taken back by 技术发展部 or the department that keeps the instrument."""
    if inst is None:
        return None
    dept = user.department.code if user.department else ""
    custodian = db.session.get(Department, inst.department_id)
    if policy.company_wide(user) or dept == KEEPER or (custodian is not None and custodian.code == dept):
        return None
    return refusal


def asset_alias(text: str) -> int | None:
    """An instrument typed by the asset number on its label (as printed, or in capitals) instead of
    its intake number. Both are looked up in the unique index."""
    text = text.strip()
    return db.session.execute(select(Instrument.id).where(
        Instrument.asset_no.in_({text, text.upper()})).order_by(Instrument.id).limit(1)).scalar()


# ---- the state, from the signed records ----

def on_change(record, spec, new: bool = False) -> None:
    """Keep the instrument's state, and its calibration reminder, in step with its intake, loans
    and calibrations."""
    code = spec.code
    if code == INTAKE:
        _intake(record)
        inst = db.session.get(Instrument, record.id)
    elif code == USAGE:
        _loan(record)
        return
    elif code == CAL and record.status == CLOSED:
        _calibration(record)
        inst = instrument_of(record.values)
    elif code == BILLING and record.status == CLOSED:
        _billing_result(record, spec)
        return
    elif code in (REPAIR, SCRAP):
        inst = _fault_or_scrap(record, code)
    else:
        return
    if inst is not None:
        watch_calibration(inst, record)


def watch_calibration(inst: Instrument, record: Record | None = None) -> None:
    """The INS-03 reminder of one instrument: 60/30/7 days before its next due date, then overdue
    repeats and the ladder; to its custodian, or whoever registered it (public instruments)."""
    from datetime import datetime, time

    from ..core.timeutil import tz
    from ..reminders import engine, rules
    rule = rules.by_id().get("ins03-calibration")
    if rule is None:
        return
    db.session.flush()
    due = datetime.combine(inst.next_due_on, time(23, 59, 59), tz()) if inst.next_due_on else None
    owner = inst.custodian_id
    if owner is None:
        intake = db.session.get(Record, inst.id)
        owner = intake.created_by_id if intake else None
    engine.upsert_watch(rule, "instrument", inst.id, "", due_at=due.astimezone(UTC) if due else None,
                        title=f"{inst.asset_no} {inst.name}"[:300], link=f"/r/{INTAKE}/{inst.id}",
                        owner_id=owner, department_id=inst.department_id,
                        active=inst.condition not in ("scrapped", "voided") and inst.cal_result != "fail")


def _fault_or_scrap(record: Record, code: str) -> Instrument | None:
    """A reported fault stops the instrument (INS-10); a finished repair leaves it needing a
    calibration; an approved scrapping is final (INS-09)."""
    inst = instrument_of(record.values)
    if inst is None or inst.condition in ("scrapped", "voided"):
        return inst
    v = record.values
    if code == REPAIR:
        if record.status == IN_PROGRESS:
            inst.condition = "under_repair"
            events.add(inst.id, "fault", record, v.get("fault_found_on"), v.get("fault") or "")
        elif record.status == CLOSED:
            inst.condition = "repaired" if v.get("outcome") == "repaired" else "faulty"
            events.add(inst.id, "repair", record, v.get("repaired_on"),
                       f"{choice_zh(record, 'outcome')} · {v.get('repair_work') or ''}")
        else:
            return inst
    elif record.status == CLOSED:
        inst.condition = "scrapped"
        events.add(inst.id, "scrapped", record, today(), choice_zh(record, "reason"))
    else:
        return inst
    inst.updated_at = utcnow()
    return inst


def _intake(record: Record) -> None:
    inst = db.session.get(Instrument, record.id)
    if record.status == VOIDED:
        if inst is not None and inst.condition != "voided":
            inst.condition, inst.updated_at = "voided", utcnow()
            events.add(inst.id, "voided", record, today(), record.void_reason or "")
        return
    if record.status != CLOSED or inst is not None:
        return
    v = record.values
    dept = db.session.execute(select(Department.id).where(Department.code == v["custodian_department"])).scalar()
    calibrated = date.fromisoformat(v["calibrated_on"])
    interval = int(v.get("interval_months") or 24)
    db.session.add(Instrument(
        id=record.id, asset_no=v["asset_no"], number=record.number or "", name=v["name"], model=v.get("model") or "",
        category=v["category"], department_id=dept or record.department_id, custodian_id=_int(v.get("custodian")),
        interval_months=interval, calibrated_on=calibrated, next_due_on=add_months(calibrated, interval),
        cal_result="pass", condition="ok", updated_at=utcnow()))
    events.add(record.id, "intake", record, v["intake_on"], v["location"], person_id=_int(v.get("custodian")))


def _loan(record: Record) -> None:
    inst = instrument_of(record.values)
    if inst is None:
        return
    v = record.values
    if record.status == IN_PROGRESS and record.current_step == "return":  # handed out
        inst.loan_id, inst.holder_id = record.id, _int(v.get("borrower"))
        inst.loan_due_on = date.fromisoformat(v["return_due_on"])
        events.add(inst.id, "loan_out", record, v["checked_out_on"], v.get("purpose") or "",
                   person_id=_int(v.get("borrower")))
    elif inst.loan_id == record.id and record.status in (CLOSED, VOIDED):
        inst.loan_id = inst.holder_id = inst.loan_due_on = None
        if record.status == CLOSED:
            events.add(inst.id, "loan_return", record, v.get("returned_on"),
                       " · ".join(x for x in (choice_zh(record, "condition_in"), v.get("return_note") or "") if x),
                       person_id=_int(v.get("borrower")))
        if record.status == CLOSED and v.get("condition_in") in ("damaged", "faulty") and inst.condition == "ok":
            inst.condition = "faulty"
    else:
        return
    inst.updated_at = utcnow()


def _calibration(record: Record) -> None:
    inst = instrument_of(record.values)
    if inst is None:
        return
    v = record.values
    on = date.fromisoformat(v["calibrated_on"])
    events.add(inst.id, "calibration", record, on, f"{choice_zh(record, 'result')} · {v.get('certificate_no') or ''}")
    if inst.calibrated_on and on < inst.calibrated_on and v["result"] != "fail":
        return  # an older certificate entered late does not undo a newer one
    if v["result"] == "fail":
        since = inst.calibrated_on
        inst.cal_result, inst.condition = "fail", "quarantined"
        inst.updated_at = utcnow()
        _reverse_impact(inst, record, since)
        return
    inst.calibrated_on, inst.next_due_on = on, add_months(on, inst.interval_months)
    inst.cal_result, inst.restriction = v["result"], (v.get("restriction") or "") if v["result"] == "restricted" else ""
    if inst.condition in ("quarantined", "faulty", "repaired"):
        inst.condition = "ok"  # a passing calibration after a failure or a repair returns it to use
    inst.updated_at = utcnow()


def _billing_result(record: Record, spec) -> None:
    """INS-07: an accuracy below the switch type's threshold is reported to 企业管理部 for tracing."""
    from flask_babel import force_locale

    from ..auth.models import User
    from ..capa.service import open_nonconformity
    v = record.values
    inst = instrument_of(v)
    if inst is not None:
        from .switches import switch_name
        events.add(inst.id, "used", record, v.get("tested_on"), f"{switch_name(v)} {v.get('test_month')}")
    acc, limit = accuracy(v), threshold(spec, v)
    if acc is None or limit is None or acc >= limit:
        return
    from .switches import switch_name
    with force_locale("zh_Hans_CN"):
        text = _("Billing accuracy of %(switch)s in %(month)s: %(acc).4f%% (%(correct)s of %(tested)s calls), "
                 "below the required %(limit)s%%.", switch=switch_name(v), month=v["test_month"], acc=acc,
                 correct=v["calls_correct"], tested=v["calls_tested"], limit=limit)
    if v.get("findings"):
        text += "\n" + v["findings"]
    actor = db.session.get(User, record.signatures[-1].user_id)
    with force_locale("zh_Hans_CN"):
        basis = _("Billing accuracy at least %(limit)s%% (%(form)s, revision %(rev)s)", limit=limit,
                  form=spec.code, rev=spec.revision)
    open_nonconformity(record, "billing_test", record.department_id, "general", text[:4000], actor,
                       requirement=basis, found_on=date.fromisoformat(v["tested_on"]))


# The date field that says when a record used the instrument.
USE_DATES = {USAGE: "checked_out_on", BILLING: "tested_on"}


def uses_since(instrument_id: int, since: date | None) -> list[Record]:
    """Loans of the instrument and tests done with it since ``since`` (every one when None), oldest first."""
    ids = db.session.execute(select(RecordFacet.record_id).where(
        RecordFacet.form_code.in_(tuple(USE_DATES)), RecordFacet.field == "instrument",
        RecordFacet.value == str(instrument_id))).scalars().all()
    if not ids:
        return []
    rows = db.session.execute(select(Record).where(Record.id.in_(ids), Record.status != VOIDED,
                                                   Record.number.is_not(None)).order_by(Record.id)).scalars().all()
    return [r for r in rows if since is None or (r.values.get(USE_DATES[r.form_code]) or "") >= since.isoformat()]


def _reverse_impact(inst: Instrument, cal: Record, since: date | None) -> Record:
    """A failed calibration opens a nonconformity listing every use since the last pass (INS-03)."""
    from flask_babel import force_locale

    from ..auth.models import User
    from ..capa.service import open_nonconformity
    with force_locale("zh_Hans_CN"):  # records are written in the users' language, whoever signs
        description = _impact_text(inst, cal, since)
    actor = db.session.get(User, cal.signatures[-1].user_id)
    with force_locale("zh_Hans_CN"):
        basis = _("A passing calibration before use (permit to use, %(form)s)", form="QP-INS")
    nc = open_nonconformity(cal, "calibration", inst.department_id, "general", description, actor,
                            requirement=basis, found_on=date.fromisoformat(cal.values["calibrated_on"]))
    events.add(inst.id, "nonconformity", nc, cal.values["calibrated_on"], description.split("\n")[0])
    return nc


def _impact_text(inst: Instrument, cal: Record, since: date | None) -> str:
    """What failed, and every loan since the last passing calibration (who, when, what for)."""
    from ..auth.models import User
    v = cal.values
    lines = [_("Instrument %(name)s (asset no. %(asset)s, %(number)s) failed calibration on %(date)s, "
               "certificate %(cert)s. It is quarantined.", name=inst.name, asset=inst.asset_no, number=inst.number,
               date=v["calibrated_on"], cert=v.get("certificate_no") or "—"),
             _("Uses since the last passing calibration (%(date)s):", date=since.isoformat() if since else "—")]
    uses = uses_since(inst.id, since)
    borrowers = {_int(r.values.get("borrower")) for r in uses} - {None}
    people = {u.id: u.full_name for u in db.session.execute(
        select(User).where(User.id.in_(borrowers))).scalars()} if borrowers else {}
    for r in uses:
        u = r.values
        if r.form_code == BILLING:
            from .switches import switch_name
            lines.append(f"- {r.display_number} {u.get('tested_on')}: {switch_name(u)} {u.get('test_month')}")
            continue
        lines.append(f"- {r.display_number} {people.get(_int(u.get('borrower')), '')} "
                     f"{u.get('checked_out_on')} ~ {u.get('returned_on') or u.get('return_due_on')}: {u.get('purpose') or ''}")
    if not uses:
        lines.append(_("(none recorded)"))
    return "\n".join(lines)[:4000]


def _holds_instruments(user, new: dict) -> dict:
    """INS-11: someone who holds instruments is not deactivated or moved to another department
    until they are returned (the loan's return step) or handed over to another custodian."""
    leaving = not new["active"] and user.active
    moving = new["department_id"] != user.department_id
    if not (leaving or moving):
        return {}
    held = db.session.execute(select(Instrument.asset_no).where(
        Instrument.condition.not_in(("scrapped", "voided")),
        (Instrument.holder_id == user.id) | (Instrument.custodian_id == user.id)).limit(20)).scalars().all()
    if not held:
        return {}
    message = _("%(name)s still holds instruments (%(list)s): return them or hand them over first.",
                name=user.full_name, list="、".join(held))
    return {"active" if leaving else "department_id": [message]}


def install() -> None:
    """Register every rule of the procedure on the records service, in one place: the gate, the
    loan and calibration rules, maintenance and handover, send-outs and certificates, switches,
    the state hooks and the handover rule on user changes."""
    from ..admin import service as admin_service
    from . import batches, custody, switches
    if _holds_instruments not in admin_service.USER_CHANGE_CHECKS:
        admin_service.USER_CHANGE_CHECKS.append(_holds_instruments)
    from ..records import webforms
    webforms.LINK_ALIASES[INTAKE] = asset_alias
    service.VALUE_CHECKS[INTAKE] = [_check_intake, custody._check_intake]
    service.VALUE_CHECKS[USAGE] = [_check_usage, custody._check_usage_manual]
    service.VALUE_CHECKS[CAL] = [_check_cal, batches._check_cal_batch]
    service.VALUE_CHECKS[BILLING] = [_check_billing, switches.check_switch]
    service.VALUE_CHECKS[REPAIR] = [_check_fault]
    service.VALUE_CHECKS[SCRAP] = [_check_fault]
    service.VALUE_CHECKS[MAINT] = [custody._check_maint]
    service.VALUE_CHECKS[HANDOVER] = [custody._check_handover]
    service.VALUE_CHECKS[SENDOUT] = [batches._check_sendout]
    service.SIGN_CHECKS[USAGE] = [_sign_usage]
    service.SIGN_CHECKS[CAL] = [batches._sign_cal_certificate]
    service.SIGN_CHECKS[MAINT] = [custody._sign_maint]
    for hook in (on_change, custody.on_change, batches.on_change, switches.on_change):
        if hook not in service.AFTER_CHANGE:
            service.AFTER_CHANGE.append(hook)
