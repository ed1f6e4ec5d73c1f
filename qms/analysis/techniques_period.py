"""The period a Pareto chart or a check sheet covers (DA-04): two dates typed by people, and for a
check sheet how its tallies are grouped (per day, week or month).

Defaults: the last twelve months (from the first day of the month eleven months back to today);
a check sheet by day covers this month so far, by week the last twelve weeks. A date that cannot
be read, a start after the end or in the future, or more columns than a sheet can show is a
message on its field: the page answers 422 and draws nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _

from ..core.timeutil import today
from ..reminders.workcal import add_months

BY = ("day", "week", "month")
MAX_COLUMNS = {"day": 62, "week": 60, "month": 36}  # a sheet wider than this is unreadable on a page
MAX_DAYS = 3700  # a Pareto period: ten years at most


@dataclass
class Period:
    """From ``start`` to ``end`` (both included); ``by`` groups a check sheet's tallies; ``errors``
    holds messages by parameter name (``from``, ``to``, ``by``)."""

    start: date
    end: date
    by: str = "month"
    errors: dict = field(default_factory=dict)

    def args(self, with_by: bool = False) -> dict:
        """The period as query parameters (for links and the export)."""
        out = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        return {**out, "by": self.by} if with_by else out

    def received_range(self) -> tuple[str, str]:
        """The period as the facets hold dates and times: [first day, the day after the last)."""
        return self.start.isoformat(), (self.end + timedelta(days=1)).isoformat()


def week_start(d: date) -> date:
    """The Monday of ``d``'s week (ISO weeks: 调查表 by week run Monday to Sunday)."""
    return d - timedelta(days=d.weekday())


def default_start(by: str, end: date) -> date:
    """Where a period starts when none is typed: this month (by day), twelve weeks (by week), twelve months."""
    if by == "day":
        return end.replace(day=1)
    if by == "week":
        return week_start(end) - timedelta(weeks=11)
    return add_months(end.replace(day=1), -11)


def _date(raw, name: str, errors: dict) -> date | None:
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    try:
        if len(text) != 10:  # fromisoformat would also take 20261201: people type the dashes
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = [_("Enter a date as YYYY-MM-DD.")]
        return None


def columns_of(p: Period) -> list[date]:
    """The first day of every column of a check sheet over ``p``: each day, each week's Monday or each
    month's first day."""
    if p.by == "day":
        return [p.start + timedelta(days=i) for i in range((p.end - p.start).days + 1)]
    if p.by == "week":
        first = week_start(p.start)
        return [first + timedelta(weeks=i) for i in range((week_start(p.end) - first).days // 7 + 1)]
    out, m = [], p.start.replace(day=1)
    while m <= p.end:
        out.append(m)
        m = add_months(m, 1)
    return out


def parse(args, sheet: bool = False) -> Period:
    """The period in ``args`` (``from``, ``to``, and ``by`` for a check sheet), defaults filled in."""
    errors: dict = {}
    by = args.get("by") or "month"
    if sheet and by not in BY:
        errors["by"] = [_("Not a valid choice.")]
        by = "month"
    now = today()
    end = _date(args.get("to"), "to", errors) or now
    start = _date(args.get("from"), "from", errors) or default_start(by if sheet else "month", end)
    p = Period(start, end, by if sheet else "month", errors)
    if errors:
        return p
    if start > now:
        errors["from"] = [_("The period may not start in the future.")]
    elif start > end:
        errors["to"] = [_("The end of the period is before its start.")]
    elif not sheet and (end - start).days > MAX_DAYS:
        errors["to"] = [_("The period may be ten years at most.")]
    elif sheet and len(columns_of(p)) > MAX_COLUMNS[by]:
        errors["to"] = [_("Too long for this grouping: at most %(n)d columns. Choose a coarser grouping or a "
                          "shorter period.", n=MAX_COLUMNS[by])]
    return p
