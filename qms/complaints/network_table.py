"""The network-complaint limits table (CS-15): reading it, and the admins' changes to it.

The table (``NetworkLimit``) says, per category of the group's 网络质量投诉处理分析报表, which duties
exist, who acts (a department code) and the time allowed: minutes (the monitoring room's 20-minute
confirmation, its 2-hour pre-processing, a room's 24 hours) or calendar months (3- and 6-month
construction). A ``remote`` row has no limit: its minutes are the chase interval (「30分钟追一次」).
The fault-cause checklist of each category (the causes the monitoring room checks before it passes
a fault on) is vocabulary, kept here beside CS-NET's ``causes`` choices.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.models import Department
from ..core import audit
from ..core.errors import ValidationFailed
from ..core.timeutil import utcnow
from ..extensions import db
from .network_models import NetworkLimit

FORM = "CS-NET"
CONFIRM, PREPROCESS, ROOM, REMOTE = "confirm", "preprocess", "room", "remote"
KINDS = (CONFIRM, PREPROCESS, ROOM, REMOTE)
MONITORING = "MON"  # 监控室: confirms, pre-processes and chases remote faults (CS-NET's steps name it too)

# The handbook's checklist per category (S004 网络质量投诉: the 监控室 pre-processing causes). Where
# the handbook names no causes (coverage, call quality, border roaming) the checklist is the
# category's symptoms as the handbook lists them (QP-CS 4.0, network complaints).
CAUSES = {
    "roaming": ("manual_network", "user_state_hung", "user_data_error", "user_misuse", "sim_phone_damaged"),
    "border_roaming": ("border_signal",),
    "interconnect": ("user_misuse",),
    "coverage": ("signal_drift", "no_signal", "weak_signal"),
    "sms": ("user_settings", "sim_phone_damaged"),
    "call_quality": ("no_audio", "dropped", "crosstalk", "one_way", "echo"),
    "ip": ("user_misuse",),
    "data": ("user_misuse", "user_settings"),
    "caller_id": ("user_data_error", "user_data_hung", "sim_phone_damaged"),
}

MAX_MINUTES = 60 * 24 * 366  # a year: anything longer is written in months
MAX_MONTHS = 24


def rows(category: str | None = None, *, active_only: bool = False) -> list[NetworkLimit]:
    """The table's rows (of one category), in the handbook's order."""
    q = select(NetworkLimit).order_by(NetworkLimit.position, NetworkLimit.id)
    if category is not None:
        q = q.where(NetworkLimit.category == category)
    if active_only:
        q = q.where(NetworkLimit.active.is_(True))
    return list(db.session.execute(q).scalars())


def current(category: str) -> dict:
    """{duty: snapshot} of the category's active rows: what a complaint dispatched now starts with."""
    return {r.duty: r.snapshot() for r in rows(category, active_only=True)}


FIELDS = ("room_code", "minutes", "months", "active")


def _clean(row: NetworkLimit, values: dict) -> dict:
    """The submitted values checked; ValidationFailed with a message on each bad field."""
    v = {"room_code": (values.get("room_code") or "").strip().upper(), "minutes": values.get("minutes"),
         "months": values.get("months"), "active": bool(values.get("active"))}
    errors: dict = {}
    if not v["room_code"] or Department.by_code(v["room_code"]) is None:
        errors["room_code"] = [_("Choose the department that acts.")]
    if v["minutes"] is not None and not 1 <= v["minutes"] <= MAX_MINUTES:
        errors["minutes"] = [_("Between %(low)d and %(high)d minutes; write longer limits in months.",
                               low=1, high=MAX_MINUTES)]
    if v["months"] is not None and not 1 <= v["months"] <= MAX_MONTHS:
        errors["months"] = [_("Between %(low)d and %(high)d months.", low=1, high=MAX_MONTHS)]
    if v["minutes"] is not None and v["months"] is not None:
        errors["months"] = [_("Give the limit in minutes or in months, not both.")]
    if row.kind in (CONFIRM, REMOTE) and v["minutes"] is None and "minutes" not in errors:
        errors["minutes"] = [_("This duty needs its minutes (a remote fault: the chase interval).")]
    if row.kind == REMOTE and v["months"] is not None:
        errors["months"] = [_("A remote fault is chased every so many minutes; it has no months.")]
    if errors:
        raise ValidationFailed(errors)
    return v


def save(actor, row: NetworkLimit, values: dict) -> NetworkLimit:
    """Change one row of the limits table, audited (``cs15_limit_changed``). Complaints already
    dispatched keep the limits they started with."""
    v = _clean(row, values)
    changes = audit.diff({k: getattr(row, k) for k in FIELDS}, v)
    if not changes:
        return row
    for k in FIELDS:
        setattr(row, k, v[k])
    row.updated_at = utcnow()
    audit.log("cs15_limit_changed", actor=actor, obj_type="network_limit", obj_id=row.id,
              summary=f"{row.category} {row.duty}", changes=changes)
    return row


def limit_text(minutes: int | None, months: int | None, kind: str = "") -> str:
    """A limit as people say it: 20 分钟, 2 小时, 3 个月; a remote fault: 每 30 分钟追一次."""
    if kind == REMOTE:
        return _("time not controllable; chase every %(n)d min", n=minutes or 0)
    if months:
        return _("%(n)d months", n=months)
    if not minutes:
        return _("no fixed limit")
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(n)d min", n=rest)
    if not rest:
        return _("%(n)d h", n=hours)
    return _("%(h)d h %(m)d min", h=hours, m=rest)
