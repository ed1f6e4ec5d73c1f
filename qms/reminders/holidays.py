"""The working calendar seeded from a maintained package, and which years it knows (issue #12).

China's public holidays and make-up working days (调休) are fixed each year by the State Council's
notice (usually in November for the next year). The package ``chinese-calendar`` carries them for
every year since 2004. ``qms init`` writes each year the package knows into ``calendar_days``
once (``CalendarSeedYear`` remembers it): a day the admin already entered is kept, and what the
admin changes later (``workcal.change_days``, audited per day) is never undone by a later seed.
A newer package (``pip install -U chinese-calendar``, then ``qms init``) adds the new years only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib.metadata import version

import chinese_calendar
from sqlalchemy import select

from ..core import audit
from ..extensions import db
from .models import CalendarDay, CalendarSeedYear, DayKind

SOURCE = f"chinese-calendar {version('chinese-calendar')}"
_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}  # "National Day" -> 国庆节


def package_days() -> dict[date, tuple[str, str]]:
    """Every day the package knows: {day: (DayKind, name)}; a make-up working day is named after
    its holiday (国庆节调休). Only Saturdays and Sundays can be make-up working days."""
    out = {d: (DayKind.HOLIDAY, _NAMES.get(name, name or "")) for d, name in chinese_calendar.holidays.items()}
    for d, name in chinese_calendar.workdays.items():
        if d.weekday() >= 5:
            out[d] = (DayKind.WORKDAY, _NAMES.get(name, name or "") + "调休")
    return out


def package_years() -> list[int]:
    """The years whose holidays the installed package knows."""
    return sorted({d.year for d in chinese_calendar.holidays})


def seed() -> list[int]:
    """Write the years the package knows and the calendar has not been seeded with; returns them.
    One ``calendar_seeded`` audit row for the run. The caller commits (``qms init``)."""
    done = set(db.session.execute(select(CalendarSeedYear.year)).scalars())
    todo = [y for y in package_years() if y not in done]
    if not todo:
        return []
    typed = set(db.session.execute(select(CalendarDay.day).where(
        CalendarDay.day >= date(todo[0], 1, 1), CalendarDay.day <= date(todo[-1], 12, 31))).scalars())
    per_year = dict.fromkeys(todo, 0)
    rows = []
    for day, (kind, name) in sorted(package_days().items()):
        if day.year in per_year and day not in typed:  # the admin's own entry wins
            rows.append(CalendarDay(day=day, kind=kind, name=name[:80]))
            per_year[day.year] += 1
    db.session.add_all(rows)
    db.session.add_all(CalendarSeedYear(year=y, source=SOURCE, days=n) for y, n in per_year.items())
    audit.log("calendar_seeded", obj_type="calendar", obj_id=f"{todo[0]}-{todo[-1]}",
              summary=f"{SOURCE}: {year_ranges(todo)} ({len(rows)})", changes={"years": [None, year_ranges(todo)]})
    return todo


@dataclass(frozen=True)
class Coverage:
    """Which years the working calendar knows, for the admin page."""

    seeded: str  # "2004–2026", the years seeded from the package
    sources: tuple  # the package versions they came from
    typed: tuple  # this or next year, not seeded, with holidays the admin entered
    missing_next: int | None  # next year, when nothing is known about it


def coverage(today: date) -> Coverage:
    """What the admin page says about the calendar's years: two small queries (the seeded years;
    holidays typed for this or next year), never a count over the calendar."""
    seeded = db.session.execute(select(CalendarSeedYear.year, CalendarSeedYear.source)
                                .order_by(CalendarSeedYear.year)).all()
    years = {y for y, _s in seeded}
    typed = tuple(y for y in (today.year, today.year + 1) if y not in years and db.session.execute(
        select(CalendarDay.id).where(CalendarDay.kind == DayKind.HOLIDAY, CalendarDay.day >= date(y, 1, 1),
                                     CalendarDay.day <= date(y, 12, 31)).limit(1)).first())
    nxt = today.year + 1
    return Coverage(seeded=year_ranges(sorted(years)), sources=tuple(dict.fromkeys(s for _y, s in seeded)), typed=typed,
                    missing_next=None if nxt in years or nxt in typed else nxt)


def year_ranges(years: list[int]) -> str:
    """2004, 2005, 2006, 2010 -> "2004–2006, 2010"."""
    out, start, prev = [], None, None
    for y in years:
        if start is None:
            start = prev = y
        elif y == prev + 1:
            prev = y
        else:
            out.append(f"{start}–{prev}" if prev != start else str(start))
            start = prev = y
    if start is not None:
        out.append(f"{start}–{prev}" if prev != start else str(start))
    return ", ".join(out)
