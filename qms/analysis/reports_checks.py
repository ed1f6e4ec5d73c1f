"""The rules of the weekly and monthly reports (DA-REPORT) and the yearly method review (DA-METHOD)
that a declaration cannot say (DA-01): the period is a real month or ISO week that has begun, one live
report per kind and period, one live method review per year (not a year to come).

Pure value checks ``(record | None, values, user) -> {field: [message]}``.
"""
from __future__ import annotations

from flask_babel import gettext as _

from ..core.timeutil import today
from ..records.links import LIVE, holder
from . import reports_period

REPORT, METHOD, STATS = "DA-REPORT", "DA-METHOD", "DA-STATS"


def check_report(record, values: dict, user) -> dict:
    """DA-01: the period matches the report's kind, has begun, and has no other live report of that kind."""
    kind, text = values.get("kind"), (values.get("period") or "").strip()
    if not kind or not text:
        return {}  # the declaration says what is missing
    period, errors = reports_period.parse(kind, text)
    if period is None:
        return {"period": errors} if errors else {}
    other = holder(REPORT, record, {"kind": kind, "period": text}, statuses=LIVE)
    if other:
        return {"period": [_("This period already has a report of this kind: %(number)s.", number=other)]}
    return {}


def check_method(record, values: dict, user) -> dict:
    """DA-01: one method review per year, for a year that has begun."""
    year = values.get("year")
    if year in (None, ""):
        return {}
    try:
        year = int(year)
    except (TypeError, ValueError):
        return {}
    if year > today().year:
        return {"year": [_("The year has not begun yet.")]}
    other = holder(METHOD, record, {"year": year}, statuses=LIVE)
    if other:
        return {"year": [_("This year's methods were already reviewed: %(number)s.", number=other)]}
    return {}
