"""The clocks of a network-quality complaint (CS-15), to the minute.

Each step waits from the moment the step before it was signed (the dispatch starts the monitoring
room's 20 minutes) until its own signature, for the time the complaint's copy of the limits table
allows (``NetworkCase.limits``, taken at dispatch: an admin's later change does not move it). The
waiting step is watched by the managed rule ``cs15-network-step`` with a deadline to the minute
(the scheduler sweeps every ``QMS_SWEEP_SECONDS``, 60 by default): the author is told at the
deadline, the acting room's head at once, 企业管理部 two hours later.

A remote fault (外端 / 省公司, 「时间不可控」) has no deadline. The monitoring room chases it every 30
minutes (the row's minutes) and logs each chase (``NetworkChase``, append-only); the managed rule
``cs15-network-chase`` keeps one watch per chase, due one interval after the last chase, so a
reminder comes every interval while the fault is open and a missed chase reaches the room's head.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..auth.models import Department
from ..core import audit
from ..core.errors import ServiceError, ValidationFailed
from ..core.timeutil import tz, utcnow
from ..extensions import db
from ..records import policy
from ..records import spec as specs
from ..records.models import DRAFT, IN_PROGRESS
from ..reminders import engine, workcal
from ..reminders.rules import by_id as rules_by_id
from . import network_table as table
from .network_models import NetworkCase, NetworkChase

STEP_RULE, CHASE_RULE = "cs15-network-step", "cs15-network-chase"
SUBJECT = "record"
CLOCKED = (table.CONFIRM, table.PREPROCESS, "room")  # steps with a time limit; "remote" is chased instead
NOTE_MAX = 500


@dataclass(frozen=True)
class StepClock:
    """One step of a complaint's path as its clock sees it."""

    step: str
    duty: str | None  # the limits row it follows
    room: str | None  # department code that acts
    minutes: int | None
    months: int | None
    started_at: datetime | None  # the signature before it (aware UTC)
    due_at: datetime | None  # started + limit; None: no fixed limit (or not started)
    done_at: datetime | None  # its own signature

    def late(self, now: datetime) -> bool:
        """Past its limit: signed after it, or still open after it."""
        return self.due_at is not None and (self.done_at or now) > self.due_at


def case_of(record_id: int) -> NetworkCase | None:
    """The complaint's copy of its limits (None while it is a draft)."""
    return db.session.get(NetworkCase, record_id)


def limits_for(record, category: str | None) -> dict:
    """{duty: snapshot}: the complaint's own copy once dispatched, else the table as it is now."""
    case = case_of(record.id) if record is not None and record.id else None
    if case is not None and case.category == category:
        return case.limits
    return table.current(category) if category else {}


def open_case(record) -> NetworkCase | None:
    """Copy the category's limits when the complaint is dispatched (once)."""
    if record.status == DRAFT or not record.number:
        return None
    case = case_of(record.id)
    if case is None:
        category = record.values.get("category")
        case = NetworkCase(record_id=record.id, category=category, limits=table.current(category),
                           dispatched_at=utcnow())
        db.session.add(case)
        db.session.flush()
    return case


def _add(start: datetime, minutes: int | None, months: int | None) -> datetime | None:
    if months:
        local = start.astimezone(tz())
        day = workcal.add_months(local.date(), months)
        return datetime.combine(day, local.timetz().replace(tzinfo=None), tz()).astimezone(UTC)
    if minutes:
        return start + timedelta(minutes=minutes)
    return None


def clocks(record, spec=None) -> list[StepClock]:
    """The clock of every step on the complaint's path after the dispatch, in order."""
    spec = spec or specs.by_revision(record.form_revision_id)
    case = case_of(record.id)
    limits = case.limits if case is not None else {}
    values = record.values
    signed = {s.step: s.signed_at for s in record.signatures}
    out, previous = [], signed.get(spec.workflow[0].name)
    for step in spec.workflow[1:]:
        if not step.applies(values):
            continue
        duty = values.get("duty") if step.name in ("room", "remote") else (
            step.name if step.name in (table.CONFIRM, table.PREPROCESS) else None)
        row = limits.get(duty) or {}
        minutes, months = row.get("minutes"), row.get("months")
        started = previous
        due = _add(started, minutes, months) if started is not None and step.name in CLOCKED else None
        done = signed.get(step.name)
        out.append(StepClock(step.name, duty, row.get("room"), minutes, months, started, due, done))
        previous = done
    return out


def chases(record_id: int) -> list[NetworkChase]:
    """The chases of a remote fault, oldest first."""
    return list(db.session.execute(select(NetworkChase).where(NetworkChase.record_id == record_id)
                                   .order_by(NetworkChase.id)).scalars())


def chase_interval(record) -> int | None:
    """Minutes between chases of the complaint's remote fault, from its copy of the limits."""
    case = case_of(record.id)
    row = (case.limits if case is not None else {}).get(record.values.get("duty")) or {}
    return row.get("minutes") if row.get("kind") == table.REMOTE else None


def next_chase_due(record) -> datetime | None:
    """When the next chase is due: one interval after the last chase (or after the fault was
    passed on); None unless the complaint waits on a remote fault."""
    if record.status != IN_PROGRESS or record.current_step != table.REMOTE:
        return None
    interval = chase_interval(record)
    if not interval:
        return None
    last = db.session.execute(select(func.max(NetworkChase.chased_at))
                              .where(NetworkChase.record_id == record.id)).scalar()
    if last is None:
        last = next((c.started_at for c in clocks(record) if c.step == table.REMOTE), None)
    return last + timedelta(minutes=interval) if last is not None else None


def _dept_id(code: str | None) -> int | None:
    dept = Department.by_code(code) if code else None
    return dept.id if dept is not None else None


def sync_watches(record, spec=None) -> None:
    """Keep the step watches and the chase watch of one complaint in step with where it waits."""
    spec = spec or specs.by_revision(record.form_revision_id)
    waiting = record.current_step if record.status == IN_PROGRESS else None
    rules = rules_by_id()
    step_rule, chase_rule = rules.get(STEP_RULE), rules.get(CHASE_RULE)
    link = f"/r/{spec.code}/{record.id}"
    for c in clocks(record, spec):
        if c.step not in CLOCKED or step_rule is None:
            continue
        active = c.step == waiting and c.due_at is not None
        title = f"{record.display_number} {spec.step(c.step).label['zh']}"
        engine.upsert_watch(step_rule, SUBJECT, record.id, c.step, due_at=c.due_at, title=title, link=link,
                            owner_id=record.created_by_id, department_id=_dept_id(c.room), active=active)
    if chase_rule is None:
        return
    n = len(chases(record.id))
    due = next_chase_due(record)
    passer = next((s.user_id for s in record.signatures if s.step == table.PREPROCESS), record.created_by_id)
    if n:
        engine.upsert_watch(chase_rule, SUBJECT, record.id, f"chase-{n - 1}", due_at=None, title="", link=link,
                            owner_id=None, department_id=None, active=False)
    engine.upsert_watch(chase_rule, SUBJECT, record.id, f"chase-{n}", due_at=due,
                        title=f"{record.display_number} 外端故障第{n + 1}次追单", link=link, owner_id=passer,
                        department_id=_dept_id(table.MONITORING), active=due is not None)


def log_chase(record, user, note: str) -> NetworkChase:
    """Log one chase of the complaint's remote fault (now, by ``user``), audited as
    ``cs15_chase_logged``; the next chase falls due one interval later."""
    spec = specs.by_revision(record.form_revision_id)
    if record.status != IN_PROGRESS or record.current_step != table.REMOTE:
        raise ServiceError(_("Chases are logged while a remote fault waits to be solved."))
    step = policy.signable_step(user, spec, record)
    if step is None or step.name != table.REMOTE:
        raise ServiceError(_("Only the monitoring room chases a remote fault."))
    note = (note or "").strip()
    if not note:
        raise ValidationFailed({"note": [_("Say what the remote side answered.")]})
    if len(note) > NOTE_MAX:
        raise ValidationFailed({"note": [_("At most %(max)d characters.", max=NOTE_MAX)]})
    chase = NetworkChase(record_id=record.id, chased_at=utcnow(), user_id=user.id, note=note)
    db.session.add(chase)
    db.session.flush()
    audit.log("cs15_chase_logged", actor=user, obj_type="record", obj_id=record.id,
              summary=f"{record.display_number} {note[:60]}", changes={"note": [None, note]})
    sync_watches(record, spec)
    return chase


RULES = [
    {"id": STEP_RULE, "requirement": "CS-15", "kind": "sla", "form": table.FORM, "field": "received_at",
     "managed": True, "daily_repeats": 3, "weekly_repeats": 2,
     "title": {"zh": "网络质量投诉处理时限", "en": "Network complaint step time limit"},
     "ladder": [{"after_hours": 0, "to": "department_head"}, {"after_hours": 2, "to": "quality_manager"}]},
    {"id": CHASE_RULE, "requirement": "CS-15", "kind": "sla", "form": table.FORM, "field": "received_at",
     "managed": True, "daily_repeats": 1, "weekly_repeats": 0,
     "title": {"zh": "外端/省公司故障每30分钟追一次", "en": "Chase the remote fault (every 30 minutes)"},
     "ladder": [{"after_hours": 0.5, "to": "department_head"}]},
]
