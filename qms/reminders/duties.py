"""Calendar duties done by records (issue #12 item 3; for CS-06, CS-07, CS-13, CS-14, DA-02 and
DA-03 once their forms exist).

A ``monthly`` or ``yearly`` rule may declare ``closes_with: {form: CODE, period_field: NAME}``
(and optionally ``step: NAME``). Its duty for a period is *done* when a record of that form for
that period is *signed*:

- **for that period**: the period field names it. A ``date`` field: the month (or year) the date
  falls in (2026-11-15 does 2026-11). An ``integer`` field (yearly rules): the year. A ``string``
  field (it must declare a ``pattern``): '2026-11' for a month (also read: '2026-1', '2026/11',
  '2026年11月'), '2026' for a year ('2026年'). A value that names no period closes nothing.
- **signed**: the record is closed (every signature it declares was given); with ``step:``, that
  step holds a live signature (the filing is the first signature; a later approval is not waited
  for). A voided or superseded record does nothing (its amendment, once closed, does).

With ``where: {field: value}`` only records whose field holds that value do the duty (four meeting
types, one form: each type closes its own duty); with ``offset: N`` the record's period plus N periods
is the duty's (a meeting held in December reviews November: ``offset: 1``).

Done means: the period's watch stops (no reminder, no overdue repeat, no escalation), also when the
record is signed after the deadline. Voiding it (or amending it to another period) opens the
period again unless another signed record does it. ``record_changed`` runs in the reminders'
``every_change`` hook, so this happens in the transaction of the signature or the void.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ..extensions import db
from ..records import spec as specs
from ..records.models import CLOSED, DRAFT, IN_PROGRESS, SUPERSEDED, VOIDED, Record
from . import engine, rules
from .models import DutyClosure, ReminderWatch
from .rules import Rule

MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")
YEAR = re.compile(r"^\s*(\d{4})\s*年?\s*$")
DONE, OPEN, OVERDUE, REMINDER_ONLY = "done", "open", "overdue", "reminder"
UNWATCHED = "unwatched"  # past, not done, and never watched: before the system reminded anyone of it


def period_of(rule: Rule, value) -> str | None:
    """The period ('2026-11' or '2026') a period field's value names under ``rule``, or None."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        day = date.fromisoformat(text[:10]) if len(text) >= 10 else None
    except ValueError:
        day = None
    if day is not None:
        return f"{day.year:04d}-{day.month:02d}" if rule.kind == "monthly" else f"{day.year:04d}"
    if rule.kind == "monthly":
        m = MONTH.match(text)
        return f"{int(m[1]):04d}-{int(m[2]):02d}" if m and 1 <= int(m[2]) <= 12 else None
    m = YEAR.match(text)
    return f"{int(m[1]):04d}" if m else None


def matches(rule: Rule, values: dict) -> bool:
    """Whether a record's ``values`` pass ``rule``'s ``closes_with`` ``where`` (every field holds its
    value; a multichoice field holds it among its values)."""
    for name, want in rule.closes_with.where:
        have = values.get(name)
        if not (want in map(str, have) if isinstance(have, (list, tuple)) else str(have) == want):
            return False
    return True


def closing_signature(record: Record, rule: Rule):
    """The live signature by which ``record`` does ``rule``'s duty, or None (not signed so far)."""
    cw = rule.closes_with
    if record.status in (DRAFT, VOIDED, SUPERSEDED) or not matches(rule, record.values or {}):
        return None
    sigs = record.signatures
    if cw.step:
        return next((s for s in reversed(sigs) if s.step == cw.step), None)
    return sigs[-1] if record.status == CLOSED and sigs else None


def record_changed(record: Record, spec, new: bool = False) -> None:
    """Keep the duties ``record`` does (its form is some rule's ``closes_with``) in step with it."""
    if new and record.status == DRAFT:
        return  # nothing is signed yet (saves the look-ups on every new draft)
    for rule in rules.closing(spec.code):
        sig = closing_signature(record, rule)
        period = rules.shift(rule, period_of(rule, record.values.get(rule.closes_with.period_field)),
                       rule.closes_with.offset) if sig else None
        row = db.session.execute(select(DutyClosure).where(
            DutyClosure.rule_id == rule.id, DutyClosure.record_id == record.id)).scalar()
        before = row.period if row is not None else None
        if period is None and row is not None:
            db.session.delete(row)
        elif period is not None and row is None:
            db.session.add(DutyClosure(rule_id=rule.id, period=period, record_id=record.id, closed_at=sig.signed_at))
        elif period is not None and (row.period != period or row.closed_at is None):
            row.period, row.closed_at = period, sig.signed_at
        db.session.flush()
        for p in {before, period} - {None}:
            engine.set_period_done(rule, p, _done(rule.id, p))


def rebuild() -> int:
    """Derive the closures again from the signed records of every closing form (``qms init``: a
    rule that gains ``closes_with`` counts the records signed before). Reads only those forms'
    submitted and closed records (the form/status index). Returns how many records were read."""
    read = 0
    by_form: dict[str, list[Rule]] = {}
    for rule in rules.calendar():
        if rule.closes_with is not None:
            by_form.setdefault(rule.closes_with.form, []).append(rule)
    for code in by_form:
        spec = specs.get(code)
        for record in db.session.execute(select(Record).where(
                Record.form_code == code, Record.status.in_((IN_PROGRESS, CLOSED)))).scalars():
            record_changed(record, spec)
            read += 1
    return read


def _done(rule_id: str, period: str) -> bool:
    return db.session.execute(select(DutyClosure.id).where(
        DutyClosure.rule_id == rule_id, DutyClosure.period == period).limit(1)).first() is not None


@dataclass(frozen=True)
class Duty:
    """One period of a calendar duty as the pages show it."""

    period: str
    due_at: datetime
    state: str  # DONE, OPEN, OVERDUE, UNWATCHED, or REMINDER_ONLY (no closes_with: no record says it is done)
    record: Record | None = None  # the record that did it (the first signed)
    closed_at: datetime | None = None  # when it was signed

    @property
    def late(self) -> bool:
        """Done, but signed after the deadline."""
        return self.closed_at is not None and self.closed_at > self.due_at


def recent_periods(rule: Rule, now: datetime, count: int) -> list[str]:
    """This period and the ``count - 1`` before it, newest first ('2026-12', '2026-11', ...)."""
    this = engine.periods(rule, now)[0]
    if rule.kind == "yearly":
        return [str(int(this) - i) for i in range(count)]
    y, m = map(int, this.split("-"))
    out = []
    for i in range(count):
        yy, mm = divmod(y * 12 + (m - 1) - i, 12)
        out.append(f"{yy:04d}-{mm + 1:02d}")
    return out


def table(rule_list: list[Rule], now: datetime, months: int = 3, years: int = 2) -> list[tuple[Rule, list[Duty]]]:
    """Each calendar rule with its recent periods (``months`` for a monthly rule, ``years`` for a
    yearly one), each done (with its record), open or overdue. One query for every closure shown
    (by the closures' (rule, period) index), one for their records; no count over any table."""
    wanted = [(r, recent_periods(r, now, months if r.kind == "monthly" else years))
              for r in rule_list if r.kind in ("monthly", "yearly")]
    keys = {(r.id, p) for r, ps in wanted if r.closes_with is not None for p in ps}
    first: dict[tuple, DutyClosure] = {}
    if keys:
        rows = db.session.execute(select(DutyClosure).where(
            DutyClosure.rule_id.in_({k[0] for k in keys}), DutyClosure.period.in_({k[1] for k in keys}))
            .order_by(DutyClosure.closed_at, DutyClosure.id)).scalars()
        for c in rows:
            first.setdefault((c.rule_id, c.period), c)
    records = {r.id: r for r in db.session.execute(select(Record).where(
        Record.id.in_({c.record_id for c in first.values()}))).scalars()} if first else {}
    # The periods the sweep watched: a past period it never watched (before the system was installed
    # or the rule declared) is not called overdue. One query by the watches' unique key.
    watched = set(db.session.execute(select(ReminderWatch.rule_id, ReminderWatch.period).where(
        ReminderWatch.rule_id.in_({k[0] for k in keys}), ReminderWatch.subject_type == "calendar",
        ReminderWatch.period.in_({k[1] for k in keys}))).all()) if keys else set()
    out = []
    for rule, ps in wanted:
        row = []
        for p in ps:
            due = engine.deadline_for_period(rule, p)
            c = first.get((rule.id, p))
            if rule.closes_with is None:
                state = REMINDER_ONLY
            else:
                state = DONE if c is not None else OPEN if due >= now else \
                    OVERDUE if (rule.id, p) in watched else UNWATCHED
            row.append(Duty(p, due, state, records.get(c.record_id) if c else None, c.closed_at if c else None))
        out.append((rule, row))
    return out


def owned_by(user, rule_list: list[Rule]) -> list[Rule]:
    """The calendar duties ``user`` is reminded of (a recipient role, in its department if named)."""
    code = user.department.code if user.department is not None else None
    return [r for r in rule_list if r.kind in ("monthly", "yearly")
            and any(role == user.role and (not dept or dept == code) for role, dept in r.recipients)]
