"""What a weekly or monthly report (DA-REPORT, DA-01) shows of its period: the figures the system takes
when the draft is saved (``derive``: frozen by the compile signature) and, for a month, the lines of
that month's signed objective statistics (DA-STATS, read by form code and the contract's field names).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..auth.lookup import department_name
from ..core.i18n import current_locale
from ..core.timeutil import local, utcnow
from ..extensions import db
from ..records.models import CLOSED, Record
from . import reports_counts as counts
from . import reports_period
from .reports_checks import STATS

FIGURES = ("complaints", "complaints_serious", "complaints_closed", "nc_opened", "nc_closed", "calibrations",
           "calibrations_failed", "billing_tests", "billing_passed", "stats_number", "figures_taken_at")


@dataclass(frozen=True)
class StatsLine:
    """One objective's line of a month's signed statistics."""

    objective: str
    name: str
    department: str
    unit: str
    target: str
    actual: str
    met: str
    comment: str


def stats_of_month(month: str) -> Record | None:
    """The month's signed (closed) DA-STATS record, the newest, or None (a dozen a year: read by values)."""
    rows = db.session.execute(select(Record).where(Record.form_code == STATS, Record.status == CLOSED)
                              .order_by(Record.id.desc())).scalars()
    return next((r for r in rows if r.values.get("month") == month), None)


def stats_lines(record: Record | None, locale: str | None = None) -> list[StatsLine]:
    """The lines of a DA-STATS record ([] when there is none), each department by its name in ``locale``."""
    if record is None:
        return []
    loc = locale or current_locale()
    out = []
    for row in record.values.get("lines") or []:
        cells = {k: str(row.get(k) if row.get(k) is not None else "") for k in
                 ("objective", "name", "department", "unit", "target", "actual", "met", "comment")}
        if cells["department"]:
            cells["department"] = department_name(cells["department"], loc)
        out.append(StatsLine(**cells))
    return out


def derive(record, values: dict, user) -> dict:
    """DA-REPORT's generated figures of its period, taken now ({} while the period is not valid:
    the check says why)."""
    period, _errors = reports_period.parse(values.get("kind") or "", values.get("period") or "")
    if period is None:
        return {}
    c = counts.complaint_totals(period)
    cal = counts.calibrations(period)
    bill = counts.billing(period) if values.get("kind") == reports_period.MONTH else None
    stats = stats_of_month(period.text) if values.get("kind") == reports_period.MONTH else None
    return {"complaints": c["total"], "complaints_serious": c["serious"], "complaints_closed": c["closed"],
            "nc_opened": counts.nonconformities(period).total, "nc_closed": counts.nc_closed_in(period),
            "calibrations": cal.total, "calibrations_failed": cal.count("result", "fail"),
            "billing_tests": bill.tests if bill else None, "billing_passed": bill.passed if bill else None,
            "stats_number": stats.display_number if stats is not None else None,
            "figures_taken_at": local(utcnow()).strftime("%Y-%m-%dT%H:%M")}
