"""The complaints desk of 客户服务部 and 企业管理部 (CS-02, CS-07, CS-08): every complaint form at once —
open complaints by the step they wait at and by department, those due within the next hours by
the reminders' clock, those past their reply date, open ones by form and flow, and customers who
complained more than once lately.

Counts only from indexes: the ``records`` columns (form, status, step, department, reply date:
the form/status and status/due indexes), the reminders' watches (their ``(active, next_at)``
index), the received-at facets and the customer index. Nothing reads a record's JSON, so the desk
costs the same at 300,000 complaints as at 300 (``bench/complaints.py``). People outside the
company-wide roles see their own department.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, literal_column, select
from sqlalchemy.orm import aliased

from ..core.timeutil import local
from ..extensions import db
from ..records import policy
from ..records.customers import CustomerEntry
from ..records.models import IN_PROGRESS, Record, RecordFacet
from ..reminders.models import ReminderWatch
from . import sources

# The open records' partial index (ix_records_open) is used only for a constant SQLite can see.
OPEN = literal_column(f"'{IN_PROGRESS}'")
HOURS = (4, 8, 24, 48)  # "due within" choices
DAYS = (7, 30, 90)  # "repeat customers within" choices
LIST = 20  # rows of the due-soon and repeat-customer lists


@dataclass
class DeskFilters:
    """The desk's choices: hours ahead, days back for repeat customers, the department (forced to
    the reader's own outside the company-wide roles); ``errors`` holds messages for bad parameters."""

    hours: int = 24
    days: int = 30
    department_id: int | None = None
    errors: dict = field(default_factory=dict)


def parse(args, user) -> DeskFilters:
    """Read the desk's parameters; a bad one is a message on its name (the page answers 422)."""
    f = DeskFilters()
    bad = _("Not a valid choice.")
    for name, allowed in (("hours", HOURS), ("days", DAYS)):
        raw = args.get(name)
        if raw in (None, ""):
            continue
        if not str(raw).isdigit() or int(raw) not in allowed:
            f.errors[name] = [bad]
        else:
            setattr(f, name, int(raw))
    dept = args.get("department") or None
    if dept is not None:
        if not str(dept).isdigit() or len(str(dept)) > 9:
            f.errors["department"] = [bad]
        else:
            f.department_id = int(dept)
    if not policy.company_wide(user):
        f.department_id = user.department_id
    return f


def _scope(stmt, column, f: DeskFilters):
    return stmt.where(column == f.department_id) if f.department_id is not None else stmt


def open_by_step(f: DeskFilters, today: date) -> list[tuple[str, str, int, int, int]]:
    """Open (submitted, not closed) complaints: [(form, step, department id, count, past the reply
    date)], one grouping over the open rows (the form/status index)."""
    late = func.sum(case((Record.due_on < today, 1), else_=0))
    stmt = (select(Record.form_code, Record.current_step, Record.department_id, func.count(), late)
            .where(Record.form_code.in_(sources.forms()), Record.status == OPEN)
            .group_by(Record.form_code, Record.current_step, Record.department_id))
    rows = db.session.execute(_scope(stmt, Record.department_id, f))
    return [(r[0], r[1], r[2], int(r[3]), int(r[4] or 0)) for r in rows]


def overdue(by_step: list) -> list[tuple[str, int]]:
    """Open complaints past their reply date, per form: [(form, count)], from :func:`open_by_step`."""
    out: dict = {}
    for form, _step, _dept, _n, late in by_step:
        if late:
            out[form] = out.get(form, 0) + late
    return sorted(out.items())


def open_by_flow(f: DeskFilters, by_step: list) -> list[tuple[str, str, int]]:
    """Open complaints per form and, where a form has flows, per flow: [(form, flow or '', count)].
    A form without flows is summed from :func:`open_by_step`; flows are one grouping of its facet."""
    out = []
    for src, _spec in sources.active():
        if src.flow:
            fa = aliased(RecordFacet)
            stmt = (select(fa.value, func.count()).select_from(Record)
                    .outerjoin(fa, and_(fa.record_id == Record.id, fa.field == src.flow))
                    .where(Record.form_code == src.form, Record.status == OPEN).group_by(fa.value))
            out += [(src.form, v or "", n) for v, n in db.session.execute(_scope(stmt, Record.department_id, f))]
        else:
            n = sum(r[3] for r in by_step if r[0] == src.form)
            out += [(src.form, "", n)] if n else []  # a form with nothing open is not listed
    return out


def clock_rules() -> list[str]:
    """The reply-clock rules of the complaint forms (as each source declares them, managed or not)."""
    return list(sources.clock_rules())


def due_soon(f: DeskFilters, now: datetime) -> tuple[int, list]:
    """Complaints whose reply clock runs out within ``f.hours``: (count, the first ``LIST`` watches
    soonest first). Active watches only, read by the watches' (active, next_at) index: a watch's
    next event is never after its deadline."""
    until = now + timedelta(hours=f.hours)
    base = (ReminderWatch.active.is_(True), ReminderWatch.next_at <= until, ReminderWatch.due_at > now,
            ReminderWatch.due_at <= until, ReminderWatch.subject_type == "record",
            ReminderWatch.rule_id.in_(clock_rules()))
    count = db.session.execute(_scope(select(func.count()).select_from(ReminderWatch).where(*base),
                                      ReminderWatch.department_id, f)).scalar()
    rows = db.session.execute(_scope(select(ReminderWatch).where(*base), ReminderWatch.department_id, f)
                              .order_by(ReminderWatch.due_at).limit(LIST)).scalars().all()
    return count, rows


def repeat_customers(f: DeskFilters, now: datetime) -> tuple[int, list[tuple[str, int]]]:
    """Customers (by phone number) with more than one complaint recorded in the last ``f.days``
    days: (how many, the first ``LIST`` as (phone key, complaints), most first).

    Company-wide: the customer index chains each number's complaints (``prev_at``, the group
    ``complaint``), so a customer with k complaints in the window has k - 1 entries whose previous
    complaint is in it too: one range of the small chained index. A department's: its complaints of
    the window (one range of the index by form and time) grouped by number — the same customer's
    complaints in another department do not count there."""
    since = now - timedelta(days=f.days)
    # Grouped by an expression, not the column: given the column, SQLite would rather walk the
    # whole phone index (no sort for the grouping) than the few days' range: 130 ms instead of 15
    # at 300,000 complaints by (form, at), 600 ms instead of 1 by the chain.
    key = func.coalesce(CustomerEntry.phone_key, "")
    forms = CustomerEntry.form_code.in_(sources.forms())
    if f.department_id is None:
        grouped = (select(key.label("k"), (func.count() + 1).label("n"))
                   .where(CustomerEntry.prev_at >= since, forms, CustomerEntry.phone_key.is_not(None))
                   .group_by(key))
    else:
        grouped = (select(key.label("k"), func.count().label("n"))
                   .where(forms, CustomerEntry.at >= since, CustomerEntry.phone_key.is_not(None),
                          CustomerEntry.department_id == f.department_id)
                   .group_by(key).having(func.count() > 1))
    # The first LIST and how many in all in one statement: the groups stay in the database.
    g = grouped.subquery()
    rows = db.session.execute(select(g.c.k, g.c.n, func.count().over()).order_by(g.c.n.desc(), g.c.k)
                              .limit(LIST)).all()
    return (rows[0][2] if rows else 0), [(k, n) for k, n, _total in rows]


def local_due(watch) -> str:
    """A watch's deadline as people read it (local time)."""
    return local(watch.due_at).strftime("%m-%d %H:%M")
