"""What every procedure package's demo records need (``qms demo``): the demo users by name, and a
customer's signature drawn as the signature pad would send it."""
from __future__ import annotations

import base64
import io

from PIL import Image, ImageDraw
from sqlalchemy import select

from ..auth.models import User
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
