"""The sweep: what is due now, to whom, exactly once.

A watch's schedule is a list of events (time, stage, period, kind). Owner reminders catch up as
one notice (the latest one passed), never one per missed run; escalation rungs each go out once.
Every notice is inserted with its unique key (watch, stage, period, recipient), so a second
scheduler copy or a restart cannot send it twice.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update

from ..auth.models import Department, User
from ..core.timeutil import tz, utcnow
from ..extensions import db
from ..records import spec as specs
from . import workcal
from .mail import queue_immediate
from .models import DutyClosure, Notification, ReminderWatch
from .outbox import insert_ignoring_duplicates
from .rules import Rule, by_id, shift

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
BATCH = 5000


@dataclass(frozen=True)
class Event:
    at: datetime  # aware UTC
    stage: str  # lead:30, due, overdue, escalate:1 ...
    period: str  # "" or the repeat's date / the deadline it belongs to
    rung: int  # 0 owner / calendar recipients; 1.. ladder rung (index + 1)


_memo: dict = {}


def schedule(rule: Rule, due_at: datetime) -> tuple:
    """Every event of a watch with deadline ``due_at`` (aware), in time order."""
    return schedule_with_times(rule, due_at, str(tz()))[0]


def schedule_with_times(rule: Rule, due_at: datetime, zone: str) -> tuple[tuple, tuple]:
    """:func:`schedule` plus the sorted event times (for bisecting).

    Pure in (what the rule says about timing, deadline, zone), and many watches share a deadline
    (due dates are days), so results are memoised."""
    key = (rule.kind, rule.lead_days, rule.daily_repeats, rule.weekly_repeats, rule.remind_before_hours,
           rule.remind_days_before, rule.ladder, rule.hour, due_at, zone)
    found = _memo.get(key)
    if found is None:
        if len(_memo) > 20000:
            _memo.clear()
        events = _schedule(rule, due_at, ZoneInfo(zone))
        found = _memo[key] = (events, tuple(e.at for e in events))
    return found


def _schedule(rule: Rule, due_at: datetime, zi: ZoneInfo) -> tuple:

    def _at(d: date, hour: int) -> datetime:
        return datetime.combine(d, time(hour), zi).astimezone(UTC)

    local_due = due_at.astimezone(zi)
    key = local_due.strftime("%Y-%m-%d")
    events: list[Event] = []
    if rule.kind == "sla":
        if rule.remind_before_hours:
            events.append(Event(due_at - timedelta(hours=rule.remind_before_hours),
                                f"lead:{rule.remind_before_hours:g}h", key, 0))
        events.append(Event(due_at, "due", key, 0))
    else:
        leads = (rule.remind_days_before,) if rule.kind in ("monthly", "yearly") else rule.lead_days
        for days in leads:
            events.append(Event(_at(local_due.date() - timedelta(days=days), rule.hour), f"lead:{days}", key, 0))
        events.append(Event(_at(local_due.date(), rule.hour), "due", key, 0))
    # Overdue: daily, then weekly (each repeat is its own period, so each arrives once).
    first = local_due.date() + timedelta(days=1)
    for i in range(rule.daily_repeats):
        d = first + timedelta(days=i)
        events.append(Event(_at(d, rule.hour), "overdue", d.isoformat(), 0))
    last_daily = first + timedelta(days=rule.daily_repeats - 1)
    for w in range(1, rule.weekly_repeats + 1):
        d = last_daily + timedelta(weeks=w)
        events.append(Event(_at(d, rule.hour), "overdue", d.isoformat(), 0))
    for i, (hours, _role) in enumerate(rule.ladder, start=1):
        events.append(Event(due_at + timedelta(hours=hours), f"escalate:{i}", key, i))
    events.sort(key=lambda e: (e.at, e.rung))
    return tuple(events)


def deadline_for_record(rule: Rule, values: dict) -> datetime | None:
    """The deadline of a record under ``rule`` (aware UTC), or None when the field is empty or
    cannot be read (a stored value never stops the record from being saved)."""
    try:
        return _deadline(rule, values)
    except (ValueError, OverflowError, TypeError):
        return None


def _deadline(rule: Rule, values: dict) -> datetime | None:
    raw = values.get(rule.field)
    if not raw:
        return None
    if rule.kind in ("due", "interval"):
        d = date.fromisoformat(str(raw)[:10])
        if rule.days_field:
            d += timedelta(days=int(values.get(rule.days_field) or 0))
        if rule.kind == "interval":  # every N months from the last event (month-end clamped)
            d = workcal.add_months(d, rule.months)
        return datetime.combine(d, time(23, 59, 59), tz()).astimezone(UTC)
    start = datetime.fromisoformat(str(raw)).replace(tzinfo=tz()) if "T" in str(raw) else \
        datetime.combine(date.fromisoformat(str(raw)), time(0), tz())
    hours = rule.hours
    for fname, value, fast in rule.faster:
        if str(values.get(fname)) == value:
            hours = min(hours, fast)
    if rule.working_hours:
        return workcal.add_working_hours(start, hours).astimezone(UTC)
    return (start + timedelta(hours=hours)).astimezone(UTC)


def deadline_for_period(rule: Rule, period: str) -> datetime:
    """Deadline of a calendar rule's period ('2026-11' monthly, '2026' yearly): end of working day.
    A rule with ``on_holiday`` moves a deadline on a weekend or public holiday to the working day
    before (``earlier``) or after it (``later``), by the working calendar (调休 days work)."""
    if rule.kind == "monthly":
        y, m = map(int, period.split("-"))
        d = workcal.day_of_month(y, m, rule.day)
    else:
        d = workcal.day_of_month(int(period), rule.month, rule.day)
    if rule.on_holiday:
        d = workcal.working_day_near(d, rule.on_holiday)
    return datetime.combine(d, workcal.WORK_END, tz()).astimezone(UTC)


def periods(rule: Rule, now: datetime) -> list[str]:
    """This period and the next one ('2026-11', '2026-12'; or '2026', '2027' for yearly rules), so
    next month's early reminder exists before this month's overdue repeats are over."""
    local = now.astimezone(tz())
    if rule.kind == "monthly":
        nxt = workcal.add_months(local.date().replace(day=1), 1)
        return [f"{local.year:04d}-{local.month:02d}", f"{nxt.year:04d}-{nxt.month:02d}"]
    return [f"{local.year:04d}", f"{local.year + 1:04d}"]


def _next_after(events: list[Event], moment: datetime) -> datetime | None:
    return next((e.at for e in events if e.at > moment), None)


def upsert_watch(rule: Rule, subject_type: str, subject_id: int, period: str, *, due_at: datetime | None,
                 title: str, link: str, owner_id: int | None, department_id: int | None, active: bool,
                 new: bool = False) -> None:
    """Create or refresh the watch of one subject (called when a record changes). ``new``: the
    subject was just created, so there is nothing to look up (saves a query per submission)."""
    row = None if new else db.session.execute(select(ReminderWatch).where(
        ReminderWatch.rule_id == rule.id, ReminderWatch.subject_type == subject_type,
        ReminderWatch.subject_id == subject_id, ReminderWatch.period == period)).scalar()
    if due_at is None or not active:
        if row is not None and row.active:
            row.active, row.updated_at = False, utcnow()
        return
    events = schedule(rule, due_at)
    if row is None:
        row = ReminderWatch(rule_id=rule.id, subject_type=subject_type, subject_id=subject_id, period=period,
                            swept_at=EPOCH)
        db.session.add(row)
    elif row.due_at != due_at:
        # A moved deadline starts a fresh schedule (its notices carry the new deadline as period).
        row.swept_at = EPOCH
    row.title, row.link, row.owner_id, row.department_id = title[:300], link[:300], owner_id, department_id
    row.due_at, row.active, row.updated_at = due_at, True, utcnow()
    row.next_at = _next_after(events, row.swept_at) or due_at


def watch_until(rule_id: str, subject_type: str, subject_id: int, day: date | None, *, title: str, link: str,
                owner_id: int | None, department_id: int | None, active: bool) -> None:
    """Keep the watch of a *managed* rule (its procedure keeps one watch per subject: an instrument's
    calibration, a switch's monthly test), due at the end of ``day`` local time; none without a day."""
    rule = by_id().get(rule_id)
    if rule is None:
        return
    db.session.flush()  # the subject's own changes first: the watch reads the same transaction
    due = datetime.combine(day, time(23, 59, 59), tz()).astimezone(UTC) if day else None
    upsert_watch(rule, subject_type, subject_id, "", due_at=due, title=title, link=link, owner_id=owner_id,
                 department_id=department_id, active=active)


def ensure_calendar_watches(rules: list[Rule], now: datetime) -> int:
    """Make sure each calendar rule watches this period and the next. A new watch starts from
    ``now``: installing the system does not send reminders for duties already past. A period a
    signed record has already done (``closes_with``) gets a stopped watch."""
    added = 0
    for rule in rules:
        if rule.kind not in ("monthly", "yearly"):
            continue
        for period in periods(rule, now):
            exists = _calendar_watch(rule.id, period)
            if exists is not None:
                continue
            due_at = deadline_for_period(rule, period)
            nxt = _next_after(schedule(rule, due_at), now)
            db.session.add(ReminderWatch(rule_id=rule.id, subject_type="calendar", subject_id=0, period=period,
                                         title=period, link=duty_link(rule, period), owner_id=None,
                                         department_id=None, due_at=due_at, swept_at=now, next_at=nxt or due_at,
                                         active=nxt is not None and not _closed(rule, period)))
            added += 1
    db.session.flush()
    return added


def _calendar_watch(rule_id: str, period: str) -> ReminderWatch | None:
    return db.session.execute(select(ReminderWatch).where(
        ReminderWatch.rule_id == rule_id, ReminderWatch.subject_type == "calendar",
        ReminderWatch.subject_id == 0, ReminderWatch.period == period)).scalar()


def _closed(rule: Rule, period: str) -> bool:
    if rule.closes_with is None:
        return False
    return db.session.execute(select(DutyClosure.id).where(
        DutyClosure.rule_id == rule.id, DutyClosure.period == period).limit(1)).first() is not None


def duty_link(rule: Rule, period: str) -> str:
    """Where a calendar reminder leads: the closing form, opened with the period filled in
    (``?period_field=2026-11``; a date field gets the period's first day; the record's own period
    under an ``offset``) and the ``where`` values; else the inbox."""
    cw = rule.closes_with
    if cw is None:
        return "/inbox"
    spec = specs.get(cw.form)
    field = spec.field_map.get(cw.period_field) if spec is not None else None
    period = shift(rule, period, -cw.offset)  # the record's own period (a meeting in December reviews November)
    if field is not None and field.type == "date":
        period = f"{period}-01" if rule.kind == "monthly" else f"{period}-01-01"
    query = urlencode([(cw.period_field, period), *cw.where])  # the where values filled in too
    return f"/r/{cw.form}/new?{query}"


def set_period_done(rule: Rule, period: str, done: bool, now: datetime | None = None) -> None:
    """Stop a calendar watch whose period a signed record did (no reminder, no escalation after
    that, even past the deadline), or start it again when that record is voided. Started again,
    the sweep catches up from where it stopped: the latest reminder once and each escalation rung
    whose time passed meanwhile (the duty is open again and late)."""
    row = _calendar_watch(rule.id, period)
    if row is None:
        return
    now = now or utcnow()
    if done:
        if row.active:
            row.active, row.updated_at = False, now
        return
    if row.active:
        return
    nxt = _next_after(schedule(rule, row.due_at), row.swept_at)
    if nxt is None:
        return  # every event of the schedule had passed before it was done: nothing left to send
    row.active, row.next_at, row.updated_at = True, min(nxt, now), now


def retime_calendar_watches(rules: list[Rule], now: datetime | None = None) -> int:
    """After the working calendar changed: move the deadlines of the current calendar watches of
    rules with ``on_holiday`` (a holiday added on the 28th moves "by the 28th" off it). Events
    already handled are not sent again. Returns how many moved."""
    moved = 0
    now = now or utcnow()
    for rule in rules:
        if not rule.on_holiday:
            continue
        for period in periods(rule, now):
            row = _calendar_watch(rule.id, period)
            due_at = deadline_for_period(rule, period)
            if row is None or row.due_at == due_at:
                continue
            row.due_at, row.updated_at = due_at, now
            nxt = _next_after(schedule(rule, due_at), row.swept_at)
            row.next_at = nxt or due_at
            row.active = nxt is not None and not _closed(rule, period)
            moved += 1
    return moved


class Recipients:
    """Resolves roles to people once per sweep (a handful of queries, not one per watch)."""

    def __init__(self):
        users = db.session.execute(select(User.id, User.role, User.department_id)
                                   .where(User.active.is_(True))).all()
        self.by_role: dict[str, list[tuple[int, int]]] = {}
        for uid, role, dept in users:
            self.by_role.setdefault(role, []).append((uid, dept))
        self.dept_ids = {code: i for i, code in db.session.execute(select(Department.id, Department.code)).all()}
        self.active = {uid for uid, _r, _d in users}

    def role(self, role: str, department_id: int | None = None) -> list[int]:
        return [u for u, d in self.by_role.get(role, []) if department_id is None or d == department_id]

    def for_event(self, rule: Rule, watch: ReminderWatch, ev: Event) -> list[int]:
        if ev.rung:
            role = rule.ladder[ev.rung - 1][1]
            if "@" in role:  # a role in a named department
                role, code = role.split("@", 1)
                return self.role(role, self.dept_ids.get(code, -1))
            return self.role(role, watch.department_id if role == "department_head" else None)
        if watch.subject_type == "calendar":
            out = []
            for role, dept_code in rule.recipients:
                out += self.role(role, self.dept_ids.get(dept_code) if dept_code else None)
            return sorted(set(out))
        return [watch.owner_id] if watch.owner_id in self.active else []


def sweep(rules: dict[str, Rule], now: datetime | None = None, batch: int = BATCH) -> dict:
    """Handle every watch whose next event has come. Commits per batch; safe to run twice.

    Works on plain rows (Core), not ORM objects: its cost follows the number of due items.
    """
    now = now or utcnow()
    zone = str(tz())
    stats = {"watches": 0, "notices": 0}
    recipients = Recipients()
    t = ReminderWatch.__table__
    cols = (t.c.id, t.c.rule_id, t.c.subject_type, t.c.title, t.c.link, t.c.owner_id, t.c.department_id,
            t.c.due_at, t.c.swept_at, t.c.last_stage)
    while True:
        rows = db.session.execute(select(*cols).where(t.c.active.is_(True), t.c.next_at <= now)
                                  .order_by(t.c.next_at).limit(batch)).all()
        if not rows:
            break
        notices, changes = [], []
        # Who acknowledged an overdue reminder of these watches: their repeats stop.
        acked = set(db.session.execute(select(Notification.watch_id, Notification.recipient_id).where(
            Notification.watch_id.in_([w.id for w in rows]), Notification.stage == "overdue",
            Notification.acked_at.is_not(None))).all())
        for w in rows:
            rule = rules.get(w.rule_id)
            if rule is None:  # the rule was removed from its declaration
                changes.append({"wid": w.id, "nxt": now, "act": False, "stage": w.last_stage})
                continue
            events, times = schedule_with_times(rule, w.due_at, zone)
            passed = events[bisect_right(times, w.swept_at):bisect_right(times, now)]
            # Catch-up: the latest reminder only, once (none when the rule tells only its ladder).
            chosen = [e for e in passed if e.rung == 0][-1:] if rule.remind_owner else []
            chosen += [e for e in passed if e.rung > 0]
            for ev in chosen:
                for uid in recipients.for_event(rule, w, ev):
                    if ev.stage == "overdue" and (w.id, uid) in acked:
                        continue  # acknowledged: repeats stop for this person (escalation does not)
                    notices.append({"watch_id": w.id, "rule_id": rule.id, "stage": ev.stage, "period": ev.period,
                                    "recipient_id": uid, "escalation": ev.rung > 0, "title": w.title,
                                    "body": "", "link": w.link, "created_at": now})
            i = bisect_right(times, now)
            nxt = times[i] if i < len(times) else None
            changes.append({"wid": w.id, "nxt": nxt or now, "act": nxt is not None,
                            "stage": passed[-1].stage if passed else w.last_stage})
        stats["notices"] += _insert_notices(notices)
        db.session.execute(update(t).where(t.c.id == bindparam("wid")).values(
            swept_at=now, next_at=bindparam("nxt"), active=bindparam("act"),
            last_stage=bindparam("stage")), changes)
        stats["watches"] += len(rows)
        db.session.commit()
    return stats


def _insert_notices(rows: list[dict]) -> int:
    """Insert notices once each (a conflict on the unique key means: already sent). Reminders go in
    bulk; each new escalation is inserted alone so its immediate mail can be queued."""
    table = Notification.__table__
    plain = [r for r in rows if not r["escalation"]]
    count = 0
    for i in range(0, len(plain), 1000):
        # Multi-row INSERT .. ON CONFLICT DO NOTHING RETURNING: only new rows come back.
        stmt = insert_ignoring_duplicates(table).returning(table.c.id)
        count += len(db.session.execute(stmt, plain[i:i + 1000]).all())
    for r in rows:
        if r["escalation"]:
            new_id = db.session.execute(insert_ignoring_duplicates(table).values(**r).returning(table.c.id)).scalar()
            if new_id is not None:
                count += 1
                queue_immediate(new_id, r["recipient_id"])
    return count


def notify_now(rule_id: str, subject_type: str, subject_id: int, recipient_ids) -> int:
    """Tell ``recipient_ids`` at once that a managed watch is due, instead of at the next sweep (its
    procedure knows somebody must act now: an instrument was handed back and waits for its return
    check). Each notice has the key the sweep gives the due day's reminder, so nobody gets it twice;
    the overdue repeats and the ladder follow from the watch as usual. Returns the notices added."""
    rule = by_id().get(rule_id)
    db.session.flush()
    row = db.session.execute(select(ReminderWatch).where(
        ReminderWatch.rule_id == rule_id, ReminderWatch.subject_type == subject_type,
        ReminderWatch.subject_id == subject_id, ReminderWatch.period == "")).scalar()
    if rule is None or row is None or not row.active:
        return 0
    key = row.due_at.astimezone(tz()).strftime("%Y-%m-%d")  # the period of the schedule's "due" event
    now = utcnow()
    return _insert_notices([{"watch_id": row.id, "rule_id": rule.id, "stage": "due", "period": key,
                             "recipient_id": uid, "escalation": False, "title": row.title, "body": "",
                             "link": row.link, "created_at": now} for uid in dict.fromkeys(recipient_ids) if uid])
