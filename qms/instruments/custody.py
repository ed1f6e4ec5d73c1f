"""Who looks after an instrument: routine maintenance (INS-05), the monitoring system's equipment
(INS-06), use by the manual (INS-08) and handover to a successor (INS-11).

Maintenance is done by the department that keeps the instrument: the using department for a
dedicated one, 技术发展部 for a public one, 运行维护部 for the centralised monitoring system's
terminals and cameras. An abnormal maintenance stops the instrument until it is repaired and
calibrated. A handover moves custody only when the successor has signed receipt and 技术发展部
has confirmed; until then the leaver still keeps it (and cannot be moved or deactivated).
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.models import Department, User
from ..core.timeutil import utcnow
from ..extensions import db
from ..records.models import CLOSED, DRAFT
from . import events
from .models import Instrument

MAINT, HANDOVER, INTAKE, USAGE = "INS-MAINT", "INS-HANDOVER", "INS-INTAKE", "INS-USAGE"
MONITORING_KEEPER = "OMD"  # 运行维护部 runs the centralised monitoring system (INS-06)


def maintainer_code(inst: Instrument) -> str:
    """The department code that maintains ``inst``."""
    from .service import KEEPER
    if inst.category == "monitoring":
        return MONITORING_KEEPER
    if inst.category == "public":
        return KEEPER
    dept = db.session.get(Department, inst.department_id)
    return dept.code if dept else KEEPER


def _dept_name(code: str) -> str:
    from ..core.i18n import current_locale
    d = db.session.execute(select(Department).where(Department.code == code)).scalar()
    return d.label(current_locale()) if d else code


def _check_intake(record, values, user) -> dict:
    """INS-06: the monitoring system's equipment is kept by 运行维护部."""
    if values.get("category") == "monitoring" and values.get("custodian_department") not in (None, MONITORING_KEEPER):
        return {"custodian_department": [_("The centralised monitoring system's equipment is kept by %(dept)s.",
                                           dept=_dept_name(MONITORING_KEEPER))]}
    return {}


def _check_maint(record, values, user) -> dict:
    if record is not None and record.status != DRAFT:
        return {}
    from .service import out_of_service
    return out_of_service(values)  # an abnormal result's description: required_if in the declaration


def _sign_maint(record, spec, step, user) -> str | None:
    """Only the keeping department maintains (INS-05, INS-06)."""
    from .service import instrument_of
    inst = instrument_of(record.values)
    if inst is None:
        return None
    code = maintainer_code(inst)
    if user.department is None or user.department.code != code:
        return _("This instrument is maintained by %(dept)s.", dept=_dept_name(code))
    return None


def _check_usage_manual(record, values, user) -> dict:
    """INS-08: the borrower confirms use by the instrument's manual (a new loan form revision asks)."""
    if record is not None and record.status != DRAFT:
        return {}
    if values.get("manual_ack") is False:  # absent (None) on loans filled under revision A
        return {"manual_ack": [_("Confirm that the instrument is used as its manual prescribes.")]}
    return {}


def _check_handover(record, values, user) -> dict:
    if record is not None and record.status != DRAFT:
        return {}
    from .service import out_of_service
    errors = out_of_service(values)
    if errors or not values.get("instrument"):
        return errors
    from .service import _number, instrument_of
    inst = instrument_of(values)
    if values.get("from_person") and inst.custodian_id != values.get("from_person"):
        errors["from_person"] = [_("Only the instrument's present custodian hands it over.")]
    if values.get("to_person") and values.get("to_person") == values.get("from_person"):
        errors["to_person"] = [_("Hand it over to somebody else.")]
    receiver = db.session.get(User, values["to_person"]) if values.get("to_person") else None
    dept = db.session.execute(select(Department).where(Department.code == values.get("to_department"))).scalar()
    if receiver is not None and dept is not None and receiver.department_id != dept.id:
        errors["to_department"] = [_("%(name)s is not in this department.", name=receiver.full_name)]
    if inst.loan_id:
        errors["instrument"] = [_("The instrument is on loan (%(number)s); it is returned first.",
                                  number=_number(inst.loan_id))]
    return errors


def on_change(record, spec, new: bool = False) -> None:
    """Signed maintenance and handovers go into the usage file; a confirmed handover moves custody."""
    from .service import choice_zh, instrument_of, watch_calibration
    if spec.code not in (MAINT, HANDOVER) or record.status != CLOSED:
        return
    v = record.values
    inst = instrument_of(v)
    if inst is None:
        return
    if spec.code == MAINT:
        f = spec.field_map["work"]
        done = "、".join(lbl.get("zh", val) for val, lbl in f.choices if val in (v.get("work") or []))
        events.add(inst.id, "maintenance", record, v.get("maintained_on"),
                   f"{done} · {choice_zh(record, 'result')}" + (f" · {v['note']}" if v.get("note") else ""),
                   person_id=record.signatures[-1].user_id if record.signatures else None)
        if v.get("result") == "abnormal" and inst.condition == "ok":
            inst.condition, inst.updated_at = "faulty", utcnow()
        return
    dept = db.session.execute(select(Department.id).where(Department.code == v["to_department"])).scalar()
    giver, taker = db.session.get(User, v["from_person"]), db.session.get(User, v["to_person"])
    events.add(inst.id, "handover", record, v.get("handed_on"),
               f"{giver.full_name if giver else ''} → {taker.full_name if taker else ''}", person_id=v["to_person"])
    inst.custodian_id, inst.department_id, inst.updated_at = v["to_person"], dept or inst.department_id, utcnow()
    watch_calibration(inst, record)
