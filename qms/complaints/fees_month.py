"""The month's fee summaries drawn from the disputes (CS-13, CS-14): the refund list of TS-REFUNDS
(「每月26日将汇总表和退费清单」交核算室) and the lines of TS-REPRICE (「按时汇总二次批价数据上报市场部」),
taken from the department's TS-FEE records resolved in that month. A summary is a record of its
own, filled from these rows as a draft that the hall checks and signs; the disputes stay the truth."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..core.timeutil import tz
from ..extensions import db
from ..records import service
from ..records import spec as specs
from ..records.links import LIVE
from ..records.models import Record
from .fees_forms import FEE, MONTERNET, REFUNDS, REPRICE, Method, Route

# The refund is done once its paying step is signed (TS-002 4a / 4b).
PAID_STEPS = {Method.CASH: "pay_cash", Method.TRANSFER: "transfer"}


def month_bounds(month: str) -> tuple[date, date]:
    """The first day of ``month`` ('2026-11') and the first day of the next."""
    y, m = map(int, month.split("-"))
    first = date(y, m, 1)
    return first, (first.replace(year=y + 1, month=1) if m == 12 else first.replace(month=m + 1))


def _resolved_in(department_id: int, month: str) -> list[Record]:
    """The department's live TS-FEE records resolved in ``month``. Resolution follows acceptance
    within days, so only records accepted from a month before are read."""
    first, nxt = month_bounds(month)
    since = datetime.combine(first - timedelta(days=31), time(0), tz())
    rows = db.session.execute(select(Record).where(
        Record.form_code == FEE, Record.department_id == department_id, Record.status.in_(LIVE),
        Record.created_at >= since).order_by(Record.id)).scalars()
    out = []
    for rec in rows:
        resolved = str(rec.values.get("resolved_on") or "")[:10]
        if resolved and first.isoformat() <= resolved < nxt.isoformat() and rec.number:
            out.append(rec)
    return out


def refund_rows(department_id: int, month: str) -> list[dict]:
    """The refund list of ``month``: each paid refund, reduction or waiver (cash paid with the
    customer's signature, or transferred), as TS-REFUNDS rows."""
    rows = []
    for rec in _resolved_in(department_id, month):
        v = rec.values
        step = PAID_STEPS.get(v.get("refund_method"))
        if v.get("route") != Route.REFUND or not any(s.step == step for s in rec.signatures):
            continue
        paid = v.get("paid_at") or v.get("transferred_at") or v.get("resolved_on")
        rows.append({"complaint": rec.number, "phone_number": v.get("phone_number"),
                     "customer_name": v.get("customer_name"), "kind": v.get("refund_kind"),
                     "method": v.get("refund_method"), "transfer_number": v.get("transfer_number"),
                     "amount": v.get("refund_amount"), "paid_on": str(paid)[:10]})
    return rows


def reprice_rows(department_id: int, month: str) -> list[dict]:
    """The repricing lines of ``month``: each dispute resolved by TS-001, as TS-REPRICE rows."""
    rows = []
    for rec in _resolved_in(department_id, month):
        v = rec.values
        if v.get("route") != Route.REPRICE or not any(s.step == "resolve" for s in rec.signatures):
            continue
        rows.append({"complaint": rec.number, "phone_number": v.get("phone_number"),
                     "customer_name": v.get("customer_name"), "dispute_type": v.get("dispute_type"),
                     "item": v.get("reprice_item"), "amount": v.get("reprice_amount"),
                     "minutes": v.get("reprice_minutes"), "reason": str(v.get("solution") or "")[:300]})
    return rows


def monternet_rows(department_id: int, month: str) -> list[dict]:
    """The orphan Monternet register of ``month``: each TS-006 dispute resolved in it that meets the
    condition (charged after suspension, cancellation or a number change)."""
    rows = []
    for rec in _resolved_in(department_id, month):
        v = rec.values
        if v.get("flow") != "ts006" or not v.get("orphan_condition") \
                or not any(s.step == "resolve" for s in rec.signatures):
            continue
        handling = v.get("route") if v.get("route") in (Route.REFUND, Route.HOLD, Route.EXPLAIN) else None
        rows.append({"complaint": rec.number, "phone_number": v.get("phone_number"),
                     "customer_name": v.get("customer_name"), "service": v.get("monternet_service"),
                     "account_state": v.get("account_state"), "amount": v.get("disputed_amount"),
                     "handling": handling})
    return rows


ROWS = {REFUNDS: refund_rows, REPRICE: reprice_rows, MONTERNET: monternet_rows}


def _formdata(month: str, rows: list[dict]) -> MultiDict:
    md = MultiDict({"month": month})
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value not in (None, ""):
                md.add(f"items-{i}-{key}", str(value))
    return md


def draft_summary(code: str, user, month: str) -> Record:
    """A draft TS-REFUNDS, TS-REPRICE or TS-MONTERNET of ``user``'s department for ``month``, its rows
    taken from the month's disputes (validated like a person's input; an empty month is refused)."""
    rows = ROWS[code](user.department_id, month)
    return service.create(specs.get(code), user, _formdata(month, rows), "zh_CN")


