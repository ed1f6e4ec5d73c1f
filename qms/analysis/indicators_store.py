"""Keeping the indicator counts (DA-01) as records change: ``refresh`` replaces one record's
contributions and moves the counters by the difference; ``rebuild`` makes both tables again from the
records (the migration's backfill, ``qms init``'s demo, a test's check). The records are the truth.

The counters are moved with an upsert (``INSERT … ON CONFLICT DO UPDATE``: SQLite and PostgreSQL), so
two writers adding to one counter both count; a counter is never read back to be rewritten.
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..records.links import linked
from ..records.lookup import as_id
from ..records.models import CLOSED, Record
from .indicators_models import IndicatorCount, IndicatorPart
from .indicators_rules import RULES, Context, Part, parts_of

KEY = ("indicator", "month", "department", "bucket")


def _insert():
    return (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)(IndicatorCount)


def _move(deltas: dict[tuple, list[int]]) -> None:
    """Add (numerator, denominator, records) to each counter: one upsert per counter touched."""
    rows = [{"indicator": k[0], "month": k[1], "department": k[2], "bucket": k[3],
             "numerator": d[0], "denominator": d[1], "records": d[2]}
            for k, d in sorted(deltas.items()) if any(d)]
    if not rows:
        return
    stmt = _insert()
    stmt = stmt.on_conflict_do_update(
        index_elements=list(KEY),
        set_={"numerator": IndicatorCount.numerator + stmt.excluded.numerator,
              "denominator": IndicatorCount.denominator + stmt.excluded.denominator,
              "records": IndicatorCount.records + stmt.excluded.records})
    db.session.execute(stmt, rows)


def refresh(record: Record, ctx: Context | None = None) -> None:
    """Replace ``record``'s contributions with what it adds now, and move the counters by the change."""
    ctx = ctx or Context()
    old = db.session.execute(select(IndicatorPart).where(IndicatorPart.record_id == record.id)).scalars().all()
    new = parts_of(record, ctx)
    if sorted(tuple(Part(p.indicator, p.month, p.department, p.bucket, p.numerator, p.denominator)) for p in old) \
            == sorted(tuple(p) for p in new):
        return
    deltas: dict[tuple, list[int]] = {}
    for p, sign in [*((o, -1) for o in old), *((n, 1) for n in new)]:
        d = deltas.setdefault((p.indicator, p.month, p.department, p.bucket), [0, 0, 0])
        d[0] += sign * p.numerator
        d[1] += sign * p.denominator
        d[2] += sign
    if old:
        db.session.execute(delete(IndicatorPart).where(IndicatorPart.record_id == record.id))
    if new:
        db.session.execute(IndicatorPart.__table__.insert(), [_row(record, p) for p in new])
    _move(deltas)


def _row(record: Record, p: Part) -> dict:
    return {"record_id": record.id, "indicator": p.indicator, "month": p.month, "department": p.department,
            "bucket": p.bucket, "numerator": p.numerator, "denominator": p.denominator,
            "form_code": record.form_code, "owner_department_id": record.department_id}


def changed(record, spec, new: bool = False) -> None:
    """After any change of a source form's record (FormRules.on_change): its contributions follow."""
    refresh(record)


def calibration_changed(record, spec, new: bool = False) -> None:
    """A calibration changed: it and the instrument's other calibrations (whose due day may hang on
    this one) follow."""
    ctx = Context()
    refresh(record, ctx)
    inst = as_id(record.values.get("instrument"))
    for other in linked("INS-CAL", "instrument", inst, statuses=(CLOSED,)) if inst else ():
        if other.id != record.id:
            refresh(other, ctx)


def rebuild(batch: int = 2000) -> int:
    """Make the contributions and the counters again from every record of the source forms; returns
    how many contributions there are. Idempotent; runs in the caller's transaction."""
    db.session.execute(delete(IndicatorPart))
    db.session.execute(delete(IndicatorCount))
    ctx, sums, total = Context(), Counter(), 0
    after = 0
    while True:
        recs = db.session.execute(select(Record).where(Record.form_code.in_(sorted(RULES)), Record.id > after)
                                  .order_by(Record.id).limit(batch)).scalars().all()
        if not recs:
            break
        rows = []
        for rec in recs:
            for p in parts_of(rec, ctx):
                rows.append(_row(rec, p))
                key = (p.indicator, p.month, p.department, p.bucket)
                sums[(*key, "n")] += p.numerator
                sums[(*key, "d")] += p.denominator
                sums[(*key, "r")] += 1
        if rows:
            db.session.execute(IndicatorPart.__table__.insert(), rows)
            total += len(rows)
        after = recs[-1].id
        db.session.expire_all()  # a year of records is not kept in the session
    keys = sorted({k[:4] for k in sums})
    if keys:
        db.session.execute(IndicatorCount.__table__.insert(), [
            {"indicator": k[0], "month": k[1], "department": k[2], "bucket": k[3], "numerator": sums[(*k, "n")],
             "denominator": sums[(*k, "d")], "records": sums[(*k, "r")]} for k in keys])
    return total


def counts_from_parts() -> dict[tuple, tuple[int, int, int]]:
    """The counters as the contributions sum them (a check that the kept counters are right)."""
    p = IndicatorPart
    stmt = (select(p.indicator, p.month, p.department, p.bucket, func.sum(p.numerator), func.sum(p.denominator),
                   func.count()).group_by(p.indicator, p.month, p.department, p.bucket))
    return {tuple(r[:4]): (int(r[4]), int(r[5]), int(r[6])) for r in db.session.execute(stmt)}


def kept_counts() -> dict[tuple, tuple[int, int, int]]:
    """The kept counters, those not back at zero."""
    c = IndicatorCount
    rows = db.session.execute(select(c.indicator, c.month, c.department, c.bucket, c.numerator, c.denominator,
                                     c.records)).all()
    return {tuple(r[:4]): (int(r[4]), int(r[5]), int(r[6])) for r in rows if r[6]}
