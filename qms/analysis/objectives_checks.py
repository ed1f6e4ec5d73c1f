"""The rules of the quality objectives (DA-01) that a declaration cannot say: an objective's unit and
indicator (DA-OBJECTIVE), a department's monthly figure for one of its own entered objectives, once
per objective and month and not for a month to come (DA-FIGURE), and the monthly statistics for a
month that has begun, once per month, with the figures the registers and the signed figures give
(DA-STATS).

Pure value checks ``(record | None, values, user) -> {field: [message]}``.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from ..core.timeutil import today
from ..extensions import db
from ..records.links import others_holding
from ..records.models import CLOSED, Record

OBJECTIVE, FIGURE, STATS = "DA-OBJECTIVE", "DA-FIGURE", "DA-STATS"
EMD = "EMD"  # 企业管理部 sets the objectives and compiles the statistics


def first_day(month) -> date | None:
    """The first day of '2026-11', or None when the text names no month."""
    try:
        return date.fromisoformat(f"{month}-01") if month and len(str(month)) == 7 else None
    except ValueError:
        return None


def future_month(month) -> bool:
    """The month has not begun yet (today's month is not in the future)."""
    start = first_day(month)
    return start is not None and start > today().replace(day=1)


def check_objective(record, values: dict, user) -> dict:
    """DA-OBJECTIVE: a target states its unit (not blanks), and only a computed objective names an
    indicator (an entered one takes the department's figure)."""
    errors: dict = {}
    if values.get("target") not in (None, "") and not str(values.get("unit") or "").strip():
        errors["unit"] = [_("A target needs its unit (%, 件, 分…).")]
    if values.get("source") == "entered" and values.get("indicator"):
        errors["indicator"] = [_("An objective whose actual the department enters takes no indicator.")]
    return errors


def objective_of(values: dict) -> Record | None:
    """The DA-OBJECTIVE record a figure's link names, or None."""
    ref = values.get("objective")
    if ref in (None, "") or not str(ref).isdigit():
        return None
    found = db.session.get(Record, int(ref))
    return found if found is not None and found.form_code == OBJECTIVE else None


def check_figure(record, values: dict, user) -> dict:
    """DA-FIGURE, while a draft: an entered objective in force of the author's own department, a month
    that has begun, and no other figure of the same objective (any revision of it) and month."""
    errors: dict = {}
    month = values.get("month")
    if future_month(month):
        errors["month"] = [_("This month has not begun: a figure is for a past month or the current one.")]
    objective = objective_of(values)
    if objective is None:
        return errors
    owner = record.department_id if record is not None else user.department_id
    if objective.status != CLOSED:
        errors["objective"] = [_("This objective is not in force (not signed yet, amended or withdrawn).")]
    elif objective.values.get("source") != "entered":
        errors["objective"] = [_("This objective's actual is counted from the registers: it takes no figure.")]
    elif objective.department_id != owner:
        errors["objective"] = [_("Only the objective's own department enters its figure.")]
    if first_day(month) is not None and "month" not in errors:
        for other in others_holding(FIGURE, record, {"month": month}):
            linked = objective_of(other.values)
            if linked is not None and linked.number == objective.number:
                errors["month"] = [_("%(number)s already gives this objective's figure for %(month)s; "
                                     "amend it to correct it.", number=other.display_number, month=month)]
                break
    return errors
