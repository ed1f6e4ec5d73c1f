"""The test clock: moments in Shanghai time, and setting the application's clock to one."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from qms.core import timeutil

SH = ZoneInfo("Asia/Shanghai")


def at(month, day, hour=10, year=2026):
    return datetime(year, month, day, hour, tzinfo=SH)


def clock(month, day, hour=10):
    timeutil.set_clock(at(month, day, hour))
