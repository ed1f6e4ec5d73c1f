"""The two clocks of every complaint (CS-02, CS-10; ZLAL009 4.0(2), 接待室工作手册 第二章, 第十二条).

Published for every complaint form of the package (CS-INQ, fee and network complaints):

- the **internal** reply limit: hours by category from the form's ``lookups: reply_limits`` table
  (24 h for fee disputes, S004 「其它话费争议问题必须在24小时内解决」; the complex-case exception
  uses the table's ``complex_hours``), counted in clock hours from the moment it was received;
- the **regulator's** answer limit: 15 *calendar* days (自然日, weekends and holidays count), due at
  the end of the 15th day after the day it was received (received on 3 December, due 18 December
  23:59). The figure is the form's ``lookups: complaint_settings`` row ``regulator_days``.

Values are stored as the forms store datetimes: local time, ``YYYY-MM-DDTHH:MM``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

REGULATOR_DAYS = 15  # the default when a form declares no ``regulator_days``
STORED = "%Y-%m-%dT%H:%M"


def parse(value) -> datetime | None:
    """A stored date or datetime value as a naive local datetime (None when empty or unreadable)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value)[:16]) if "T" in str(value) else \
            datetime.combine(datetime.fromisoformat(str(value)[:10]).date(), time(0))
    except ValueError:
        return None


def stored(moment: datetime | None) -> str | None:
    """A datetime as the forms store it."""
    return moment.strftime(STORED) if moment else None


def setting(spec, name: str, default: int) -> int:
    """An integer from the form's ``complaint_settings`` lookup table (its admin-edited figure)."""
    table = (spec.lookups or {}).get("complaint_settings") if spec is not None else None
    for row in (table or {}).get("rows", ()):
        if row.get("name") == name:
            try:
                return int(row.get("value"))
            except (TypeError, ValueError):
                return default
    return default


def internal_due(received_at: datetime | None, hours) -> datetime | None:
    """When the reply is due by the company's own limit: ``hours`` clock hours after receipt."""
    if received_at is None or hours in (None, ""):
        return None
    return received_at + timedelta(hours=int(hours))


def regulator_due(received_at: datetime | None, days: int = REGULATOR_DAYS) -> datetime | None:
    """When the regulator's answer limit runs out: the end of the ``days``-th calendar day after
    the day of receipt."""
    if received_at is None:
        return None
    return datetime.combine(received_at.date() + timedelta(days=days), time(23, 59))


@dataclass(frozen=True)
class Clock:
    """One limit of one complaint as a page shows it."""

    due: datetime | None
    answered: datetime | None  # when the customer was answered (None: not yet)
    late: bool  # answered after the limit, or still unanswered past it

    @property
    def met(self) -> bool:
        return self.answered is not None and not self.late


def clock(due: datetime | None, answered: datetime | None, now: datetime) -> Clock:
    """The state of a limit ``due`` for a complaint answered at ``answered`` (or not), at ``now``."""
    late = due is not None and ((answered or now) > due)
    return Clock(due, answered, late)


def answered_at(values: dict, answered_fields=("told_at",), on_spot=("outcome", "on_spot")) -> datetime | None:
    """When the customer was answered: the first answered field filled in, or the moment it was
    received when it was settled on the spot."""
    for name in answered_fields:
        moment = parse(values.get(name))
        if moment:
            return moment
    if on_spot and values.get(on_spot[0]) == on_spot[1]:
        return parse(values.get("received_at"))
    return None


def clocks_of(values: dict, now: datetime, answered_fields=("told_at",)) -> dict:
    """Both limits of one complaint: {"internal": Clock, "regulator": Clock}."""
    answered = answered_at(values, answered_fields)
    return {"internal": clock(parse(values.get("reply_due_at")), answered, now),
            "regulator": clock(parse(values.get("regulator_due_at")), answered, now)}
