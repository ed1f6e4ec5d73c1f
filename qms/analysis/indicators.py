"""The computed quality indicators (DA-01, ZLAL009 数据分析 4.0 数据收集 1): their definitions, stated in
words, and their numbers for a month, read from the counts kept as records change
(``indicators_store``, read model ``indicators_models``), never from a scan of the records.

Published for the other parts of ``qms.analysis`` (the objectives, the reports, the review pack):
``INDICATORS``, ``Indicator``, ``Value``, ``month_values``, ``series``, ``breakdown``, ``behind_url``.
Which records count, in which month, under which department, and what "on time" means: the rules
are in ``indicators_rules`` and stated in words in each ``Indicator.words`` (shown under the number).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote, urlencode

from sqlalchemy import func, select

from ..extensions import db
from .indicators_defs import DEFINITIONS, Indicator
from .indicators_models import IndicatorCount

INDICATORS: dict[str, Indicator] = {d.key: d for d in DEFINITIONS}
BREAKDOWNS = ("category", "grade", "department")  # what ``breakdown`` splits the complaints by

__all__ = ["INDICATORS", "Indicator", "Value", "month_values", "series", "breakdown", "behind_url", "period_of"]


@dataclass(frozen=True)
class Value:
    """One indicator's number: how many records in the numerator and the denominator, and the value
    (a Decimal: a percentage with one decimal, a count, or a score), None when nothing was counted."""

    numerator: int
    denominator: int
    value: Decimal | None


def period_of(key: str, month: str) -> str:
    """The period a ``month`` ('2026-11') stands for under indicator ``key``: the month itself, or its
    year ('2026') for a yearly indicator (the survey score)."""
    return month[:4] if INDICATORS[key].period == "year" else month


def _value(ind: Indicator, num: int, den: int) -> Value:
    """The value of counted (numerator, denominator) by the indicator's scale."""
    num, den = int(num or 0), int(den or 0)
    if ind.scale == "count":
        return Value(num, den, Decimal(num))
    if not den:
        return Value(num, den, None)
    if ind.scale == "percent":
        val = (Decimal(100) * num / den).quantize(Decimal("0.1"), ROUND_HALF_UP)
    else:  # "score": the numerator holds hundredths of a point, the mean over the records counted
        val = (Decimal(num) / 100 / den).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return Value(num, den, val)


def _sums(keys, periods, department: str | None, bucket: str = ""):
    """{(indicator, period): (numerator, denominator)} over the counts: one statement."""
    c = IndicatorCount
    stmt = (select(c.indicator, c.month, func.sum(c.numerator), func.sum(c.denominator))
            .where(c.month.in_(sorted(set(periods))), c.bucket == bucket, c.indicator.in_(sorted(set(keys))))
            .group_by(c.indicator, c.month))
    if department:
        stmt = stmt.where(c.department == department)
    return {(k, m): (n, d) for k, m, n, d in db.session.execute(stmt)}


def month_values(month: str, department: str | None = None) -> dict[str, Value]:
    """Every indicator's value for ``month`` ('2026-11'; a yearly indicator gives its year's), over the
    whole company or one department (its code). A read of a few counter rows."""
    periods = {period_of(k, month) for k in INDICATORS}
    sums = _sums(INDICATORS, periods, department)
    return {k: _value(ind, *sums.get((k, period_of(k, month)), (0, 0))) for k, ind in INDICATORS.items()}


def series(key: str, months: list[str], department: str | None = None) -> list[Value]:
    """The values of indicator ``key`` for each of ``months`` (in that order), in one query: a chart."""
    ind = INDICATORS[key]
    sums = _sums([key], [period_of(key, m) for m in months], department)
    return [_value(ind, *sums.get((key, period_of(key, m)), (0, 0))) for m in months]


def breakdown(key: str, month: str, by: str) -> list[tuple[str, int]]:
    """How many records of ``key``'s numerator fall in each ``by`` ('category', 'grade', 'department')
    for ``month``, largest first: the category or grade values as the forms store them, department codes."""
    if by not in BREAKDOWNS:
        raise ValueError(f"breakdown by {by!r}: one of {BREAKDOWNS}")
    c = IndicatorCount
    period = period_of(key, month)
    if by == "department":
        stmt = (select(c.department, func.sum(c.numerator)).where(c.indicator == key, c.month == period, c.bucket == "")
                .group_by(c.department))
        rows = [(d or "", int(n or 0)) for d, n in db.session.execute(stmt)]
    else:
        prefix = f"{by}:"
        stmt = (select(c.bucket, func.sum(c.numerator))
                .where(c.indicator == key, c.month == period, c.bucket >= prefix, c.bucket < prefix + "\uffff")
                .group_by(c.bucket))
        rows = [(b[len(prefix):], int(n or 0)) for b, n in db.session.execute(stmt)]
    return sorted([r for r in rows if r[1]], key=lambda r: (-r[1], r[0]))


def behind_url(key: str, month: str, department: str | None = None) -> str:
    """The page listing the records behind indicator ``key``'s number for ``month``
    (``/analysis/indicators/<key>/<month>``), narrowed to one department when given."""
    # A plain path (no url_for): the PDFs and the scheduler call this outside a request too.
    path = f"/analysis/indicators/{quote(key)}/{quote(month)}"
    return f"{path}?{urlencode({'department': department})}" if department else path
