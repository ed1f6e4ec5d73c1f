"""Switches and their monthly billing-accuracy test (INS-07): reading the register and the tests.

Every switch in the register (INS-SWITCH) is watched (``reminders.watch_switch``): its deadline is
the end of the first month without a test. A signed test for a month moves the deadline to the end
of the next month. Below the switch type's threshold, the reviewed test opens a nonconformity
(``impact.billing_below_threshold``).
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..core.timeutil import local, today
from ..extensions import db
from ..records.lookup import as_id, record_of
from ..records.models import CLOSED, DRAFT, VOIDED, Record, RecordFacet
from ..reminders.workcal import add_months
from .forms import BILLING, SWITCH


def switch_of(values: dict) -> Record | None:
    """The switch register record a billing test names (None if missing)."""
    return record_of(values, "switch", SWITCH)


def switch_type(values: dict) -> str | None:
    """The tested switch's type: from the switch register (revision A tests typed it in)."""
    sw = switch_of(values)
    return sw.values.get("switch_type") if sw is not None else values.get("switch_type")


def switch_name(values: dict) -> str:
    """The tested switch's name, for generated texts."""
    sw = switch_of(values)
    return sw.values.get("name", "") if sw is not None else values.get("switch_name", "")


def threshold(spec, values: dict) -> float | None:
    """The required accuracy (%) of the tested switch's type, as the form revision declares it
    (its ``thresholds:``)."""
    t = (spec.extensions.get("thresholds") or {}).get(switch_type(values))
    return float(t) if t is not None else None


def accuracy(values: dict) -> float | None:
    """Billed correctly / tested, in percent (None when not computable)."""
    tested, correct = as_id(values.get("calls_tested")), as_id(values.get("calls_correct"))
    return 100.0 * correct / tested if tested and correct is not None else None


def month_end(month: str) -> date:
    """The last day of ``YYYY-MM``."""
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
        return month_end(add_months(date.fromisoformat(last + "-01"), 1).isoformat()[:7])
    start = max(local(switch.created_at).date(), date.fromisoformat(switch.values.get("in_service_on") or "1900-01-01"))
    return month_end(start.isoformat()[:7])


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
