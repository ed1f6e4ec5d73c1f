"""Working time: weekends, public holidays and make-up working days (调休) from the admin's calendar,
and the admin's changes to that calendar (:func:`parse_range`, :func:`change_days`; issue #11 item 10).
A deadline moved off a non-working day: :func:`working_day_near` (issue #12, "每月28日(除节假日)").

All arithmetic is in local time (QMS_TIMEZONE); results are returned as aware datetimes.
"""
from __future__ import annotations

import calendar as _cal
from datetime import date, datetime, time, timedelta

from babel.dates import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from ..core import audit
from ..core.errors import ValidationFailed
from ..extensions import db
from .models import CalendarDay, DayKind

HOLIDAY, WORKDAY = DayKind
REMOVE = "remove"  # the admin's third choice: take the days out of the calendar again
KINDS = (HOLIDAY, WORKDAY, REMOVE)
MAX_DAYS = 366  # one submission covers at most a year: a longer range is a typing mistake

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
    if kind == HOLIDAY:
        return False
    if kind == WORKDAY:
        return True
    return d.weekday() < 5


def working_day_near(d: date, direction: str) -> date:
    """``d`` when it is a working day, else the working day before it (``earlier``) or after it
    (``later``): a deadline "每月28日(除节假日)" that falls on a holiday or a weekend. Make-up working
    days (调休) count as working days. Looks at most 31 days away (the longest break is 9 days)."""
    step = -1 if direction == "earlier" else 1
    exc = exceptions(d - timedelta(days=31), d + timedelta(days=31))
    for i in range(32):
        cand = d + timedelta(days=step * i)
        if is_working_day(cand, exc):
            return cand
    return d


def add_working_hours(start: datetime, hours: float) -> datetime:
    """``start`` plus ``hours`` of working time (08:30-17:30 on working days), in start's timezone."""
    tz = start.tzinfo
    exc = exceptions(start.date() - timedelta(days=1), start.date() + timedelta(days=int(hours // 9 + 2) * 3 + 30))
    remaining = timedelta(hours=hours)
    cur = start
    for _step in range(3660):
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


def weekday_name(d: date, locale: str) -> str:
    """The day of the week as a calendar prints it: 周一…周日, or Mon…Sun."""
    return format_date(d, "EEE", locale="en" if locale == "en" else "zh_CN")


def _day(raw: str, field: str) -> date:
    try:
        day = date.fromisoformat((raw or "").strip())
    except ValueError:
        raise ValidationFailed({field: [_("Enter a date as YYYY-MM-DD.")]}) from None
    if not 1900 <= day.year <= 2100:
        raise ValidationFailed({field: [_("Enter a date as YYYY-MM-DD.")]})
    return day


def parse_range(first: str, last: str) -> tuple[date, date]:
    """The first and last day of what the admin typed (``last`` empty: one day). Refuses a date
    that is not YYYY-MM-DD, a last day before the first and a range of more than MAX_DAYS days,
    naming the field (``day``, ``day_to``)."""
    start = _day(first, "day")
    end = _day(last, "day_to") if (last or "").strip() else start
    if end < start:
        raise ValidationFailed({"day_to": [_("The last day is before the first.")]})
    if (end - start).days >= MAX_DAYS:
        raise ValidationFailed({"day_to": [_("At most %(days)d days at a time.", days=MAX_DAYS)]})
    return start, end


def change_days(start: date, end: date, kind: str, name: str, actor, locale: str = "zh_CN") -> int:
    """Make every day from ``start`` to ``end`` a public holiday or a make-up working day called
    ``name``, or (``REMOVE``) take them out of the calendar; one ``calendar_changed`` audit row per
    day that changed. Returns how many days changed.

    Refuses, writing nothing: an unknown ``kind``; a make-up working day on a Monday to Friday (it is
    a working day already: a 调休 day is a Saturday or Sunday); removing days none of which is in
    the calendar. The caller commits (``web_write``)."""
    if kind not in KINDS:
        raise ValidationFailed({"kind": [_("Not a valid choice.")]})
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    if kind == WORKDAY:
        weekdays = [d for d in days if d.weekday() < 5]
        if weekdays:
            shown = "、".join(f"{d.isoformat()} {weekday_name(d, locale)}" for d in weekdays[:5])
            raise ValidationFailed({"day": [_(
                "%(days)s: Monday to Friday are working days already; a make-up working day is a Saturday "
                "or Sunday.", days=shown + ("…" if len(weekdays) > 5 else ""))]})
    rows = {r.day: r for r in db.session.execute(
        select(CalendarDay).where(CalendarDay.day >= start, CalendarDay.day <= end)).scalars()}
    if kind == REMOVE and not rows:
        raise ValidationFailed({"day": [_("That date is not in the calendar.")]})
    name = (name or "").strip()[:80]
    changed = 0
    for day in days:
        row = rows.get(day)
        before = (row.kind, row.name) if row is not None else (None, None)
        if kind == REMOVE:
            if row is None:
                continue
            db.session.delete(row)
            after = (None, None)
        else:
            after = (kind, name)
            if before == after:
                continue
            row = row or CalendarDay(day=day)
            row.kind, row.name = kind, name
            db.session.add(row)
        audit.log("calendar_changed", actor=actor, obj_type="calendar", obj_id=day.isoformat(),
                  summary=f"{day.isoformat()} {after[1] or before[1] or ''}".strip(),
                  changes={k: [b, a] for k, b, a in zip(("kind", "name"), before, after, strict=True) if b != a})
        changed += 1
    return changed
