"""Switches and their monthly billing-accuracy test (INS-07).

Every switch in the register (INS-SWITCH) is watched: its deadline is the end of the first month
without a test. A signed test for a month moves the deadline to the end of the next month; a month
with none is reminded to whoever registered the switch, then escalated to 交换传输室's head and to
企业管理部. Below the switch type's threshold, the reviewed test opens a nonconformity (service).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..core.timeutil import local, today, tz
from ..extensions import db
from ..records.models import CLOSED, DRAFT, VOIDED, Record, RecordFacet
from ..reminders.workcal import add_months
from .service import _int

SWITCH, BILLING = "INS-SWITCH", "INS-BILLING"
RULE = "ins07-switch-test"


def switch_of(values: dict) -> Record | None:
    """The switch register record a billing test names (None if missing)."""
    sid = _int(values.get("switch"))
    rec = db.session.get(Record, sid) if sid else None
    return rec if rec is not None and rec.form_code == SWITCH else None


def switch_type(values: dict) -> str | None:
    """The tested switch's type: from the switch register (revision A tests typed it in)."""
    sw = switch_of(values)
    return sw.values.get("switch_type") if sw is not None else values.get("switch_type")


def switch_name(values: dict) -> str:
    """The tested switch's name, for generated texts."""
    sw = switch_of(values)
    return sw.values.get("name", "") if sw is not None else values.get("switch_name", "")


def check_switch(record, values, user) -> dict:
    """A test names a registered switch in service."""
    if record is not None and record.status != DRAFT or not values.get("switch"):
        return {}
    sw = switch_of(values)
    if sw is None or sw.status != CLOSED:
        return {"switch": [_("Only a registered switch in service is tested.")]}
    return {}


def _month_end(month: str) -> date:
    y, m = (int(x) for x in month.split("-"))
    return add_months(date(y, m, 1), 1) - timedelta(days=1)


def last_tested_month(switch_id: int) -> str | None:
    """The latest month with a submitted, not voided test of the switch."""
    sw, mo = aliased(RecordFacet), aliased(RecordFacet)
    return db.session.execute(
        select(func.max(mo.value)).select_from(sw)
        .join(mo, (mo.record_id == sw.record_id) & (mo.field == "test_month"))
        .join(Record, Record.id == sw.record_id)
        .where(sw.form_code == BILLING, sw.field == "switch", sw.value == str(switch_id),
               Record.status.not_in((DRAFT, VOIDED)), Record.number.is_not(None))).scalar()


def next_deadline(switch: Record) -> date:
    """End of the first month without a test: the month after the last test, or the month the
    switch was registered in when it has none yet."""
    last = last_tested_month(switch.id)
    if last:
        return _month_end(add_months(date.fromisoformat(last + "-01"), 1).isoformat()[:7])
    start = max(local(switch.created_at).date(), date.fromisoformat(switch.values.get("in_service_on") or "1900-01-01"))
    return _month_end(start.isoformat()[:7])


def watch(switch: Record) -> None:
    """Keep the switch's monthly-test watch (a managed reminder rule)."""
    from ..reminders import engine, rules
    rule = rules.by_id().get(RULE)
    if rule is None:
        return
    db.session.flush()
    deadline = next_deadline(switch)
    due = datetime.combine(deadline, time(23, 59, 59), tz()).astimezone(UTC)
    month = deadline.isoformat()[:7]
    engine.upsert_watch(rule, "switch", switch.id, "", due_at=due,
                        title=f"{switch.values.get('name', '')} {month}"[:300], link=f"/r/{SWITCH}/{switch.id}",
                        owner_id=switch.created_by_id, department_id=switch.department_id,
                        active=switch.status == CLOSED)


def on_change(record, spec, new: bool = False) -> None:
    """A registered or retired switch, or a signed test, moves the switch's watch."""
    if spec.code == SWITCH and record.status in (CLOSED, VOIDED):
        watch(record)
    elif spec.code == BILLING and record.number and record.status != DRAFT:
        sw = switch_of(record.values)
        if sw is not None:
            watch(sw)


def untested(month: str | None = None) -> list[Record]:
    """Switches in service with no test for ``month`` (this month by default), for the dashboard."""
    month = month or today().isoformat()[:7]
    tested = select(RecordFacet.value).join(Record, Record.id == RecordFacet.record_id).where(
        RecordFacet.form_code == BILLING, RecordFacet.field == "switch", Record.status.not_in((DRAFT, VOIDED)),
        Record.number.is_not(None), Record.id.in_(select(RecordFacet.record_id).where(
            RecordFacet.form_code == BILLING, RecordFacet.field == "test_month", RecordFacet.value == month)))
    ids = {int(v) for v in db.session.execute(tested).scalars() if str(v).isdigit()}
    switches = db.session.execute(select(Record).where(Record.form_code == SWITCH, Record.status == CLOSED)
                                  .order_by(Record.id).limit(500)).scalars().all()
    return [s for s in switches if s.id not in ids]
