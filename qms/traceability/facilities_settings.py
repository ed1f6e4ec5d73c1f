"""The long-repair limit (IT-04): after how many days under maintenance a facility's repair is
reminded to 运行维护部 and then escalated. The seed gives no figure (S003 says only 「修复后,应立即撤
去不正常状态标识」), so the default is 7 days and the administrator changes it (audited)."""
from __future__ import annotations

from flask_babel import gettext as _

from ..core import audit
from ..core.errors import ValidationFailed
from ..core.timeutil import utcnow
from ..extensions import db
from .facilities_models import TraceSetting

REPAIR_DAYS = "facility_repair_days"
DEFAULT_REPAIR_DAYS = 7
MAX_REPAIR_DAYS = 365


def repair_days() -> int:
    """Days a facility may stay under maintenance before the reminder (the admin's figure, else 7)."""
    row = db.session.get(TraceSetting, REPAIR_DAYS)
    try:
        return int(row.value) if row else DEFAULT_REPAIR_DAYS
    except ValueError:
        return DEFAULT_REPAIR_DAYS


def set_repair_days(actor, value) -> bool:
    """Change the limit; audited. ValidationFailed on ``days`` unless 1..365. True when it changed."""
    try:
        days = int(str(value).strip())
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_REPAIR_DAYS:
        raise ValidationFailed({"days": [_("Enter a whole number of days from 1 to %(max)d.", max=MAX_REPAIR_DAYS)]})
    old = repair_days()
    if days == old:
        return False
    row = db.session.get(TraceSetting, REPAIR_DAYS) or TraceSetting(name=REPAIR_DAYS)
    row.value, row.changed_by_id, row.changed_at = str(days), getattr(actor, "id", None), utcnow()
    db.session.add(row)
    db.session.flush()
    audit.log("trace_setting_changed", actor=actor, obj_type="trace_setting", obj_id=REPAIR_DAYS,
              summary=f"{REPAIR_DAYS} = {days}", changes={REPAIR_DAYS: [old, days]})
    return True
