"""The figures of a period read through the engine (DA-01, ISO 9001 9.3.2): complaints, nonconformities,
corrective actions, calibrations, billing-accuracy tests, identification checks, work orders and
key-customer services, counted from the records' facets (the declared register filters) and columns.

Other procedures' records are read by form code only (ARCHITECTURE §2: no import of their packages).
The management review pack reads the complaints and the service processes from the indicators' kept
counts instead (``review_pack``): those registers are the large ones.
Counted: submitted records (in progress or closed) whose period field falls in the period; drafts,
voided and superseded records are left out (an amendment counts in place of what it replaced).
Aggregates are grouped in SQL, so a year over a large database returns a few hundred rows.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from ..core.i18n import tr
from ..core.timeutil import tz
from ..extensions import db
from ..records import spec as specs
from ..records.models import CLOSED, IN_PROGRESS, Record, RecordFacet, Signature, SignatureReturn
from .indicators_defs import NC_CLOSE_DAYS
from .reports_period import Period

COUNTED = (IN_PROGRESS, CLOSED)
# The complaint forms (CS-07's three) and the field holding each one's category and grade.
COMPLAINTS = (("CS-INQ", "category", "severity"), ("TS-FEE", "dispute_type", None), ("CS-NET", "category", "severity"))
SERIOUS = "serious"
# A nonconformity open longer than this at the period's end is reported as overdue: the same days the indicator
# "nonconformities closed on time" gives one with no due day of its own (QP-DA 4.0).
NC_STALE_DAYS = NC_CLOSE_DAYS


@dataclass
class Tally:
    """Counts of one kind of record: the total and the counts by key of a few dimensions."""

    total: int = 0
    by: dict[str, Counter] = field(default_factory=dict)

    def add(self, n: int, **keys) -> None:
        """Add ``n`` records with the given keys (dimension=value)."""
        self.total += n
        for dim, key in keys.items():
            self.by.setdefault(dim, Counter())[key if key is not None else ""] += n

    def count(self, dim: str, key: str) -> int:
        """How many records hold ``key`` in ``dim`` (0 when none)."""
        return self.by.get(dim, Counter()).get(key, 0)


def _facet(name: str):
    return aliased(RecordFacet, name=name)


def _between(f, form: str, fname: str, lo: str, hi: str):
    return and_(f.record_id == Record.id, f.form_code == form, f.field == fname, f.value >= lo, f.value < hi)


def _optional(f, form: str, fname: str):
    # By (record id, field) alone: naming the form too lets SQLite walk the (form, field) index over every
    # record's values instead of probing the record's own facets.
    return and_(f.record_id == Record.id, f.field == fname)


def _grouped(form: str, when: str, period: Period, dims: dict[str, str | None]) -> Tally:
    """Records of ``form`` whose facet ``when`` falls in ``period``, counted by month, status and by
    the facets ``dims`` ({dimension: facet field or None}), in one grouped query."""
    tally = Tally()
    if specs.get(form) is None:
        return tally
    w = _facet("w")
    cols = [func.substr(w.value, 1, 7).label("month"), Record.status]
    joins = []
    names = []
    for dim, fname in dims.items():
        if fname is None:
            continue
        f = _facet(f"f_{dim}")
        joins.append((f, _optional(f, form, fname)))
        cols.append(f.value.label(dim))
        names.append(dim)
    q = select(*cols, func.count()).select_from(Record).join(w, _between(w, form, when, *_bounds(period)))
    for f, cond in joins:
        q = q.outerjoin(f, cond)
    q = q.where(Record.form_code == form, Record.status.in_(COUNTED)).group_by(*cols)
    for row in db.session.execute(q):
        keys = {"month": row[0], "status": row[1], **{n: row[2 + i] for i, n in enumerate(names)}}
        tally.add(row[-1], **keys)
    return tally


def _bounds(period: Period) -> tuple[str, str]:
    return period.start.isoformat(), period.end.isoformat()


def choice_labels(form: str, fname: str, locale: str | None = None) -> dict[str, str]:
    """{value: label} of a choice field of the current declaration of ``form`` ({} when absent)."""
    spec = specs.get(form)
    f = spec.field_map.get(fname) if spec is not None else None
    return {v: tr(label, locale) for v, label in (f.choices if f is not None else ())}


def complaints(period: Period) -> dict[str, Tally]:
    """{form: Tally by month, status, category, grade} of the complaint forms received in ``period``."""
    return {form: _grouped(form, "received_at", period, {"category": cat, "grade": grade})
            for form, cat, grade in COMPLAINTS}


def complaint_totals(period: Period) -> dict[str, int]:
    """The complaints of the period in all: received, of them serious, of them closed."""
    tallies = complaints(period).values()
    return {"total": sum(t.total for t in tallies), "serious": sum(t.count("grade", SERIOUS) for t in tallies),
            "closed": sum(t.count("status", CLOSED) for t in tallies)}


def nonconformities(period: Period) -> Tally:
    """CA-NC found in ``period`` by month, status, source and severity."""
    return _grouped("CA-NC", "found_on", period, {"source": "source", "severity": "severity"})


def nc_stale(period: Period, day: date) -> int:
    """Nonconformities found in ``period`` still open on ``day`` (the period's end or today, whichever is
    first) and found more than NC_STALE_DAYS before it: overdue."""
    limit = date.fromordinal(day.toordinal() - NC_STALE_DAYS).isoformat()
    w = _facet("w")
    hi = min(period.end.isoformat(), limit)
    q = (select(func.count()).select_from(Record)
         .join(w, _between(w, "CA-NC", "found_on", period.start.isoformat(), hi))
         .where(Record.form_code == "CA-NC", Record.status == IN_PROGRESS))
    return db.session.execute(q).scalar() or 0


def nc_closed_in(period: Period) -> int:
    """Nonconformities closed by 企业管理部 in ``period``: the live signature of the close step falls in
    its days (local time)."""
    return closed_between("CA-NC", "close", period)


def closed_between(form: str, step: str, period: Period) -> int:
    """Closed records of ``form`` whose live signature of ``step`` falls in ``period``."""
    q = (select(func.count(func.distinct(Record.id))).select_from(Record)
         .join(Signature, and_(Signature.record_id == Record.id, Signature.step == step))
         .outerjoin(SignatureReturn, SignatureReturn.signature_id == Signature.id)
         .where(Record.form_code == form, Record.status == CLOSED, SignatureReturn.id.is_(None),
                Signature.signed_at >= _utc(period.start), Signature.signed_at < _utc(period.end)))
    return db.session.execute(q).scalar() or 0


def _utc(day: date) -> datetime:
    """Local midnight of ``day`` as an aware UTC moment."""
    return datetime.combine(day, time(0), tzinfo=tz()).astimezone(UTC)


def corrective_actions(period: Period) -> Tally:
    """CA-CAPA whose reply was due in ``period``, by month, status and effectiveness."""
    return _grouped("CA-CAPA", "reply_due_on", period, {"effective": "effective"})


def open_past_due(form: str, when: str, period: Period, day: date, due: str | None = None) -> int:
    """Records of ``form`` of ``period`` (by facet ``when``) still in progress after their due day, on
    ``day``: the due day is the facet ``due`` when given (a date field that is not the form's due field),
    else the record's due day (its declared ``due_field``)."""
    if specs.get(form) is None:
        return 0
    w = _facet("w")
    q = (select(func.count()).select_from(Record).join(w, _between(w, form, when, *_bounds(period)))
         .where(Record.form_code == form, Record.status == IN_PROGRESS))
    if due is None:
        q = q.where(Record.due_on.is_not(None), Record.due_on < day)
    elif due == when:
        q = q.where(w.value < day.isoformat())
    else:
        d = _facet("d")
        q = q.join(d, and_(d.record_id == Record.id, d.form_code == form, d.field == due, d.value < day.isoformat()))
    return db.session.execute(q).scalar() or 0


def calibrations(period: Period) -> Tally:
    """INS-CAL calibrated in ``period`` by month, status and result."""
    return _grouped("INS-CAL", "calibrated_on", period, {"result": "result"})


def identification_checks(period: Period) -> Tally:
    """IT-CHECK made in ``period`` by month, status and outcome."""
    return _grouped("IT-CHECK", "checked_on", period, {"outcome": "outcome"})


@dataclass(frozen=True)
class BillingFigures:
    """Billing-accuracy tests of a period: how many, how many reached their switch type's threshold."""

    tests: int
    passed: int
    calls_tested: int
    calls_correct: int


def billing(period: Period) -> BillingFigures:
    """INS-BILLING tests of the period's months (``test_month``); passed when the accuracy
    (calls billed correctly / calls tested, %) reaches the threshold its form revision declares
    for the switch's type (``thresholds:``; 'other' when the type is not known)."""
    months = period.months()
    spec = specs.get("INS-BILLING")
    if spec is None:
        return BillingFigures(0, 0, 0, 0)
    w = _facet("w")
    rows = db.session.execute(
        select(Record.data, Record.form_revision_id).select_from(Record)
        .join(w, and_(w.record_id == Record.id, w.form_code == "INS-BILLING", w.field == "test_month",
                      w.value.in_(months)))
        .where(Record.form_code == "INS-BILLING", Record.status.in_(COUNTED))).all()
    switches = _switch_types()
    tests = passed = tested = correct = 0
    for data, rev in rows:
        values = json.loads(data or "{}")
        n, ok = _int(values.get("calls_tested")), _int(values.get("calls_correct"))
        threshold = _threshold(rev, switches.get(str(values.get("switch") or ""), "other"))
        tests += 1
        tested += n
        correct += ok
        if n and Decimal(ok) * 100 / Decimal(n) >= threshold:
            passed += 1
    return BillingFigures(tests, passed, tested, correct)


def _threshold(revision_id: int, switch_type: str) -> Decimal:
    ext = specs.by_revision(revision_id).extensions.get("thresholds") or {}
    value = ext.get(switch_type, ext.get("other", 100))
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(100)


def _switch_types() -> dict[str, str]:
    """{switch record id as text: its type} (a few dozen switches)."""
    out = {}
    for rid, data in db.session.execute(select(Record.id, Record.data).where(Record.form_code == "INS-SWITCH")):
        out[str(rid)] = str(json.loads(data or "{}").get("switch_type") or "other")
    return out


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0
