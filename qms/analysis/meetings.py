"""The four monthly meetings (DA-03; ZLAL009 21-20 数据分析 1-4) and the management review record.

DA-MEETING: one record per meeting type per month reviewed; the month reviewed not in the future; held
on or after that month began; each action due on or after the meeting; an input linked (the month's
DA-STATS, CS-SUMMARY) must be of the same month. The chair's signature closes it, does that type's
monthly duty (``qms.analysis.reminders``) and opens its actions (``qms.analysis.actions``). The record
page lists the actions with their state and the inputs of its type. DA-REVIEW: the review's outputs,
its improvement actions opened the same way.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..core.timeutil import today
from ..extensions import db
from ..records.links import holder
from ..records.models import CLOSED, IN_PROGRESS, Record, RecordFacet
from ..records.procedures import FormRules
from . import meetings_views
from .actions import ACTION, MEETING, REVIEW, SOURCES, source_changed, states

STATS, SUMMARY = "DA-STATS", "CS-SUMMARY"
FACILITY_WORK = "IT-FACMAINT"  # a facility under maintenance has an open maintenance record (QP-IT)
INPUTS = {"business": ("stats", STATS), "coordination": ("summary", SUMMARY)}  # type -> (link field, form)


def check_meeting(record, values: dict, user) -> dict:
    """DA-03: a month reviewed that has begun, one live record per type and month (a correction is an
    amendment), held on or after the month reviewed began, actions due on or after the meeting, and a
    linked statistics or summary record of the same month."""
    errors: dict = {}
    month, kind = values.get("month"), values.get("meeting_type")
    start = _month_start(month)
    if start is None:
        return errors
    if start > today().replace(day=1):
        errors["month"] = [_("This month has not begun: a meeting reviews a past month or the current one.")]
    elif kind:
        taken = holder(MEETING, record, {"meeting_type": kind, "month": month})
        if taken:
            errors["month"] = [_("%(number)s already records this meeting for %(month)s; amend it to correct it.",
                                 number=taken, month=month)]
    held = _day(values.get("held_on"))
    if held is not None and held < start:
        errors["held_on"] = [_("The meeting is held after the month it reviews begins (%(month)s).", month=month)]
    errors.update(_actions_after(values, held))
    for name, code in (("stats", STATS), ("summary", SUMMARY)):
        linked = _record(values.get(name))
        if linked is not None and linked.form_code == code and linked.values.get("month") not in (None, month):
            errors[name] = [_("This record is for %(other)s, not the month reviewed (%(month)s).",
                              other=linked.values.get("month"), month=month)]
    return errors


def check_review(record, values: dict, user) -> dict:
    """The review's actions are due on or after the review."""
    return _actions_after(values, _day(values.get("held_on")))


def check_action(record, values: dict, user) -> dict:
    """A tracked action comes from a meeting or a management review (the link field takes any form)."""
    source = _record(values.get("source"))
    if source is None or source.form_code not in SOURCES:
        return {"source": [_("Name the monthly meeting or management review record this action comes from.")]}
    return {}


def meeting_panel(record, spec, user) -> dict:
    """The actions with their state, and the inputs of the meeting's type: the month's statistics
    (business), complaint summary (coordination), facilities under maintenance (O&M)."""
    kind, month = record.values.get("meeting_type"), record.values.get("month")
    data = {"template": "analysis/meetings/panel.html", "actions": states(record), "kind": kind,
            "input": None, "input_form": None, "facility_work": []}
    if kind in INPUTS:
        field, code = INPUTS[kind]
        data["input_form"] = code
        data["input"] = _record(record.values.get(field)) or _of_month(code, month)
    if kind == "om":
        data["facility_work"] = db.session.execute(select(Record).where(
            Record.form_code == FACILITY_WORK, Record.status == IN_PROGRESS)
            .order_by(Record.id).limit(20)).scalars().all()
    return data


def review_panel(record, spec, user) -> dict:
    """The review's improvement actions with their state."""
    return {"template": "analysis/meetings/panel.html", "actions": states(record), "kind": None,
            "input": None, "input_form": None, "facility_work": []}


def _actions_after(values: dict, held: date | None) -> dict:
    if held is None:
        return {}
    late = [i for i, row in enumerate(values.get("actions") or (), start=1)
            if (due := _day(row.get("due_on"))) is not None and due < held]
    if not late:
        return {}
    return {"actions": [_("Row %(row)d: the due date is before the meeting (%(day)s).", row=i, day=held.isoformat())
                        for i in late]}


def _of_month(code: str, month: str | None) -> Record | None:
    """The newest submitted record of ``code`` for ``month`` (its ``month`` field), or None."""
    if not month:
        return None
    f = aliased(RecordFacet)
    return db.session.execute(select(Record).join(f, f.record_id == Record.id).where(
        Record.form_code == code, Record.status.in_((IN_PROGRESS, CLOSED)), f.form_code == code,
        f.field == "month", f.value == month).order_by(Record.id.desc()).limit(1)).scalar()


def _record(value) -> Record | None:
    try:
        return db.session.get(Record, int(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _month_start(month) -> date | None:
    try:
        y, m = map(int, str(month).split("-"))
        return date(y, m, 1)
    except (TypeError, ValueError):
        return None


def _day(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


BLUEPRINTS = meetings_views.BLUEPRINTS
FORMS = {
    MEETING: FormRules(checks=(check_meeting,), on_change=(source_changed,), panel=meeting_panel),
    REVIEW: FormRules(checks=(check_review,), on_change=(source_changed,), panel=review_panel),
    ACTION: FormRules(checks=(check_action,)),
}
