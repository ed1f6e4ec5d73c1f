"""Pareto charts of complaints (DA-04): the complaints received in a period, counted by category, cause,
department and complaint item, largest first with their cumulative share.

The complaint forms are read through the engine (``Record`` rows and the register's facet index),
never through the complaints package: each form below names the fields it records these in, and
each of them is one of its form's ``register.filters``. One ``GROUP BY`` per form and dimension over
the received-at range of the facet index; no record's JSON is read.

Counted as the month summary (CS-07) counts: submitted complaints (in handling or closed) by their
time of receipt; drafts, voided and superseded records are left out. Keys are choice values, merged
across forms (the causes are one vocabulary on CS-INQ and TS-FEE), so the bars agree with the month
summary's. The complaint item (投诉项目) is what was complained about as the forms record it: the form,
and for a fee dispute its flow (TS-003 … TS-008).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from ..auth.lookup import department_name
from ..auth.models import Department
from ..core.i18n import tr
from ..extensions import db
from ..records import spec as specs
from ..records.models import CLOSED, IN_PROGRESS, Record, RecordFacet
from .techniques_period import Period

COUNTED = (IN_PROGRESS, CLOSED)
RECEIVED = "received_at"  # every complaint form's time of receipt (a register filter)
DIMENSIONS = ("category", "cause", "department", "item")
UNKNOWN = ""  # a complaint whose form leaves the dimension empty
OWN = "+own"  # a part of a department's bar: complaints with no handling department, counted where taken


@dataclass(frozen=True)
class Complaint:
    """A complaint form and the fields holding what the Pareto charts count by; None: not recorded
    (department: the record's own department counts)."""

    form: str
    category: str
    cause: str | None = None
    department: str | None = None  # the handling department (a choice of department codes)
    item: str | None = None  # a flow choice (one form, several kinds of complaint)
    # The register filter listing the complaints with no handling department: settled where they were
    # taken, so counted under the record's own department.
    own: tuple = ()

    def field_of(self, dimension: str) -> str | None:
        """The field holding ``dimension``, or None."""
        return getattr(self, dimension)


COMPLAINTS = (
    Complaint("CS-INQ", category="category", cause="cause", department="handling_department",  # 客户投诉查询表
              own=(("outcome", "on_spot"),)),  # settled on the spot by the first responder: not dispatched
    Complaint("TS-FEE", category="dispute_type", cause="cause", department="handling_department", item="flow"),
    Complaint("CS-NET", category="category"),  # 网络质量投诉处理单: no cause, handled where it was taken
)


@dataclass
class Bar:
    """One bar: its key, label, count, the cumulative share after it (0..1), and the count per form."""

    key: str
    label: str
    count: int
    share: float = 0.0
    parts: dict = field(default_factory=dict)  # {part: count}: a form code (+ OWN: its own-department share)


def loaded() -> list[tuple[Complaint, object]]:
    """The complaint forms that are declared, each with its current declaration."""
    return [(c, spec) for c in COMPLAINTS if (spec := specs.get(c.form)) is not None]


def _received(src: Complaint, period: Period, department_id: int | None):
    """A select over one form's complaints received in ``period``: the received-at facet joined to its record."""
    received = aliased(RecordFacet, name="received")
    lo, hi = period.received_range()
    conds = [received.form_code == src.form, received.field == RECEIVED, received.value >= lo, received.value < hi,
             Record.status.in_(COUNTED)]
    if department_id is not None:
        conds.append(Record.department_id == department_id)
    return received, conds


def grouped(src: Complaint, dimension: str, period: Period, department_id: int | None = None) -> list[tuple]:
    """[(key, count, own department id)] of one form's complaints in ``period`` by ``dimension``, grouped
    by the database. The key is the field's value (None when empty); by department without a field,
    the record's department id; by item without a flow field, the form code. By a department field,
    a complaint that names none (settled where it was taken) has the record's department as its third."""
    received, conds = _received(src, period, department_id)
    name = src.field_of(dimension)
    base = select().select_from(received).join(Record, Record.id == received.record_id)
    if name:
        facet = aliased(RecordFacet, name="dim")
        keys = [facet.value, Record.department_id] if dimension == "department" else [facet.value]
        stmt = base.add_columns(*keys, func.count()).outerjoin(
            facet, and_(facet.record_id == received.record_id, facet.field == name))
    elif dimension == "department":
        keys = [Record.department_id]
        stmt = base.add_columns(*keys, func.count())
    else:
        n = db.session.execute(base.add_columns(func.count()).where(*conds)).scalar()
        return [(src.form if dimension == "item" else None, n, None)] if n else []
    rows = db.session.execute(stmt.where(*conds).group_by(*keys)).all()
    if name and dimension == "department":
        return [(value, n, None if value else dept) for value, dept, n in rows]
    return [(value, n, None) for value, n in rows]


def _choice(spec, name: str | None, value: str, locale: str) -> str:
    f = spec.field_map.get(name) if name else None
    label = f.choice_label(value) if f is not None else None
    return tr(label, locale) if label else value


def pareto(dimension: str, period: Period, locale: str, department_id: int | None = None) -> list[Bar]:
    """The bars of ``dimension`` over every complaint form, largest first (then by label), each with
    the cumulative share of all complaints counted after it."""
    bars: dict[str, Bar] = {}
    codes = dict(db.session.execute(select(Department.id, Department.code)).all()) if dimension == "department" else {}
    for src, spec in loaded():
        for value, n, own in grouped(src, dimension, period, department_id):
            key, label = _key(src, spec, dimension, codes.get(own) if own else value, codes, locale, own is not None)
            bar = bars.setdefault(key, Bar(key, label, 0))
            bar.count += n
            part = src.form + (OWN if own is not None else "")
            bar.parts[part] = bar.parts.get(part, 0) + n
    out = sorted(bars.values(), key=lambda b: (-b.count, b.key == UNKNOWN, b.label))
    total, run = sum(b.count for b in out), 0
    for b in out:
        run += b.count
        b.share = run / total
    return out


def _key(src: Complaint, spec, dimension: str, value, codes: dict, locale: str, own: bool = False) -> tuple[str, str]:
    """A grouped value as a bar's key and label (in ``locale``); ``own``: ``value`` is already a department code."""
    if dimension == "item":
        title = tr(spec.title, locale)
        if src.item and value:
            return f"{src.form}:{value}", _choice(spec, src.item, value, locale)
        return src.form, title
    if dimension == "department" and not src.department and not own:
        value = codes.get(value)
    if value in (None, ""):
        with force_locale(locale):
            return UNKNOWN, _("Not recorded")
    if dimension == "department":
        return str(value), department_name(str(value), locale)
    return str(value), _choice(spec, src.field_of(dimension), str(value), locale)


def register_args(dimension: str, part: str, key: str, period: Period) -> dict | None:
    """The register filter of a part's form (``Bar.parts``) listing the complaints behind its share of
    one bar, or None when the register cannot filter by it (a value not recorded)."""
    form, own = part.removesuffix(OWN), part.endswith(OWN)
    src = next((c for c in COMPLAINTS if c.form == form), None)
    if src is None or key == UNKNOWN:
        return None
    args = {f"{RECEIVED}_from": period.start.isoformat(), f"{RECEIVED}_to": period.end.isoformat()}
    if own:
        dept_id = Department.id_of(key)
        return {**args, "department": dept_id, **dict(src.own)} if dept_id and src.own else None
    if dimension == "item":
        if src.item and ":" in key:
            args[src.item] = key.split(":", 1)[1]
        return args
    name = src.field_of(dimension)
    if name:
        return {**args, name: key}
    if dimension == "department":
        dept_id = Department.id_of(key)
        return {**args, "department": dept_id} if dept_id else None
    return None
