"""The read model of the computed indicators (DA-01): what each record adds to which number, and the
numbers themselves.

The records are the truth. ``indicator_parts`` holds, per record, its contribution to each indicator
(month, department, bucket, numerator, denominator); it is replaced whole whenever the record changes
(``indicators_store.refresh``). ``indicator_counts`` holds the sums per (indicator, month,
department, bucket), moved by the difference between a record's old and new contribution, so a month's
numbers are a read of a few rows. Both are rebuilt from the records by ``indicators_store.rebuild``.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class IndicatorPart(db.Model):
    """One record's contribution to one indicator's number (one row per bucket it falls in)."""

    __tablename__ = "indicator_parts"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))  # the record counted
    indicator: Mapped[str] = mapped_column(String(40))  # an ``indicators.INDICATORS`` key
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, or YYYY for a yearly indicator
    department: Mapped[str] = mapped_column(String(20))  # department code it counts under ('' unknown)
    bucket: Mapped[str] = mapped_column(String(60))  # '' the number itself; 'category:x', 'grade:y' a breakdown
    numerator: Mapped[int] = mapped_column(Integer)  # counted in the numerator (1/0; a score in hundredths)
    denominator: Mapped[int] = mapped_column(Integer)  # counted in the denominator
    form_code: Mapped[str] = mapped_column(String(40))  # the record's form (the reader's scope)
    owner_department_id: Mapped[int] = mapped_column(Integer)  # the record's owning department (scope)

    __table_args__ = (
        Index("ix_indicator_parts_record", "record_id"),
        # The records behind a number, keyset-paged by record id: one department's, and the whole company's
        # (without the second, the next 50 of a month would be sorted out of all its rows).
        Index("ix_indicator_parts_behind", "indicator", "month", "bucket", "department", "record_id"),
        Index("ix_indicator_parts_month_id", "indicator", "month", "bucket", "record_id"),
    )


class IndicatorCount(db.Model):
    """The sum of the contributions of one (indicator, month, department, bucket)."""

    __tablename__ = "indicator_counts"
    indicator: Mapped[str] = mapped_column(String(40), primary_key=True)  # an INDICATORS key
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM or YYYY
    department: Mapped[str] = mapped_column(String(20), primary_key=True)  # department code ('' unknown)
    bucket: Mapped[str] = mapped_column(String(60), primary_key=True)  # '' or 'dimension:value'
    numerator: Mapped[int] = mapped_column(Integer, default=0)  # sum of the parts' numerators
    denominator: Mapped[int] = mapped_column(Integer, default=0)  # sum of the parts' denominators
    records: Mapped[int] = mapped_column(Integer, default=0)  # how many records contribute

    __table_args__ = (Index("ix_indicator_counts_month", "month", "bucket", "indicator"),)
