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
from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..core.timeutil import today, utcnow
from ..extensions import db
from ..records import policy
from ..records.models import CLOSED, DRAFT, IN_PROGRESS, Record
from .forms import ACTION, NC, REPLY_STEPS
from .models import OPEN_STAGES, STAGES, NcDesk, NcMonthly, NcTally, Stage
from .queries import actions_of, rounds_of

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
    before = None
    if row is None:
        opened = today()
        row = NcDesk(nc_id=nc.id, opened_on=opened, opened_month=opened.strftime("%Y-%m"))
        db.session.add(row)
    else:
        before = _keys(row)
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
    owes = latest is not None and latest.status == IN_PROGRESS and latest.current_step in REPLY_STEPS
    reply = latest.values.get("reply_due_on") if owes else None
    row.reply_due_on = date.fromisoformat(reply) if reply else None
    if row.stage == Stage.CLOSED and row.closed_on is None:
        row.closed_on = today()
        row.closed_month = row.closed_on.strftime("%Y-%m")
    row.updated_at = utcnow()
    _move(before, _keys(row))


def _keys(row: NcDesk) -> tuple:
    """Where a row counts: its tally key, and its monthly keys (a voided one counts in no month)."""
    tally = (row.department_id, row.source, row.severity, row.stage, row.cause_category or "")
    months = []
    if row.stage != Stage.VOIDED:
        months.append((row.opened_month, "opened", row.department_id, row.source, row.severity))
        if row.closed_month:
            months.append((row.closed_month, "closed", row.department_id, row.source, row.severity))
    return tally, tuple(months)


def _move(before: tuple | None, after: tuple) -> None:
    """Take a row out of the counts it left and add it to those it entered (atomic upserts, so
    concurrent changes add up)."""
    old_tally, old_months = before or (None, ())
    if old_tally != after[0]:
        if old_tally is not None:
            _bump(NcTally, dict(zip(TALLY_KEY, old_tally, strict=True)), -1)
        _bump(NcTally, dict(zip(TALLY_KEY, after[0], strict=True)), 1)
    for key in set(old_months) - set(after[1]):
        _bump(NcMonthly, dict(zip(MONTH_KEY, key, strict=True)), -1)
    for key in set(after[1]) - set(old_months):
        _bump(NcMonthly, dict(zip(MONTH_KEY, key, strict=True)), 1)


TALLY_KEY = ("department_id", "source", "severity", "stage", "cause_category")
MONTH_KEY = ("month", "kind", "department_id", "source", "severity")


def _bump(model, key: dict, delta: int) -> None:
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(model).values(**key, n=delta)
    db.session.execute(stmt.on_conflict_do_update(index_elements=list(key), set_={"n": model.n + delta}))


def _stage(nc: Record, latest: Record | None) -> Stage:
    """The desk stage of a nonconformity, from its status and its latest round."""
    if nc.status == CLOSED:
        return Stage.CLOSED
    if nc.status != IN_PROGRESS:
        return Stage.VOIDED
    if latest is None:
        return Stage.OPEN
    if latest.status == CLOSED:
        return Stage.TO_CLOSE if latest.values.get("effective") == "yes" else Stage.REOPENED
    if latest.status == DRAFT:
        return Stage.REOPENED if latest.values.get("previous_capa") else Stage.OPEN
    return Stage.VERIFYING if latest.current_step == "verify" else Stage.IN_CAPA


@dataclass
class Filters:
    """What the desk is narrowed to; ``errors`` holds messages for parameters that cannot be read."""

    stage: str | None = None
    department_id: int | None = None
    source: str | None = None
    severity: str | None = None
    age: str | None = None
    overdue: bool = False
    reply_overdue: bool = False  # the department has not replied by the round's reply date (CA-02)
    errors: dict = field(default_factory=dict)

    def query_args(self) -> dict:
        """The filters as URL parameters (for links and exports)."""
        out = {"stage": self.stage, "department": self.department_id, "source": self.source,
               "severity": self.severity, "age": self.age, "overdue": "1" if self.overdue else None,
               "reply_overdue": "1" if self.reply_overdue else None}
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
    f.reply_overdue = args.get("reply_overdue") in ("1", "true", "on")
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
    if f.reply_overdue:
        conds.append(t.reply_due_on < today)
    return conds


def page(f: Filters, cursor: str | None, today: date, size: int = PAGE) -> tuple[list, str | None]:
    """One page of nonconformities, newest first; the cursor is "opened_on,nc_id" of the last row."""
    stmt = select(NcDesk).where(*_where(f, today))
    if cursor:
        try:
            d, i = cursor.split(",")
            if not i.isdigit() or len(i) > 10:
                raise ValueError(i)
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


def _tally_where(model, f: Filters) -> list:
    """The filters a count table can answer (department, source, severity; stage for the tally)."""
    conds = []
    if f.department_id is not None:
        conds.append(model.department_id == f.department_id)
    if f.source:
        conds.append(model.source == f.source)
    if f.severity:
        conds.append(model.severity == f.severity)
    if model is NcTally:
        if f.stage == "active":
            conds.append(NcTally.stage.in_(OPEN_STAGES))
        elif f.stage:
            conds.append(NcTally.stage == f.stage)
        else:
            conds.append(NcTally.stage != Stage.VOIDED)  # a voided report was a mistake, not a finding
    return conds


def paretos(f: Filters, today: date) -> tuple[list, list]:
    """Counts per cause category and per department, largest first, each as
    [(key, count, cumulative share 0..1)]. One grouping serves both charts: summed from the tally,
    or, under the age and overdue filters (which depend on today), from the nonconformities."""
    causes: dict = {}
    depts: dict = {}

    def add(stmt, sign=1):
        for cause, dept, n in db.session.execute(stmt).all():
            n = sign * int(n or 0)
            depts[dept] = depts.get(dept, 0) + n
            if cause:
                causes[cause] = causes.get(cause, 0) + n

    def rows(filters, *extra):
        # Grouped cause first: grouped department first, SQLite's planner (no date histograms)
        # walks the whole department index to save a sort, 11 ms instead of 2 at 20,000 rows.
        return (select(NcDesk.cause_category, NcDesk.department_id, func.count())
                .where(*_where(filters, today), *extra).group_by(NcDesk.cause_category, NcDesk.department_id))

    def tally(filters):
        return (select(NcTally.cause_category, NcTally.department_id, func.sum(NcTally.n))
                .where(*_tally_where(NcTally, filters)).group_by(NcTally.cause_category, NcTally.department_id))

    if f.age and f.stage and f.stage not in OPEN_STAGES + ("active",):
        return [], []  # an age is the time a nonconformity has been open: closed ones have none
    if f.overdue or f.reply_overdue or (f.age and f.age != AGES[-1][0]):
        add(rows(f))
    elif f.age:
        # The oldest bucket: group its rows, or, when they outnumber the younger open ones, take
        # all open ones from the tally less the younger ones (two index counts decide).
        open_now = Filters(**{**f.__dict__, "age": None, "errors": {}})
        if open_now.stage is None:
            open_now.stage = "active"
        recent = (NcDesk.opened_on >= today - timedelta(days=AGES[-2][3]), NcDesk.opened_on <= today)
        young = db.session.execute(select(func.count()).select_from(NcDesk)
                                   .where(*_where(open_now, today), *recent)).scalar()
        total = db.session.execute(select(func.coalesce(func.sum(NcTally.n), 0))
                                   .where(*_tally_where(NcTally, open_now))).scalar()
        if total - young <= young:
            add(rows(f))
        else:
            add(tally(open_now))
            add(rows(open_now, *recent), -1)
    else:
        add(tally(f))
    return _ranked(causes), _ranked(depts)


def _ranked(counts: dict) -> list[tuple]:
    rows = sorted(((k, c) for k, c in counts.items() if c > 0), key=lambda r: (-r[1], str(r[0])))
    total = sum(c for _k, c in rows) or 1
    out, run = [], 0
    for key, count in rows:
        run += count
        out.append((key, count, run / total))
    return out


def ageing(f: Filters, today: date) -> list[tuple]:
    """Open nonconformities per age bucket: [(key, label, count)]. The buckets of the last 90 days
    are counted in one pass over that date range; the oldest is the open total (from the tally)
    less those, so the long tail of old ones is never walked."""
    conds = _where(f, today, skip=("age",)) + [NcDesk.stage.in_(OPEN_STAGES)]
    # One COUNT per young bucket: an index range count is ~5x cheaper per row than SUM(CASE ...).
    counts = [db.session.execute(select(func.count()).select_from(NcDesk).where(
        *conds, NcDesk.opened_on <= today - timedelta(days=lo), NcDesk.opened_on >= today - timedelta(days=hi))).scalar()
        for _key, _label, lo, hi in AGES[:-1]]
    if f.overdue or f.reply_overdue:
        total = db.session.execute(select(func.count()).select_from(NcDesk).where(*conds)).scalar()
    else:
        total = db.session.execute(select(func.coalesce(func.sum(NcTally.n), 0)).where(
            *_tally_where(NcTally, f), NcTally.stage.in_(OPEN_STAGES))).scalar()
    counts.append(max(0, int(total) - sum(counts)))
    return [(a[0], a[1], c) for a, c in zip(AGES, counts, strict=True)]


def trend(f: Filters, today: date, months: int = 12) -> list[tuple]:
    """Opened and closed per month for the last ``months`` months: [(YYYY-MM, opened, closed)].
    Department, source and severity narrow it; stage, age and overdue describe today, not a month."""
    keys = []
    y, m = today.year, today.month
    for _ in range(months):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    keys.reverse()
    found = {(month, kind): int(n) for month, kind, n in db.session.execute(
        select(NcMonthly.month, NcMonthly.kind, func.sum(NcMonthly.n))
        .where(NcMonthly.month >= keys[0], *_tally_where(NcMonthly, f))
        .group_by(NcMonthly.month, NcMonthly.kind)).all()}
    return [(k, found.get((k, "opened"), 0), found.get((k, "closed"), 0)) for k in keys]


def overdue_actions(today: date, department_id: int | None, limit: int = 20) -> list[Record]:
    """The most overdue open actions (in the user's scope), oldest due date first."""
    stmt = select(Record).where(Record.status == IN_PROGRESS, Record.due_on < today,
                                Record.form_code == ACTION)
    if department_id is not None:
        stmt = stmt.where(Record.department_id == department_id)
    return db.session.execute(stmt.order_by(Record.due_on, Record.id).limit(limit)).scalars().all()
