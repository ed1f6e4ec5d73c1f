"""Facilities under maintenance (IT-04): the part module of QP-IT for 运行维护部's facility register
(IT-FACILITY) and its maintenance records (IT-FACMAINT).

- a maintenance record names a registered facility that is not already under maintenance
  (:func:`draft_maintenance`, a field message on ``facility``);
- its first signature sets the facility 检修 and its repair signature clears it
  (:mod:`.facilities_state`), each a line of the facility's history;
- a repair lasting longer than the administrator's figure (:mod:`.facilities_settings`, default 7
  days) is reminded to whoever started it, then to the head of 运行维护部 (rule ``it04-long-repair``).
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..records.models import Record
from ..records.procedures import FormRules
from . import facilities_state as state
from . import facilities_views as views
from .facilities_models import FacilityStatus as S
from .facilities_watch import LONG_REPAIR_RULE, watch_repair

FACILITY, MAINT = state.FACILITY, state.MAINT


def draft_maintenance(record, values, user) -> dict:
    """A maintenance record names a registered facility in service (not retired, not already under
    maintenance by another record)."""
    fac = state.facility_of(values)
    if values.get("facility") and fac is None:
        return {"facility": [_("This is not a registered facility: register it first (设施登记).")]}
    if fac is None:
        return {}
    if fac.status == S.RETIRED:
        return {"facility": [_("This facility's registration was voided or replaced.")]}
    if fac.status == S.MAINTENANCE and fac.maint_record_id != getattr(record, "id", None):
        return {"facility": [_("This facility is already under maintenance (%(number)s): finish that record first.",
                               number=_number(fac.maint_record_id))]}
    return {}


def _number(record_id) -> str:
    rec = db.session.get(Record, record_id) if record_id else None
    return rec.display_number if rec else ""


def facility_changed(record, spec, new: bool = False) -> None:
    """A facility record signed (registered) or voided/superseded (retired)."""
    if record.number:
        state.register(record)


def maintenance_changed(record, spec, new: bool = False) -> None:
    """A maintenance record's start or repair signed, or the record voided: the facility's status
    follows, and the long-repair reminder with it."""
    fac = state.maintenance(record)
    if fac is not None:
        watch_repair(fac)


FORMS = {
    FACILITY: FormRules(on_change=(facility_changed,), panel=views.facility_panel),
    MAINT: FormRules(draft_checks=(draft_maintenance,), on_change=(maintenance_changed,), panel=views.maint_panel),
}
BLUEPRINTS = (views.bp,)
RULES = (
    # IT-04: the seed gives no limit; the figure is the administrator's (default 7 days, facilities page).
    {"id": LONG_REPAIR_RULE, "requirement": "IT-04", "kind": "due", "form": MAINT, "field": "started_at",
     "managed": True, "lead_days": [],
     "title": {"zh": "设施检修时间过长,尚未修复", "en": "Facility under maintenance too long"},
     "ladder": [{"after_hours": 48, "to": "department_head"}, {"after_hours": 168, "to": "quality_manager"}]},
)
AUDIT_ACTIONS = {"trace_setting_changed": _l("Traceability setting changed")}
