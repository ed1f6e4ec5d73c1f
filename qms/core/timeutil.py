"""UTC storage, local display: one place for every time conversion."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy.types import DateTime, TypeDecorator

# Tests move this clock; production code never reads datetime.now directly.
_frozen: datetime | None = None


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (the test clock when one is set)."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def set_clock(moment: datetime | None) -> None:
    """Freeze the clock at ``moment`` (aware) or release it with ``None``. For tests."""
    global _frozen
    _frozen = moment


def frozen() -> datetime | None:
    """The moment the clock is frozen at, or None when it runs (to put it back after moving it)."""
    return _frozen


def tz() -> ZoneInfo:
    """The configured display timezone (Asia/Shanghai unless QMS_TIMEZONE says otherwise)."""
    name = current_app.config["QMS_TIMEZONE"] if has_app_context() else "Asia/Shanghai"
    return ZoneInfo(name)


def local(dt: datetime | None) -> datetime | None:
    """``dt`` converted to the display timezone."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(tz())


def fmt(dt: datetime | None, seconds: bool = False) -> str:
    """Format a stored UTC time for people: local time, 24-hour clock."""
    if dt is None:
        return ""
    return local(dt).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def today() -> date:
    """Today's date in the display timezone (what a clerk calls today)."""
    return local(utcnow()).date()


class UTCDateTime(TypeDecorator):
    """Stores naive UTC (portable across SQLite/PostgreSQL), returns aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
