"""What the objectives page reads (DA-01, DA-04): the objectives in force with their signed monthly
statistics over 24 months (the actual as reported, frozen by 企业管理部's signature), where each actual
comes from (the records behind a computed one, the department's figure for an entered one), and the
missed objectives of a period for the Pareto chart. A few statements whatever the number of objectives.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ..core.timeutil import today
from ..extensions import db
from ..records.models import CLOSED, Record, RecordFacet
from ..reminders.workcal import add_months
from .objectives_checks import FIGURE, OBJECTIVE, STATS, first_day


def months_to(last: str, count: int = 24) -> list[str]:
    """``count`` months ending with ``last`` ('2026-11'), oldest first."""
    end = first_day(last) or today().replace(day=1)
    return [add_months(end, -i).strftime("%Y-%m") for i in range(count - 1, -1, -1)]


def signed_stats(months: list[str]) -> dict[str, Record]:
    """{month: its signed statistics record} for ``months`` (one statement)."""
    rows = db.session.execute(
        select(Record, RecordFacet.value).join(RecordFacet, RecordFacet.record_id == Record.id)
        .where(RecordFacet.form_code == STATS, RecordFacet.field == "month", RecordFacet.value.in_(months),
               Record.form_code == STATS, Record.status == CLOSED).order_by(Record.id)).all()
    return {month: record for record, month in rows}


def figure_ids(months: list[str]) -> dict[tuple[str, str], int]:
    """{(objective number, month): the signed DA-FIGURE's id} for ``months``: three statements over the
    facet indexes, no values read (the figures of the months, the objectives they name, their numbers)."""
    rows = db.session.execute(
        select(Record.id, RecordFacet.value).join(RecordFacet, RecordFacet.record_id == Record.id)
        .where(RecordFacet.form_code == FIGURE, RecordFacet.field == "month", RecordFacet.value.in_(months),
               Record.form_code == FIGURE, Record.status == CLOSED)).all()
    if not rows:
        return {}
    month_of = dict(rows)
    objective_of = {rid: int(v) for rid, v in db.session.execute(
        select(RecordFacet.record_id, RecordFacet.value).where(RecordFacet.record_id.in_(month_of),
                                                               RecordFacet.field == "objective"))
        if str(v).isdigit()}
    numbers = dict(db.session.execute(select(Record.id, Record.number).where(
        Record.form_code == OBJECTIVE, Record.id.in_(set(objective_of.values())))).all())
    return {(numbers[obj], month_of[rid]): rid for rid, obj in objective_of.items() if numbers.get(obj)}


@dataclass
class History:
    """One objective's lines in the signed statistics, month by month (None where no line)."""

    record: Record
    lines: list = field(default_factory=list)  # [(month, line dict | None)]

    @property
    def current(self) -> tuple[str, dict] | None:
        """The newest month with a line, and that line."""
        return next(((m, ln) for m, ln in reversed(self.lines) if ln is not None), None)


def histories(objectives: list[Record], months: list[str], stats: dict | None = None) -> list[History]:
    """Each objective's lines over ``months`` from the signed statistics (``stats``: already read)."""
    stats = signed_stats(months) if stats is None else stats
    by_month = {m: {ln.get("objective"): ln for ln in (stats[m].values.get("lines") or [])} if m in stats else {}
                for m in months}
    return [History(o, [(m, by_month[m].get(o.number)) for m in months]) for o in objectives]


def missed(months: list[str], stats: dict | None = None) -> list[tuple[str, str, int]]:
    """(objective number, name, months missed) over ``months``, most missed first (``stats``: already read)."""
    counts: dict[str, list] = {}
    stats = signed_stats(months) if stats is None else stats
    for record in (stats[m] for m in months if m in stats):
        for ln in record.values.get("lines") or []:
            if ln.get("met") == "no":
                entry = counts.setdefault(ln.get("objective"), [ln.get("name") or "", 0])
                entry[1] += 1
    return sorted(((n, name, c) for n, (name, c) in counts.items()), key=lambda r: (-r[2], r[0]))
