"""The audit desk of 企业管理部 (CA-03): every nonconformity of every department with its stage,
filters, ageing, Pareto charts of causes and departments, and monthly trends.

Reads only ``capa_nc_desk`` (see :mod:`qms.capa.models`); :func:`refresh` keeps a row in step
whenever its nonconformity, a CAPA round or an action changes. People outside the company-wide
roles see their own department only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select, tuple_

from ..core import policy
from ..core.timeutil import utcnow
from ..extensions import db
from ..records.models import CLOSED, DRAFT, IN_PROGRESS, Record
from .models import OPEN_STAGES, STAGES, NcDesk

STAGE_LABELS = {
    "open": _l("Awaiting CAPA"), "in_capa": _l("CAPA in progress"), "verifying": _l("Awaiting verification"),
    "reopened": _l("Reopened (not effective)"), "to_close": _l("Effective, to close"),
    "closed": _l("Closed"), "voided": _l("Voided"),
}
# Ageing buckets of open nonconformities: (key, label, lowest age in days, highest or None).
AGES = (("0-30", _l("0-30 days"), 0, 30), ("31-60", _l("31-60 days"), 31, 60),
        ("61-90", _l("61-90 days"), 61, 90), ("90+", _l("Over 90 days"), 91, None))
PAGE = 50


def refresh(nc_id) -> None:
    """Recompute the desk row of nonconformity ``nc_id`` from its records (called by the hooks)."""
    from .service import NC, actions_of, rounds_of, today
    try:
        nc = db.session.get(Record, int(nc_id))
    except (TypeError, ValueError):
        return
    if nc is None or nc.form_code != NC or nc.status == DRAFT:
        return
    values = nc.values
    rounds = rounds_of(nc.id)
    latest = rounds[-1] if rounds else None
    pending = [a for a in (actions_of(latest.id) if latest is not None else []) if a.status in (DRAFT, IN_PROGRESS)]
    row = db.session.get(NcDesk, nc.id)
    if row is None:
        opened = today()
        row = NcDesk(nc_id=nc.id, opened_on=opened, opened_month=opened.strftime("%Y-%m"))
        db.session.add(row)
    row.number, row.department_id = nc.number or "", nc.department_id
    row.source, row.severity = values.get("source") or "", values.get("severity") or ""
    row.summary = (values.get("description") or "")[:200]
    row.stage = _stage(nc, latest)
    row.rounds = sum(1 for r in rounds if r.number)
    row.capa_id = latest.id if latest is not None else None
    row.capa_step = latest.current_step if latest is not None else None
    row.cause_category = next((r.values.get("cause_category") for r in reversed(rounds)
                               if r.values.get("cause_category")), None)
    row.open_actions = len(pending)
    dues = [a.due_on for a in pending if a.due_on]
    row.next_due_on = min(dues) if dues else None
    if row.stage == "closed" and row.closed_on is None:
        row.closed_on = today()
        row.closed_month = row.closed_on.strftime("%Y-%m")
    row.updated_at = utcnow()


def _stage(nc: Record, latest: Record | None) -> str:
    if nc.status == CLOSED:
        return "closed"
    if nc.status != IN_PROGRESS:
        return "voided"
    if latest is None:
        return "open"
    if latest.status == CLOSED:
        return "to_close" if latest.values.get("effective") == "yes" else "reopened"
    if latest.status == DRAFT:
        return "reopened" if latest.values.get("previous_capa") else "open"
    return "verifying" if latest.current_step == "verify" else "in_capa"


@dataclass
class Filters:
    """What the desk is narrowed to; ``errors`` holds messages for parameters that cannot be read."""

    stage: str | None = None
    department_id: int | None = None
    source: str | None = None
    severity: str | None = None
    age: str | None = None
    overdue: bool = False
    errors: dict = field(default_factory=dict)

    def query_args(self) -> dict:
        """The filters as URL parameters (for links and exports)."""
        out = {"stage": self.stage, "department": self.department_id, "source": self.source,
               "severity": self.severity, "age": self.age, "overdue": "1" if self.overdue else None}
        return {k: v for k, v in out.items() if v not in (None, "")}


def parse_filters(args, user, sources: tuple, severities: tuple) -> Filters:
    """Read the desk filters from request arguments; a department user is held to their department."""
    f = Filters()
    bad = _l("Not a valid choice.")

    def pick(name, allowed):
        v = args.get(name) or None
        if v is not None and v not in allowed:
            f.errors[name] = [str(bad)]
            return None
        return v

    f.stage = pick("stage", STAGES + ("active",))
    f.source = pick("source", sources)
    f.severity = pick("severity", severities)
    f.age = pick("age", tuple(a[0] for a in AGES))
    f.overdue = args.get("overdue") in ("1", "true", "on")
    dept = args.get("department") or None
    if dept is not None:
        if not str(dept).isdigit() or len(str(dept)) > 9:
            f.errors["department"] = [str(bad)]
        else:
            f.department_id = int(dept)
    if not policy.company_wide(user):
        f.department_id = user.department_id  # departments see their own (CA-03)
    return f


def _where(f: Filters, today: date, skip: tuple = ()) -> list:
    t = NcDesk
    conds = []
    if f.stage == "active":
        conds.append(t.stage.in_(OPEN_STAGES))
    elif f.stage:
        conds.append(t.stage == f.stage)
    if f.department_id is not None and "department" not in skip:
        conds.append(t.department_id == f.department_id)
    if f.source:
        conds.append(t.source == f.source)
    if f.severity:
        conds.append(t.severity == f.severity)
    if f.age and "age" not in skip:
        _key, _label, lo, hi = next(a for a in AGES if a[0] == f.age)
        conds.append(t.opened_on <= today - timedelta(days=lo))
        if hi is not None:
            conds.append(t.opened_on >= today - timedelta(days=hi))
        conds.append(t.stage.in_(OPEN_STAGES))
    if f.overdue:
        conds.append(t.next_due_on < today)
    return conds


def page(f: Filters, cursor: str | None, today: date, size: int = PAGE) -> tuple[list, str | None]:
    """One page of nonconformities, newest first; the cursor is "opened_on,nc_id" of the last row."""
    stmt = select(NcDesk).where(*_where(f, today))
    if cursor:
        try:
            d, i = cursor.split(",")
            stmt = stmt.where(tuple_(NcDesk.opened_on, NcDesk.nc_id) < (date.fromisoformat(d), int(i)))
        except ValueError:
            f.errors["after"] = [str(_l("This page link is not valid; start from the first page."))]
    rows = db.session.execute(stmt.order_by(NcDesk.opened_on.desc(), NcDesk.nc_id.desc()).limit(size + 1)).scalars().all()
    nxt = f"{rows[size - 1].opened_on.isoformat()},{rows[size - 1].nc_id}" if len(rows) > size else None
    return rows[:size], nxt


def iterate(f: Filters, today: date, limit: int):
    """Every matching row up to ``limit`` (exports), newest first."""
    return db.session.execute(select(NcDesk).where(*_where(f, today))
                              .order_by(NcDesk.opened_on.desc(), NcDesk.nc_id.desc()).limit(limit)).scalars()


def pareto(f: Filters, today: date, by: str) -> list[tuple]:
    """Counts per cause category (``by="cause"``) or per department (``by="department"``), largest
    first: [(key, count, cumulative share 0..1)]."""
    col = NcDesk.cause_category if by == "cause" else NcDesk.department_id
    conds = _where(f, today, skip=("department",) if by == "department" and f.department_id is None else ())
    if by == "cause":
        conds.append(NcDesk.cause_category.is_not(None))
    rows = db.session.execute(select(col, func.count()).where(*conds).group_by(col)).all()
    rows.sort(key=lambda r: (-r[1], str(r[0])))
    total = sum(c for _k, c in rows) or 1
    out, run = [], 0
    for key, count in rows:
        run += count
        out.append((key, count, run / total))
    return out


def ageing(f: Filters, today: date) -> list[tuple]:
    """Open nonconformities per age bucket: [(key, label, count)]."""
    conds = _where(f, today, skip=("age",)) + [NcDesk.stage.in_(OPEN_STAGES)]
    cols = []
    for key, _label, lo, hi in AGES:
        cond = NcDesk.opened_on <= today - timedelta(days=lo)
        if hi is not None:
            cond = and_(cond, NcDesk.opened_on >= today - timedelta(days=hi))
        cols.append(func.coalesce(func.sum(case((cond, 1), else_=0)), 0))
    counts = db.session.execute(select(*cols).where(*conds)).one()
    return [(a[0], a[1], int(c)) for a, c in zip(AGES, counts)]


def trend(f: Filters, today: date, months: int = 12) -> list[tuple]:
    """Opened and closed per month for the last ``months`` months: [(YYYY-MM, opened, closed)]."""
    keys = []
    y, m = today.year, today.month
    for _ in range(months):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    keys.reverse()
    conds = _where(f, today)
    opened = dict(db.session.execute(select(NcDesk.opened_month, func.count()).where(
        NcDesk.opened_month >= keys[0], *conds).group_by(NcDesk.opened_month)).all())
    closed = dict(db.session.execute(select(NcDesk.closed_month, func.count()).where(
        NcDesk.closed_month >= keys[0], *conds).group_by(NcDesk.closed_month)).all())
    return [(k, opened.get(k, 0), closed.get(k, 0)) for k in keys]


def overdue_actions(user, today: date, department_id: int | None, limit: int = 20) -> list[Record]:
    """The most overdue open actions (in the user's scope), oldest due date first."""
    stmt = select(Record).where(Record.status == IN_PROGRESS, Record.due_on < today,
                                Record.form_code == "CA-ACTION")
    if department_id is not None:
        stmt = stmt.where(Record.department_id == department_id)
    return db.session.execute(stmt.order_by(Record.due_on, Record.id).limit(limit)).scalars().all()
