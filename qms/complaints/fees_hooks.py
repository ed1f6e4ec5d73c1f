"""After-change hook of TS-FEE (CS-13): a refund transferred to another number waits for 核算室,
which takes the non-cash forms on Thursdays (「(统一周四)」): its reminder is due on the first Thursday
on or after the transfer, and stops when 核算室 signs (or the record is voided)."""
from __future__ import annotations

from datetime import date, timedelta

from ..core.timeutil import local, today, utcnow
from ..records.lookup import record_name
from ..records.models import DRAFT, IN_PROGRESS
from ..reminders.engine import watch_until
from . import repeat
from .fees_forms import FEE, THURSDAY, THURSDAY_RULE


def derive_repeat(record, values: dict, user) -> dict:
    """首次/重复 of a fee dispute being accepted, from the customer's earlier complaints on every
    complaint form (``repeat.verdict_values``); once accepted it is signed and stays."""
    if record is not None and record.status != DRAFT:
        return {}
    return repeat.verdict_values(record, values, local(utcnow()).replace(tzinfo=None), FEE)


def check_repeat_claim(record, values: dict, user) -> dict:
    """A corrected first/repeat verdict says why."""
    return repeat.claim_errors(values)


def next_thursday(day: date) -> date:
    """The Thursday the form of ``day`` goes to 核算室: that day when it is a Thursday, else the next."""
    return day + timedelta(days=(THURSDAY - day.weekday()) % 7)


def _transferred_on(values: dict) -> date:
    raw = values.get("transferred_at")
    try:
        return date.fromisoformat(str(raw)[:10]) if raw else today()
    except ValueError:
        return today()


def fee_changed(record, spec, new: bool = False) -> None:
    """Keep the Thursday-batch watch of a transferred refund while it waits at the billing step."""
    waiting = record.status == IN_PROGRESS and record.current_step == "billing"
    day = next_thursday(_transferred_on(record.values)) if waiting else None
    watch_until(THURSDAY_RULE, "record", record.id, day, title=record_name(record, spec),
                link=f"/r/{FEE}/{record.id}", owner_id=record.created_by_id,
                department_id=record.department_id, active=waiting)


