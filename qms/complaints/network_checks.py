"""Value checks of the network-quality complaint (CS-15): the category must be in use here, the
causes checked come from the category's checklist, and the fault is passed to one of the
category's own duties, in the room that duty belongs to (by the complaint's copy of the limits)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from ..auth.lookup import department_name
from ..core.i18n import current_locale, tr
from ..records import spec as specs
from . import network_table as table
from .network_clock import limits_for

PASSED_ON = {"room": table.ROOM, "remote": table.REMOTE}
STEP_TIMES = ("confirmed_at", "preprocessed_at", "fixed_at", "solved_at", "replied_at")


def _label(field: str, value) -> str:
    spec = specs.get(table.FORM)
    choices = dict(spec.field_map[field].choices) if spec is not None else {}
    return tr(choices[value]) if value in choices else str(value)


def check_network(record, values, user) -> dict:
    """{field: [message]} for a category not in use, a cause off its checklist, a duty of another
    category or kind, or a room that does not hold the duty."""
    errors: dict = _times(values)
    category = values.get("category")
    if not category:
        return errors
    limits = limits_for(record, category)
    if not limits:
        errors["category"] = [_("This category is not in use here: its rows are switched off in the "
                                "network limits table.")]
        return errors
    allowed = table.CAUSES.get(category, ())
    wrong = [c for c in values.get("causes") or () if c not in allowed]
    if wrong:
        errors["causes"] = [_("Not on the checklist of %(category)s: %(causes)s.",
                              category=_label("category", category),
                              causes="、".join(_label("causes", c) for c in wrong))]
    errors.update(_passed_on(values, limits, category))
    return errors


def _passed_on(values, limits: dict, category: str) -> dict:
    outcome, duty, room = values.get("outcome"), values.get("duty"), values.get("room")
    if not outcome:
        return {}
    if outcome == "solved":
        if duty or room:
            return {"duty" if duty else "room": [_("Solved at pre-processing: nothing is passed on.")]}
        return {}
    if not duty:
        return {"duty": [_("Choose the duty it is passed to (one of this category's).")]}
    row = limits.get(duty)
    if row is None or row.get("kind") not in PASSED_ON.values():
        return {"duty": [_("%(category)s complaints have no such duty.", category=_label("category", category))]}
    if row["kind"] != PASSED_ON[outcome]:
        if outcome == "room":
            return {"duty": [_("This is a remote cause: choose the outcome 'remote cause'.")]}
        return {"duty": [_("This duty belongs to one of our rooms: choose the outcome 'passed to a room'.")]}
    if outcome == "room" and room and room != row["room"]:
        return {"room": [_("This duty is %(room)s's.", room=department_name(row["room"], current_locale()))]}
    if outcome == "remote" and room:
        return {"room": [_("A remote fault stays with the monitoring room: leave the room empty.")]}
    return {}


def _moment(value) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=None) if value else None
    except ValueError:
        return None


def _times(values) -> dict:
    """A step's time before the complaint was received, to the minute (the declaration's
    ``not_before`` compares days; a 20-minute limit needs minutes)."""
    received = _moment(values.get("received_at"))
    if received is None:
        return {}
    return {name: [_("May not be before the complaint was received (%(at)s).",
                     at=received.strftime("%Y-%m-%d %H:%M"))]
            for name in STEP_TIMES if (m := _moment(values.get(name))) is not None and m < received}
