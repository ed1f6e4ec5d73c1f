"""Working time: weekends, public holidays and make-up working days (调休) from the admin's calendar.

All arithmetic is in local time (QMS_TIMEZONE); results are returned as aware datetimes.
"""
from __future__ import annotations

import calendar as _cal
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..extensions import db
from .models import CalendarDay

WORK_START = time(8, 30)
WORK_END = time(17, 30)


def exceptions(start: date, end: date) -> dict[date, str]:
    """Holiday/workday exceptions between two dates (inclusive)."""
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind)
                              .where(CalendarDay.day >= start, CalendarDay.day <= end)).all()
    return {d: k for d, k in rows}


def is_working_day(d: date, exc: dict[date, str]) -> bool:
    """Monday-Friday unless a holiday; a weekend day the admin marked as make-up working day counts."""
    kind = exc.get(d)
    if kind == "holiday":
        return False
    if kind == "workday":
        return True
    return d.weekday() < 5


def add_working_hours(start: datetime, hours: float) -> datetime:
    """``start`` plus ``hours`` of working time (08:30-17:30 on working days), in start's timezone."""
    tz = start.tzinfo
    exc = exceptions(start.date() - timedelta(days=1), start.date() + timedelta(days=int(hours // 9 + 2) * 3 + 30))
    remaining = timedelta(hours=hours)
    cur = start
    for _ in range(3660):
        day = cur.date()
        if is_working_day(day, exc):
            open_at = datetime.combine(day, WORK_START, tz)
            close_at = datetime.combine(day, WORK_END, tz)
            if cur < open_at:
                cur = open_at
            if cur < close_at:
                left = close_at - cur
                if remaining <= left:
                    return cur + remaining
                remaining -= left
        cur = datetime.combine(day + timedelta(days=1), WORK_START, tz)
    raise ValueError("working-hours horizon exceeded")


def add_months(d: date, months: int) -> date:
    """Calendar months later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, _cal.monthrange(y, m)[1]))


def day_of_month(year: int, month: int, day: int) -> date:
    """The ``day`` of a month, or its last day when the month is shorter (the 30th of February)."""
    return date(year, month, min(day, _cal.monthrange(year, month)[1]))
