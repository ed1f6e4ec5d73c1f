"""What every procedure package's demo records need (``qms demo``): the demo users by name, a customer's
signature drawn as the signature pad would send it, and a day in the past to make a record on."""
from __future__ import annotations

import base64
import io
from contextlib import contextmanager
from datetime import date, datetime, time

from PIL import Image, ImageDraw
from sqlalchemy import select

from ..auth.models import User
from ..core import timeutil
from ..extensions import db


def user(username: str) -> User | None:
    """The demo user ``username`` (None before ``qms demo`` made them)."""
    return db.session.execute(select(User).where(User.username == username)).scalar()


def ink(points: list) -> bytes:
    """A PNG of one pen stroke through ``points`` on a 600 × 200 transparent pad (dark blue ink)."""
    img = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(img).line(points, fill=(11, 31, 77, 255), width=4)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def ink_data_url(points: list) -> str:
    """The same stroke as the page's signature pad posts it: a PNG data URL."""
    return "data:image/png;base64," + base64.b64encode(ink(points)).decode()


@contextmanager
def dated(day: date, hour: int = 10):
    """Make records as on ``day`` at ``hour`` local time (never later than now), so a year of demo history
    has its signatures on the days they would have been made and its duties show as done in time; the
    clock as it was afterwards (real time, or ``QMS_FAKE_NOW``'s fixed moment)."""
    before = timeutil.frozen()
    now = timeutil.utcnow()
    timeutil.set_clock(min(datetime.combine(day, time(hour), timeutil.tz()), now))
    try:
        yield
    finally:
        timeutil.set_clock(before)
