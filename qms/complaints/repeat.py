"""首次 or 重复: the three repeat definitions of the reward scheme (CS-12; 接待室工作手册 考核及奖励办法:
「1)指在投诉处理时限内未答复客户」; 「2)因客户不满意处理结果而再次投诉的」; 「3)个人造成的同类型投诉」).

Published for every complaint form of the package: :func:`decide` looks through the customer's earlier
records of the form codes it is given (the customer index, ``records.customers.records_about``), and
names the earlier record that makes the new one a repeat:

1. an earlier complaint of this customer that was not answered within its time limit (its
   ``reply_due_at`` passed before it was answered, or it is still unanswered and overdue);
2. an earlier complaint received within the last N days (``repeat_window_days``, default 30) whose
   evaluation says the customer was dissatisfied, or when the clerk records that the customer is
   unhappy with an earlier result;
3. an earlier complaint of the same category caused by the same person (``responsible_person``).

Voided and superseded records do not count; only records received before the new one do.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from ..records.customers import records_about
from ..records.links import LIVE
from ..records.models import Record
from . import clocks

WINDOW_DAYS = 30  # definition 2: an earlier complaint this recent (admin figure: repeat_window_days)
LATE, DISSATISFIED, SAME_PERSON = 1, 2, 3


@dataclass(frozen=True)
class Fields:
    """Where a complaint form keeps what the definitions read (CS-INQ's names by default)."""

    received: str = "received_at"
    due: str = "reply_due_at"
    answered: tuple = ("told_at",)
    satisfaction: str = "satisfaction"
    dissatisfied: str = "dissatisfied"
    category: str = "category"
    person: str = "responsible_person"


@dataclass(frozen=True)
class Verdict:
    """首次 (``first``) or 重复 (``repeat``), the earlier record and the definition that decided it."""

    repeat: str
    of: int | None = None
    rule: int | None = None

    @property
    def basis(self) -> str:
        """The reason in the records' language (Chinese)."""
        return BASIS.get(self.rule, "")


BASIS = {LATE: "上次投诉未在处理时限内答复客户", DISSATISFIED: "客户不满意上次处理结果而再次投诉",
         SAME_PERSON: "同一责任人造成的同类型投诉"}


def earlier(phone: str | None, forms: tuple, received: datetime | None, exclude: tuple = (),
            fields: Fields = Fields(), limit: int = 50) -> list[Record]:
    """The customer's live records of ``forms`` received before ``received`` (any, when None), newest
    first, leaving out the ids in ``exclude`` (the record itself, the original it amends)."""
    ids = [i for i in records_about(phone=phone, limit=200) if i not in exclude]
    if not ids:
        return []
    rows = db.session.execute(select(Record).where(Record.id.in_(ids), Record.form_code.in_(forms),
                                                   Record.status.in_(LIVE))).scalars().all()
    dated = [(clocks.parse(r.values.get(fields.received)), r) for r in rows]
    keep = [(at, r) for at, r in dated if at is not None and (received is None or at < received)]
    keep.sort(key=lambda p: (p[0], p[1].id), reverse=True)
    return [r for _at, r in keep[:limit]]


def decide(phone: str | None, forms: tuple, values: dict, now: datetime, *, exclude: tuple = (),
           window_days: int = WINDOW_DAYS, dissatisfied_before: bool = False, fields: Fields = Fields()) -> Verdict:
    """The verdict for a new complaint with ``values`` from ``phone``, against the customer's earlier
    records of ``forms``: the newest earlier record that meets a definition (tried in the seed's
    order for each record), else 首次."""
    received = clocks.parse(values.get(fields.received)) or now
    person, category = values.get(fields.person), values.get(fields.category)
    for rec in earlier(phone, forms, received, exclude, fields):
        old = rec.values
        due = clocks.parse(old.get(fields.due))
        answered = clocks.answered_at(old, fields.answered)
        if due is not None and clocks.clock(due, answered, min(now, received)).late:
            return Verdict("repeat", rec.id, LATE)
        recent = clocks.parse(old.get(fields.received)) >= received - timedelta(days=window_days)
        if recent and (dissatisfied_before or old.get(fields.satisfaction) == fields.dissatisfied):
            return Verdict("repeat", rec.id, DISSATISFIED)
        if person and str(old.get(fields.person) or "") == str(person) and old.get(fields.category) == category:
            return Verdict("repeat", rec.id, SAME_PERSON)
    return Verdict("first")
