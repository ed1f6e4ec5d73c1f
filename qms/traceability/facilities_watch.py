"""The long-repair reminder of a facility (IT-04, rule ``it04-long-repair``): one managed watch per
facility, due :func:`.facilities_settings.repair_days` days after its maintenance started, stopped
when it is back in service. A changed limit retimes the open watches (:func:`retime_all`)."""
from __future__ import annotations

from datetime import timedelta

from ..core.timeutil import local
from ..extensions import db
from ..records.models import Record
from ..reminders.engine import watch_until
from . import facilities_state as state
from .facilities_models import Facility
from .facilities_models import FacilityStatus as S
from .facilities_settings import repair_days

LONG_REPAIR_RULE = "it04-long-repair"


def watch_repair(fac: Facility) -> None:
    """Keep one facility's watch: to whoever started the maintenance record, the head of its
    department on the ladder; inactive once the facility is back in service."""
    day = local(fac.since_at).date() + timedelta(days=repair_days()) if fac.since_at else None
    rec = db.session.get(Record, fac.maint_record_id) if fac.maint_record_id else None
    watch_until(LONG_REPAIR_RULE, "facility", fac.id, day,
                title=f"{fac.name} {rec.display_number if rec else ''}"[:300],
                link=f"/r/{state.MAINT}/{rec.id}" if rec else f"/r/{state.FACILITY}/{fac.id}",
                owner_id=rec.created_by_id if rec else None, department_id=fac.department_id,
                active=fac.status == S.MAINTENANCE and day is not None)


def retime_all() -> int:
    """Retime the watch of every facility under maintenance (after the limit changed); returns how many."""
    found = state.under_maintenance()
    for fac in found:
        watch_repair(fac)
    return len(found)
