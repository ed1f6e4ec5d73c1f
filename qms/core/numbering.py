"""Gapless numbers per form and year.

The counter row is incremented inside the submitting transaction with a single
``INSERT .. ON CONFLICT DO UPDATE .. RETURNING`` (SQLite >= 3.35 and PostgreSQL): the row
lock serialises concurrent submitters, and a rolled-back submission gives its number back.
"""
from __future__ import annotations

from sqlalchemy import text

from ..extensions import db

_SQL = text(
    "INSERT INTO number_counters (form_code, year, last_value) VALUES (:code, :year, 1) "
    "ON CONFLICT (form_code, year) DO UPDATE SET last_value = number_counters.last_value + 1 "
    "RETURNING last_value"
)


def next_number(code: str, pattern: str, year: int) -> tuple[str, int]:
    """Allocate the next sequence for (code, year); return (formatted number, sequence)."""
    seq = db.session.execute(_SQL, {"code": code, "year": year}).scalar_one()
    return format_number(pattern, code, year, seq), seq


def format_number(pattern: str, code: str, year: int, seq: int) -> str:
    """Fill ``{code}``, ``{yyyy}``, ``{yy}`` and ``{####}`` (width = number of #) in ``pattern``."""
    out = pattern.replace("{code}", code).replace("{yyyy}", f"{year:04d}").replace("{yy}", f"{year % 100:02d}")
    for width in (6, 5, 4, 3):
        token = "{" + "#" * width + "}"
        if token in out:
            out = out.replace(token, f"{seq:0{width}d}")
    return out
