"""The rules of the weekly and monthly reports (DA-REPORT) and the yearly method review (DA-METHOD)
that a declaration cannot say (DA-01): the period is a real month or ISO week that has begun, one live
report per kind and period, one live method review per year (not a year to come).

Pure value checks ``(record | None, values, user) -> {field: [message]}``.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..core.timeutil import today
from ..extensions import db
from ..records.links import LIVE
from ..records.models import Record, RecordFacet
from . import reports_period

REPORT, METHOD, STATS = "DA-REPORT", "DA-METHOD", "DA-STATS"


def taken(code: str, record, pairs: dict) -> str | None:
    """The number (or #id of a draft) of another live record of ``code`` whose facets hold all of
    ``pairs`` (the record itself and the one it amends left out), or None."""
    stmt = select(Record.id, Record.number).where(Record.form_code == code, Record.status.in_(LIVE))
    for name, value in pairs.items():
        fa = aliased(RecordFacet)
        stmt = stmt.join(fa, fa.record_id == Record.id).where(fa.form_code == code, fa.field == name,
                                                              fa.value == str(value))
    if record is not None:
        stmt = stmt.where(Record.id != record.id)
        if record.amended_from_id:
            stmt = stmt.where(Record.id != record.amended_from_id)
    row = db.session.execute(stmt.limit(1)).first()
    return (row.number or f"#{row.id}") if row else None


def check_report(record, values: dict, user) -> dict:
    """DA-01: the period matches the report's kind, has begun, and has no other live report of that kind."""
    kind, text = values.get("kind"), (values.get("period") or "").strip()
    if not kind or not text:
        return {}  # the declaration says what is missing
    period, errors = reports_period.parse(kind, text)
    if period is None:
        return {"period": errors} if errors else {}
    other = taken(REPORT, record, {"kind": kind, "period": text})
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
    other = taken(METHOD, record, {"year": year})
    if other:
        return {"year": [_("This year's methods were already reviewed: %(number)s.", number=other)]}
    return {}
