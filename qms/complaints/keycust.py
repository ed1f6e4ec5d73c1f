"""Key customers (CS-04): the list (CS-KEYCUST), the service record sent in writing to each
department (CS-KEY, one record per department), its time limit by request type, and the overrun
that opens a nonconformity by itself. The terminal service record (CS-TERM, CS-05) is a
declaration only. S003 实施(4): 「由客户服务中心填写重点客户服务记录,并以书面形式通知相关部门,相关部门须
…在重点客户服务时限内完成处理程序。客户服务中心按服务时限跟踪处理情况,若出现处理超时的情况,应及时上报企业管理部。」
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.lookup import department_name
from ..auth.models import User
from ..core.i18n import current_locale
from ..core.timeutil import fmt, tz, utcnow
from ..extensions import db
from ..records import phones, policy
from ..records import service as records
from ..records import spec as specs
from ..records.links import linked, linked_ids
from ..records.lookup import record_of
from ..records.models import CLOSED, IN_PROGRESS, Record
from ..records.procedures import FormRules
from ..reminders import engine
from ..reminders.models import ReminderWatch
from ..reminders.rules import by_id
from . import keycust_nc

KEYCUST, KEY = "CS-KEYCUST", "CS-KEY"
RULE = "cs04-key-customer"  # forms/CS-KEY.yaml: the department's time limit
WAITING = "complete"  # the step at which the department to act owes its completion


# -- the list ---------------------------------------------------------------------------------

def list_entry(phone: str | None) -> Record | None:
    """The key-customer list entry (a signed, current CS-KEYCUST record) for this phone number,
    matched by its digits as the customer index does (spaces, dashes, +86 folded); None if the
    number is not on the list (never listed, taken off by a void, or only a draft)."""
    number = phones.digits(phone)
    if not number:
        return None
    for rid in reversed(linked_ids(KEYCUST, "phone_number", number)):
        rec = db.session.get(Record, rid)
        if rec is not None and rec.status == CLOSED:
            return rec
    return None


# -- checks -----------------------------------------------------------------------------------

def check_key(record, values, user) -> dict:
    """A department is notified once: 同时通知部门 may not repeat 承办部门."""
    also = values.get("also_notify") or []
    if values.get("target_department") and values.get("target_department") in also:
        return {"also_notify": [_("The department to act already receives this notice; choose other departments.")]}
    return {}


def sign_key(record, spec, step, user) -> str | None:
    """The service record is submitted only for a customer on the key-customer list."""
    if step.name != spec.workflow[0].name or list_entry(record.values.get("phone_number")) is not None:
        return None
    return _("%(phone)s is not on the key customer list: 客户服务部 registers the customer (%(form)s) first.",
             phone=record.values.get("phone_number") or "—", form=KEYCUST)


# -- time limit -------------------------------------------------------------------------------

def deadline(values: dict) -> datetime | None:
    """When the department must have finished (aware UTC): the end of the day ``limit_days`` after
    the written notice, as the reminder rule reads it. None without a notice time or a limit."""
    rule = by_id().get(RULE)
    if rule is None or values.get("limit_days") in (None, ""):
        return None
    return engine.deadline_for_record(rule, values)


def _completed(values: dict) -> datetime | None:
    raw = values.get("completed_at")
    return datetime.fromisoformat(raw).replace(tzinfo=tz()) if raw else None


def notices_of(record: Record) -> list[Record]:
    """Every record of the same request, the first one first: one per department notified."""
    first = record_of(record.values, "notice_of", KEY) or record
    return [first, *linked(KEY, "notice_of", first.id, numbered=True)]


# -- after a change ---------------------------------------------------------------------------

def key_changed(record, spec, new: bool = False) -> None:
    """Submitted: the other departments get their own notices. Completed after the limit with no
    nonconformity yet (the scheduler was not running): it opens now."""
    if record.status == IN_PROGRESS and record.current_step == WAITING:
        _notify_others(record, spec)
    elif record.status == CLOSED:
        due, done = deadline(record.values), _completed(record.values)
        if due is not None and done is not None and done > due and not keycust_nc.raised(record):
            actor = db.session.get(User, record.signatures[-1].user_id) if record.signatures else record.created_by
            keycust_nc.overdue_service(record, due, actor, record.values.get("completed_at"))


def _notify_others(record: Record, spec) -> None:
    """One record per further department (同时通知部门), opened by the procedure with no signature
    of its own, numbered, waiting for that department; done once (a record sent back and submitted
    again does not notify twice)."""
    also = record.values.get("also_notify") or []
    if not also or record_of(record.values, "notice_of") is not None or linked_ids(KEY, "notice_of", record.id):
        return
    signer = db.session.get(User, record.signatures[-1].user_id) if record.signatures else record.created_by
    for code in also:
        values = {**record.values, "target_department": code, "also_notify": [], "notice_of": record.id,
                  "completed_at": None, "result": None}
        records.create_automatic(spec, values, record.department_id, cause_record=record, actor=signer)


def open_overdue(now: datetime | None = None) -> int:
    """The scheduler's job (``Procedure.sweeps``): every submitted service record past its time
    limit and not completed opens one nonconformity (source overdue_service), once per record.
    Returns how many it opened."""
    now = now or utcnow()
    ids = db.session.execute(select(ReminderWatch.subject_id).where(
        ReminderWatch.rule_id == RULE, ReminderWatch.subject_type == "record", ReminderWatch.active.is_(True),
        ReminderWatch.due_at < now)).scalars().all()
    opened = 0
    for rid in ids:
        rec = db.session.get(Record, rid)
        if rec is None or rec.status != IN_PROGRESS or keycust_nc.raised(rec):
            continue
        due = deadline(rec.values)
        if due is None or due >= now:
            continue
        keycust_nc.overdue_service(rec, due, rec.created_by)
        opened += 1
    return opened


# -- the record page and the printed notice ---------------------------------------------------

def key_panel(record, spec, user) -> dict:
    """Deadline and state of this department's notice, the other departments' notices of the same
    request, and the nonconformity an overrun opened."""
    due = deadline(record.values)
    done = _completed(record.values)
    late = due is not None and ((done or utcnow()) > due)
    locale = current_locale()
    others = [r for r in notices_of(record) if r.id != record.id]
    readable = [r for r in others if policy.can(user, "view", spec, r)]
    return {"template": "complaints/keycust/panel_key.html", "due": fmt(due) if due else "", "late": late,
            "done": done is not None, "hidden": len(others) - len(readable),
            "others": [(r, department_name(r.values.get("target_department"), locale)) for r in readable],
            "ncs": keycust_nc.raised(record), "entry": list_entry(record.values.get("phone_number")),
            "department": department_name(record.values.get("target_department"), locale)}


def key_pdf(record, locale: str) -> dict:
    """The written notice: to whom, what, and by when (plain data: part of the PDF cache key)."""
    due = deadline(record.values)
    return {"notice_to": department_name(record.values.get("target_department"), locale),
            "notice_due": fmt(due) if due else "",
            "notice_copies": [(r.display_number, department_name(r.values.get("target_department"), locale))
                              for r in notices_of(record) if r.id != record.id]}


def entry_panel(record, spec, user) -> dict:
    """On a list entry: its service records (by the customer's number)."""
    ids = linked_ids(KEY, "phone_number", phones.digits(record.values.get("phone_number")))
    rows = [r for r in (db.session.get(Record, i) for i in reversed(ids[-50:])) if r is not None and r.number]
    key_spec = specs.get(KEY)
    return {"template": "complaints/keycust/panel_entry.html",
            "services": [r for r in rows if policy.can(user, "view", key_spec, r)],
            "can_file": record.status == CLOSED and policy.can(user, "create", key_spec)}


FORMS = {
    KEY: FormRules(checks=(check_key,), sign_checks=(sign_key,), on_change=(key_changed,), panel=key_panel,
                   pdf_extras=key_pdf),
    KEYCUST: FormRules(panel=entry_panel),
}
SWEEPS = (open_overdue,)
