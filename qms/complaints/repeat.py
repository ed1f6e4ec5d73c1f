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

from flask_babel import gettext as _
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
    due_hours: float | None = None  # no stored due date: due this many hours after reception
    complex: str = ""  # a flag that lifts the due_hours limit (a complex fee dispute)


# Every complaint form of the package, with where it keeps what the definitions read: a customer's
# earlier complaint counts whichever form it was taken on. TS-FEE stores no reply date: its limit is
# the handbook's 24 hours from reception, lifted for a complex case; CS-NET's steps each have their
# own clock (network_clock), so its late answers are not judged here.
FIELDS = {
    "CS-INQ": Fields(),
    "TS-FEE": Fields(due="", answered=("replied_at",), satisfaction="", category="dispute_type",
                     due_hours=24, complex="complex_case"),
    "CS-NET": Fields(due="", answered=("replied_at",), satisfaction="", person=""),
}
FORMS = tuple(FIELDS)


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


def _of(fields, code: str) -> Fields:
    """The Fields of form ``code``: one for every form, or a mapping by form code."""
    return fields.get(code, Fields()) if isinstance(fields, dict) else fields


def earlier(phone: str | None, forms: tuple, received: datetime | None, exclude: tuple = (),
            fields: Fields | dict = FIELDS, limit: int = 50) -> list[Record]:
    """The customer's live records of ``forms`` received before ``received`` (any, when None), newest
    first, leaving out the ids in ``exclude`` (the record itself, the original it amends). ``fields``
    says where each form keeps the reception time (:data:`FIELDS` by default)."""
    ids = [i for i in records_about(phone=phone, limit=200) if i not in exclude]
    if not ids:
        return []
    rows = db.session.execute(select(Record).where(Record.id.in_(ids), Record.form_code.in_(forms),
                                                   Record.status.in_(LIVE))).scalars().all()
    dated = [(clocks.parse(r.values.get(_of(fields, r.form_code).received)), r) for r in rows]
    keep = [(at, r) for at, r in dated if at is not None and (received is None or at < received)]
    keep.sort(key=lambda p: (p[0], p[1].id), reverse=True)
    return [r for _at, r in keep[:limit]]


def _due(old: dict, f: Fields) -> datetime | None:
    """When an earlier complaint had to be answered: its stored reply date, or ``due_hours`` after it
    was received (not when its ``complex`` flag lifts that limit)."""
    if f.due:
        return clocks.parse(old.get(f.due))
    if f.due_hours is None or (f.complex and old.get(f.complex)):
        return None
    received = clocks.parse(old.get(f.received))
    return received + timedelta(hours=f.due_hours) if received else None


def decide(phone: str | None, forms: tuple, values: dict, now: datetime, *, exclude: tuple = (),
           window_days: int = WINDOW_DAYS, dissatisfied_before: bool = False,
           fields: Fields | dict = FIELDS, form: str = "CS-INQ") -> Verdict:
    """The verdict for a new complaint of form ``form`` with ``values`` from ``phone``, against the
    customer's earlier records of ``forms`` (each read through its own Fields): the newest earlier
    record that meets a definition (tried in the seed's order for each record), else 首次. Category and
    person compare only between records of the same form (their choices differ from form to form)."""
    mine = _of(fields, form)
    received = clocks.parse(values.get(mine.received)) or now
    person = values.get(mine.person) if mine.person else None
    category = values.get(mine.category)
    for rec in earlier(phone, forms, received, exclude, fields):
        old, f = rec.values, _of(fields, rec.form_code)
        due = _due(old, f)
        answered = clocks.answered_at(old, f.answered)
        if due is not None and clocks.clock(due, answered, min(now, received)).late:
            return Verdict("repeat", rec.id, LATE)
        recent = clocks.parse(old.get(f.received)) >= received - timedelta(days=window_days)
        unhappy = bool(f.satisfaction) and old.get(f.satisfaction) == f.dissatisfied
        if recent and (dissatisfied_before or unhappy):
            return Verdict("repeat", rec.id, DISSATISFIED)
        same_kind = rec.form_code == form and old.get(f.category) == category
        if person and f.person and str(old.get(f.person) or "") == str(person) and same_kind:
            return Verdict("repeat", rec.id, SAME_PERSON)
    return Verdict("first")


def verdict_values(record, values: dict, now: datetime, form: str, window_days: int = WINDOW_DAYS) -> dict:
    """The derived ``repeat``, ``repeat_of`` and ``repeat_basis`` of a complaint being received (for a
    form's ``FormRules.derive``), the clerk's ``repeat_claim`` winning with its reason."""
    verdict = decide(values.get("phone_number"), FORMS, values, now,
                     exclude=(record.id, record.amended_from_id) if record is not None else (),
                     window_days=window_days, dissatisfied_before=bool(values.get("dissatisfied_before")),
                     form=form)
    claim = values.get("repeat_claim")
    basis = verdict.basis
    if claim and claim != verdict.repeat:
        basis = "人工更正：" + (values.get("repeat_claim_reason") or "")
    return {"repeat": claim or verdict.repeat, "repeat_of": verdict.of, "repeat_basis": basis[:200] or None}


def claim_errors(values: dict) -> dict:
    """A corrected verdict must say why."""
    if values.get("repeat_claim") and not (values.get("repeat_claim_reason") or "").strip():
        return {"repeat_claim_reason": [_("Say why the system's first/repeat verdict is corrected.")]}
    return {}
