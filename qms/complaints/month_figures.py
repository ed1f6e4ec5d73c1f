"""A month of complaints counted (CS-07): by form, category, channel, grade, department, status,
overdue, repeat and cause, with the Pareto of categories and causes (DA-04).

Reads only indexes: the complaint forms' facets (the received-at range walks the facet index
(form, field, value, record id); each dimension is one probe of (record id, field)) and the
``records`` columns (status, department, reply date); the closing moment is the last signature's
(indexed by record). No record's JSON is loaded, so a month of 10,000 complaints is one query per
form (``bench/complaints.py``).

Counted: submitted complaints (in progress or closed) received in the month, by their receipt
time (local). Drafts not yet submitted, voided and superseded records are left out (the amendment
that replaced a record counts instead).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from ..auth.lookup import department_name
from ..auth.models import Department
from ..core.i18n import RECORD_LOCALE, record_language, tr
from ..core.timeutil import local, today, tz, utcnow
from ..extensions import db
from ..records.models import CLOSED, IN_PROGRESS, Record, RecordFacet, Signature
from ..reminders.workcal import add_months
from . import sources

DIMENSIONS = ("form", "category", "channel", "grade", "department", "status", "overdue", "repeat", "cause")
PARETO = ("category", "cause")  # sorted with their cumulative share (and charted)
COUNTED = (IN_PROGRESS, CLOSED)
UNKNOWN = "unknown"
OVERDUE_KEYS = ("late", "overdue", "on_time", "pending", "none")


@dataclass(frozen=True)
class Line:
    """One count: ``key`` (a choice value, department id, ...), its label in Chinese, the count and,
    for a Pareto dimension, the cumulative percentage after it (None otherwise)."""

    dimension: str
    key: str
    label: str
    count: int
    cumulative: float | None = None


@dataclass
class Figures:
    """A month's counts, as generated now or as frozen in a summary record."""

    month: str
    taken_at: datetime
    total: int
    lines: list[Line] = field(default_factory=list)

    def of(self, dimension: str) -> list[Line]:
        """The lines of one dimension, largest first."""
        return [ln for ln in self.lines if ln.dimension == dimension]

    def count(self, dimension: str, key: str) -> int:
        """The count of one key (0 when absent)."""
        return next((ln.count for ln in self.lines if ln.dimension == dimension and ln.key == key), 0)

    @property
    def overdue(self) -> int:
        """Complaints not settled by their reply date: closed late, or open past it."""
        return self.count("overdue", "late") + self.count("overdue", "overdue")

    @property
    def repeats(self) -> int:
        """Repeat complaints (those whose form records it)."""
        return self.count("repeat", "repeat")

    def as_rows(self) -> list[dict]:
        """The lines as the summary record's ``lines`` table holds them."""
        return [{"dimension": ln.dimension, "key": ln.key, "label": ln.label, "count": ln.count,
                 "cumulative": None if ln.cumulative is None else f"{ln.cumulative:.1f}"} for ln in self.lines]

    @classmethod
    def from_record(cls, values: dict, taken_at: datetime | None = None) -> Figures:
        """The figures frozen in a summary record's values."""
        lines = []
        for row in values.get("lines") or []:
            cum = row.get("cumulative")
            lines.append(Line(row.get("dimension") or "", str(row.get("key") or ""), row.get("label") or "",
                              int(row.get("count") or 0), float(cum) if cum not in (None, "") else None))
        return cls(values.get("month") or "", taken_at, int(values.get("total") or 0), lines)


def bounds(month: str) -> tuple[str, str]:
    """The month's first day and the next month's first day, as the facets hold dates ('2026-11-01')."""
    first = date.fromisoformat(f"{month}-01")
    return first.isoformat(), add_months(first, 1).isoformat()


def count_month(month: str, now: datetime | None = None) -> Figures:
    """The counts of ``month`` ('2026-11') over every complaint form, as of ``now``."""
    now = now or utcnow()
    lo, hi = bounds(month)
    counts = {d: Counter() for d in DIMENSIONS}
    labels: dict[str, dict[str, str]] = {d: {} for d in DIMENSIONS}
    with record_language():
        labels["status"] = {IN_PROGRESS: _("In handling"), CLOSED: _("Closed")}
        labels["overdue"] = {"late": _("Closed after the reply date"), "overdue": _("Open past the reply date"),
                             "on_time": _("Closed in time"), "pending": _("Open, not yet due"),
                             "none": _("No reply date")}
        unknown = _("Not recorded")
    depts = department_codes()
    day = local(now).date() if now else today()
    total = 0
    for src, spec in sources.active():
        total += _count_source(src, spec, lo, hi, day, counts, labels, depts)
    lines = []
    for dim in DIMENSIONS:
        rows = sorted(counts[dim].items(), key=lambda kv: (-kv[1], kv[0]))
        if dim == "overdue":
            rows = [(k, counts[dim][k]) for k in OVERDUE_KEYS if counts[dim][k]]
        run = 0
        for key, n in rows:
            run += n
            cum = round(100.0 * run / total, 1) if dim in PARETO and total else None
            lines.append(Line(dim, key, labels[dim].get(key) or (unknown if key == UNKNOWN else key), n, cum))
    return Figures(month, now, total, lines)


def department_codes() -> dict[int, str]:
    """{department id: code} of every department (a dozen rows): the department dimension is keyed
    by code, whether a form names the handling department or the record's own department counts."""
    return dict(db.session.execute(select(Department.id, Department.code)).all())


def _rows(src, lo, hi) -> tuple[list, dict]:
    """One form's complaints of the month: rows of (status, department id, reply date, last
    signature, facet values...) and where each facet sits in a row."""
    received = aliased(RecordFacet, name="received")
    dims = [d for d in ("category", "channel", "grade", "cause", "repeat") if src.field_of(d)]
    extra = {d: src.field_of(d) for d in dims}
    if src.department:
        extra["department"] = src.department
    if src.flow:
        extra["flow"] = src.flow
    closed_at = (select(func.max(Signature.signed_at)).where(Signature.record_id == Record.id)
                 .correlate(Record).scalar_subquery())
    facets = {name: aliased(RecordFacet, name=f"f_{name}") for name in extra}
    stmt = (select(Record.status, Record.department_id, Record.due_on, closed_at,
                   *(facets[n].value for n in extra))
            .select_from(received).join(Record, Record.id == received.record_id))
    for name, fld in extra.items():
        fa = facets[name]
        stmt = stmt.outerjoin(fa, and_(fa.record_id == Record.id, fa.field == fld))
    stmt = stmt.where(received.form_code == src.form, received.field == src.received,
                      received.value >= lo, received.value < hi, Record.status.in_(COUNTED))
    return db.session.execute(stmt).all(), {name: i + 4 for i, name in enumerate(extra)}


def _count_source(src, spec, lo, hi, day, counts, labels, depts) -> int:
    """Add one form's complaints of the month to ``counts``; returns how many there were."""
    rows, column = _rows(src, lo, hi)
    _count_forms(src, spec, rows, column, counts, labels)
    # Counted column by column (Counter runs in C): a month of 10,000 rows in a few milliseconds.
    for dim in ("category", "channel", "grade", "cause", "repeat"):
        got = Counter(r[column[dim]] for r in rows) if dim in column else Counter({None: len(rows)} if rows else {})
        for value, n in got.items():
            counts[dim][value or UNKNOWN] += n
            if value and value not in labels[dim]:
                labels[dim][value] = _choice(spec, src.field_of(dim), value)
    if "department" in column:
        for code, n in Counter(r[column["department"]] for r in rows).items():
            counts["department"][code or UNKNOWN] += n
            if code:
                labels["department"].setdefault(code, department_name(code, RECORD_LOCALE))
    else:
        # A form without a handling-department field: the record's own department, by code like the others.
        for dept_id, n in Counter(r[1] for r in rows).items():
            code = depts.get(dept_id) or UNKNOWN
            counts["department"][code] += n
            if code != UNKNOWN:
                labels["department"].setdefault(code, department_name(code, RECORD_LOCALE))
    counts["status"].update(r[0] for r in rows)
    ends: dict = {}  # reply date → the first moment after it (UTC), worked out once per date
    counts["overdue"].update(_overdue(r[0], r[2], r[3], day, ends) for r in rows)
    return len(rows)


def _count_forms(src, spec, rows, column, counts, labels) -> None:
    """The form (and flow) dimension of one form's rows."""
    form_label = tr(spec.title, RECORD_LOCALE)
    if "flow" in column:
        for flow, n in Counter(r[column["flow"]] for r in rows).items():
            key = f"{src.form}:{flow}" if flow else src.form
            counts["form"][key] += n
            label = _choice(spec, src.flow, flow) if flow else ""
            labels["form"].setdefault(key, f"{form_label}（{label}）" if label else form_label)
    elif rows:
        counts["form"][src.form] += len(rows)
        labels["form"].setdefault(src.form, form_label)


def _overdue(status: str, due_on: date | None, signed_at, day: date, ends: dict) -> str:
    """late (closed after its reply date), overdue (open past it), on_time, pending or none."""
    if due_on is None:
        return "none"
    if status == CLOSED:
        if signed_at is None:
            return "on_time" if day <= due_on else "late"
        if isinstance(signed_at, str):  # SQLite hands a correlated MAX back as text (UTC)
            signed_at = datetime.fromisoformat(signed_at)
        if signed_at.tzinfo is None:
            signed_at = signed_at.replace(tzinfo=UTC)
        end = ends.get(due_on)
        if end is None:
            end = ends[due_on] = datetime.combine(due_on + timedelta(days=1), time.min, tz()).astimezone(UTC)
        return "late" if signed_at >= end else "on_time"
    return "overdue" if day > due_on else "pending"


def _choice(spec, name: str | None, value: str) -> str:
    f = spec.field_map.get(name) if name else None
    label = f.choice_label(value) if f is not None else None
    return tr(label, RECORD_LOCALE) if label else value
