"""Report periods (DA-01): a month ``2026-11``, an ISO week ``2026-W48`` and a range of months
(``from``..``to``, the management review pack), as day bounds, with the refusals in words.

A period is ``[start, end)`` in local days. Refusals are lists of messages (zh/en through gettext)
that the caller puts on its field.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from ..core.timeutil import today
from ..reminders.workcal import add_months

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
WEEK, MONTH = "week", "month"
MAX_MONTHS = 24  # the longest review pack: two years (admin can't need more; a wider one is slow to read)


@dataclass(frozen=True)
class Period:
    """A period as local days ``[start, end)`` with the text it was named by."""

    text: str
    start: date
    end: date

    @property
    def last(self) -> date:
        """The period's last day."""
        return self.end - timedelta(days=1)

    def months(self) -> list[str]:
        """The months ('2026-11') the period touches, in order."""
        out, m = [], self.start.replace(day=1)
        while m < self.end:
            out.append(m.strftime("%Y-%m"))
            m = add_months(m, 1)
        return out

    def years(self) -> list[int]:
        """The years the period touches."""
        return list(range(self.start.year, self.last.year + 1))


def month_start(text: str) -> date | None:
    """The first day of the month ``text`` names ('2026-11'), or None."""
    m = MONTH_RE.match((text or "").strip())
    if not m or not 1 <= int(m[2]) <= 12:
        return None
    return date(int(m[1]), int(m[2]), 1)


def parse(kind: str, text: str) -> tuple[Period | None, list[str]]:
    """The period of a report of ``kind`` ('week' or 'month') named ``text``, or the refusal."""
    text = (text or "").strip()
    if kind == MONTH:
        start = month_start(text)
        if start is None:
            return None, [_("A monthly report's period is a month: YYYY-MM (e.g. 2026-11).")]
        period = Period(text, start, add_months(start, 1))
    elif kind == WEEK:
        m = WEEK_RE.match(text)
        try:
            start = date.fromisocalendar(int(m[1]), int(m[2]), 1) if m else None
        except ValueError:  # week 0, 54, or 53 of a year that has 52
            start = None
        if start is None:
            return None, [_("A weekly report's period is an ISO week of that year: YYYY-Www (e.g. 2026-W48).")]
        period = Period(text, start, start + timedelta(days=7))
    else:
        return None, []  # the kind's own field says what is wrong
    if period.start > today():
        return None, [_("The period has not started yet: a report covers a period that has begun.")]
    return period, []


def parse_range(first: str, last: str) -> tuple[Period | None, dict[str, list[str]]]:
    """The months ``first``..``last`` ('2026-01', '2026-12') as one period, or field messages
    (keys ``from`` and ``to``): malformed, reversed, longer than MAX_MONTHS, or starting in the future."""
    a, b = month_start(first), month_start(last)
    errors: dict[str, list[str]] = {}
    if a is None:
        errors["from"] = [_("As YYYY-MM (e.g. 2026-01).")]
    if b is None:
        errors["to"] = [_("As YYYY-MM (e.g. 2026-12).")]
    if errors:
        return None, errors
    if b < a:
        return None, {"to": [_("The end month comes before the start month.")]}
    period = Period(f"{first}..{last}", a, add_months(b, 1))
    if len(period.months()) > MAX_MONTHS:
        return None, {"to": [_("A review covers at most %(n)d months.", n=MAX_MONTHS)]}
    if a > today():
        return None, {"from": [_("The period has not started yet.")]}
    return period, {}
