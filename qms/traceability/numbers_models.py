"""The allocated numbers (IT-07 交换传输放号): one row per allocation, so that one number is never
allocated twice while it is live.

Which side is the truth: the signed IT-NUM records (and the signed IT-BIZ cancellation slips). This
table is a read model kept by :func:`qms.traceability.numbers.sync` and :func:`release_cancelled`
from their ``on_change`` hooks, nothing is typed into it. The uniqueness is the database's:
``live_key`` holds the number's digits while the allocation is live and NULL once it is freed, and
it is UNIQUE (NULLs are distinct on SQLite and PostgreSQL), so a second live allocation of the same
number cannot be written even by two signatures at the same moment. Freed rows stay as the number's
history (who held it, from when, until which record freed it).
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db


class NumberAllocation(db.Model):
    """One allocation of a number to a line, from its IT-NUM signature until it was freed."""

    __tablename__ = "number_allocations"
    id: Mapped[int] = mapped_column(primary_key=True)
    number_key: Mapped[str] = mapped_column(String(40))  # records.phones.key of the number
    live_key: Mapped[str | None] = mapped_column(String(40), unique=True)  # = number_key while live, NULL once freed
    number: Mapped[str] = mapped_column(String(100))  # the number as typed on the record
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))  # the IT-NUM record holding it
    slip_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))  # its IT-BIZ slip
    allocated_at = mapped_column(UTCDateTime, default=utcnow)  # when the allocation was signed
    released_at = mapped_column(UTCDateTime, nullable=True)  # when it was freed (None: live)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))  # the record that freed it

    __table_args__ = (
        Index("ix_number_allocations_key", "number_key", "id"),
        Index("ix_number_allocations_record", "record_id"),
        Index("ix_number_allocations_slip", "slip_id"),
    )
