"""The handbook's reward sheets, generated from the reward records (CS-REWARD). CS-12.

S004 names five sheets and gives none of their columns; each is a view of the records, never typed
again (QP-CS 4.0, rewards):
- ``daily``   投诉奖、罚情况汇总表 (附表一), 每天下班前统计: rewards recorded that day;
- ``weekly``  投诉奖/罚报表, 每周一交部门主管审阅: last week's (Monday to Sunday) rewards recorded;
- ``register`` 投诉奖励登记表, 每月30日前报营帐数据室: rewards reviewed in the month;
- ``repricing`` 每月服务质量奖励情况汇总表 (号码、内容、起止时间), 每月20日前报业务监督室作二次批价;
- ``summary`` 投诉考核/奖励情况汇总表, 每月1日前以 Excel 报市场部业务监督室: last month's counts and values
  by department, grade and first/repeat.
"Recorded" is the submit signature, "reviewed" the designated reviewer's signature (live ones only).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..auth.lookup import department_labels, names
from ..core.timeutil import local, tz
from ..extensions import db
from ..records.links import LIVE
from ..records.lookup import as_id, choice_text, display_number
from ..records.models import Record, Signature
from .catalogue import GRADES

REWARD = "CS-REWARD"
SHEETS = ("daily", "weekly", "register", "repricing", "summary")
STEP_OF = {"daily": "submit", "weekly": "submit", "register": "review", "repricing": "review", "summary": "review"}


@dataclass
class Row:
    """One reward as the sheets list it."""

    id: int
    number: str
    department: str
    complaint: str
    customer_name: str
    phone_number: str
    item: str
    severity: str
    grade: str
    repeat: str
    repeat_value: str
    value: int
    kind: str
    start_on: str
    end_on: str
    reviewer: str
    signed_at: datetime
    reviewed: bool
    told: bool


def period(sheet: str, day: date) -> tuple[date, date]:
    """The first and last day a sheet covers, for a sheet of the day ``day`` (any day of its week or
    month): the day itself; the week (Monday to Sunday) before ``day``'s week — the Monday report is
    last week's; the month of ``day``; the month before ``day``'s for the summary due by the 1st."""
    if sheet == "daily":
        return day, day
    if sheet == "weekly":
        monday = day - timedelta(days=day.weekday())
        return monday - timedelta(days=7), monday - timedelta(days=1)
    first = day.replace(day=1)
    if sheet == "summary":
        last = first - timedelta(days=1)
        return last.replace(day=1), last
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt - timedelta(days=1)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = tz()
    return datetime.combine(start, time(), zone), datetime.combine(end + timedelta(days=1), time(), zone)


def rows(sheet: str, start: date, end: date, department_id: int | None = None, locale: str = "zh_CN") -> list[Row]:
    """The live rewards whose step (recorded or reviewed, per sheet) was signed from ``start`` to ``end``
    (local days), of one department when given, in the order they were signed."""
    step = STEP_OF[sheet]
    lo, hi = _bounds(start, end)
    signed = select(Signature.record_id).where(Signature.step == step, Signature.signed_at >= lo,
                                               Signature.signed_at < hi)
    q = select(Record).where(Record.form_code == REWARD, Record.status.in_(LIVE), Record.number.is_not(None),
                             Record.id.in_(signed))
    if department_id:
        q = q.where(Record.department_id == department_id)
    records = list(db.session.execute(q).scalars())
    depts = department_labels(locale)
    people = names(r.values.get("reviewer") for r in records)
    lang = "en" if locale == "en" else "zh"
    out = []
    for r in records:
        sig = next((s for s in r.signatures if s.step == step), None)
        if sig is None or not lo <= sig.signed_at < hi:
            continue  # its signature was sent back
        v = r.values
        out.append(Row(
            id=r.id, number=r.display_number, department=depts.get(r.department_id, ""),
            complaint=display_number(as_id(v.get("complaint"))) or "", customer_name=v.get("customer_name") or "",
            phone_number=v.get("phone_number") or "", item=v.get("item") or "",
            severity=choice_text(r, "severity", lang), grade=v.get("severity") or "",
            repeat=choice_text(r, "repeat", lang), repeat_value=v.get("repeat") or "",
            value=int(v.get("value") or 0), kind=choice_text(r, "kind", lang),
            start_on=v.get("start_on") or "", end_on=v.get("end_on") or "",
            reviewer=people.get(as_id(v.get("reviewer")), ""), signed_at=local(sig.signed_at),
            reviewed=any(s.step == "review" for s in r.signatures),
            told=any(s.step == "notify" for s in r.signatures)))
    return sorted(out, key=lambda x: (x.signed_at, x.id))


def totals(found: list[Row]) -> dict:
    """Counts and values: all, per grade and first/repeat (the value table's cells), per reward kind,
    per department. {"count", "value", "cells": {(grade, repeat): [count, value]}, "kinds", "departments"}."""
    cells = {(g, rp): [0, 0] for g in GRADES for rp in ("first", "repeat")}
    kinds: Counter = Counter()
    depts: dict = {}
    for r in found:
        cell = cells.setdefault((r.grade, r.repeat_value), [0, 0])
        cell[0] += 1
        cell[1] += r.value
        kinds[r.kind] += r.value
        d = depts.setdefault(r.department, [0, 0])
        d[0] += 1
        d[1] += r.value
    return {"count": len(found), "value": sum(r.value for r in found), "cells": cells,
            "kinds": dict(sorted(kinds.items())), "departments": dict(sorted(depts.items()))}
