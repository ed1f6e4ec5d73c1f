"""Check sheets (调查表, DA-04): tallies by category per day, week or month, for the complaints (by
category) and the nonconformities (CA-NC by source and by severity).

The database groups the records by day and category (the date facet's first ten characters, one
``GROUP BY`` per form over the facet index); the days are then gathered into the sheet's weeks or
months here, a few hundred grouped rows at most. Counted: submitted records (in handling or
closed); drafts, voided and superseded ones are left out. A sheet lists every category its forms
declare, in their order, as a paper sheet does, and "not recorded" when some left it empty.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from ..core.i18n import tr
from ..extensions import db
from ..records import spec as specs
from ..records.models import Record, RecordFacet
from .techniques_pareto import COMPLAINTS, COUNTED, RECEIVED, UNKNOWN
from .techniques_period import Period, columns_of, week_start

NC = "CA-NC"


@dataclass(frozen=True)
class Sheet:
    """A check sheet: its title, and (form, date field, category field) for each form it tallies."""

    key: str
    title: object  # a lazy string
    sources: tuple[tuple[str, str, str], ...]


SHEETS = {
    "complaints": Sheet("complaints", _l("Complaints by category"),
                        tuple((c.form, RECEIVED, c.category) for c in COMPLAINTS)),
    "nc-source": Sheet("nc-source", _l("Nonconformities by source"), ((NC, "found_on", "source"),)),
    "nc-severity": Sheet("nc-severity", _l("Nonconformities by severity"), ((NC, "found_on", "severity"),)),
}


@dataclass
class Tallies:
    """A filled-in sheet: column labels (and their first days), rows of (key, label, counts per column)."""

    columns: list[str]
    starts: list[date]
    rows: list[tuple[str, str, list[int]]]

    @property
    def column_totals(self) -> list[int]:
        """The total of each column."""
        return [sum(r[2][j] for r in self.rows) for j in range(len(self.columns))]

    @property
    def total(self) -> int:
        """Every tally of the sheet."""
        return sum(sum(r[2]) for r in self.rows)


def by_day(form: str, date_field: str, category: str, period: Period,
           department_id: int | None = None) -> list[tuple[str, str | None, int]]:
    """[(day 'YYYY-MM-DD', category value or None, count)] of one form's submitted records in
    ``period`` by their date field, grouped by the database."""
    when = aliased(RecordFacet, name="at")
    cat = aliased(RecordFacet, name="cat")
    day = func.substr(when.value, 1, 10)
    lo, hi = period.received_range()
    stmt = (select(day, cat.value, func.count()).select_from(when).join(Record, Record.id == when.record_id)
            .outerjoin(cat, and_(cat.record_id == when.record_id, cat.field == category))
            .where(when.form_code == form, when.field == date_field, when.value >= lo, when.value < hi,
                   Record.status.in_(COUNTED)))
    if department_id is not None:
        stmt = stmt.where(Record.department_id == department_id)
    return list(db.session.execute(stmt.group_by(day, cat.value)).all())


def column_label(start: date, by: str, first: bool) -> str:
    """A column's short label: the day of the month (with the month on the 1st and the first
    column), the ISO week (W48), or the month (2026-11)."""
    if by == "day":
        return f"{start.month}/{start.day}" if first or start.day == 1 else str(start.day)
    if by == "week":
        return f"W{start.isocalendar()[1]:02d}"
    return f"{start:%Y-%m}"


def _bucket(day: date, by: str) -> date:
    return day if by == "day" else week_start(day) if by == "week" else day.replace(day=1)


def tally(sheet: Sheet, period: Period, locale: str, department_id: int | None = None) -> Tallies:
    """The sheet over ``period``, grouped per ``period.by``."""
    starts = columns_of(period)
    index = {d: j for j, d in enumerate(starts)}
    order: dict[str, str] = {}  # key -> label, in the forms' declared order
    for form, _date_field, category in sheet.sources:
        spec = specs.get(form)
        f = spec.field_map.get(category) if spec is not None else None
        for value, label in (f.choices if f is not None else ()):
            order.setdefault(value, tr(label, locale))
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(starts))
    for form, date_field, category in sheet.sources:
        if specs.get(form) is None:
            continue
        for day, value, n in by_day(form, date_field, category, period, department_id):
            j = index.get(_bucket(date.fromisoformat(day), period.by))
            if j is not None:
                counts[value or UNKNOWN][j] += n
    rows = [(k, label, counts.get(k, [0] * len(starts))) for k, label in order.items()]
    rows += [(k, k, c) for k, c in counts.items() if k not in order and k != UNKNOWN]  # a value since retired
    if UNKNOWN in counts:
        with force_locale(locale):
            rows.append((UNKNOWN, _("Not recorded"), counts[UNKNOWN]))
    labels = [column_label(d, period.by, j == 0) for j, d in enumerate(starts)]
    return Tallies(labels, starts, rows)
