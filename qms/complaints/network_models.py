"""Tables of the network-quality complaints (CS-15, 接待室工作手册「网络质量投诉」).

``cs_network_limits`` is the limits table: per category, each duty (the monitoring room's
confirmation and pre-processing, each room's duty, a remote cause and its chase interval), who acts
and the time allowed. It is admin data (``/complaints/network/limits``, every change audited),
seeded by its migration with the handbook's figures. It is the truth for complaints dispatched
*after* a change.

``cs_network_cases`` holds, per complaint, the limits of its category as they were when it was
dispatched: that copy is the truth for the complaint's clocks, so an admin's change applies to new
complaints only. ``cs_network_chases`` is the append-only log of the 30-minute chases of a remote
fault (time and who); no code path updates or deletes a row, and the ORM refuses to.
"""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db


class NetworkLimit(db.Model):
    """One duty of one category, with who acts and the time allowed."""

    __tablename__ = "cs_network_limits"
    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(30))  # CS-NET's category value
    duty: Mapped[str] = mapped_column(String(40))  # "confirm", "preprocess" or a value of CS-NET's duty field
    kind: Mapped[str] = mapped_column(String(20))  # confirm | preprocess | room | remote
    room_code: Mapped[str] = mapped_column(String(40))  # the acting department's code (MON, SWT, PMC ...)
    minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)  # time allowed; remote: chase interval
    months: Mapped[int | None] = mapped_column(Integer, nullable=True)  # or calendar months (construction)
    mobile_only: Mapped[bool] = mapped_column(Boolean, default=False)  # a mobile-network item (SEEDS §5.4)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # off: not used at this company
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the handbook's table
    updated_at = mapped_column(UTCDateTime, default=utcnow)  # last change

    __table_args__ = (UniqueConstraint("category", "duty", name="uq_cs_network_limits_duty"),)

    def snapshot(self) -> dict:
        """What a complaint keeps of this row when it is dispatched."""
        return {"kind": self.kind, "room": self.room_code, "minutes": self.minutes, "months": self.months}


class NetworkCase(db.Model):
    """The limits a complaint started with (copied at dispatch, never changed afterwards)."""

    __tablename__ = "cs_network_cases"
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)  # the CS-NET record
    category: Mapped[str] = mapped_column(String(30))  # its category at dispatch
    limits: Mapped[dict] = mapped_column(JSON)  # {duty: NetworkLimit.snapshot()} of that category
    dispatched_at = mapped_column(UTCDateTime, default=utcnow)  # when the copy was taken


class NetworkChase(db.Model):
    """One chase of a remote fault: who asked the remote side, when, and what they heard."""

    __tablename__ = "cs_network_chases"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))  # the CS-NET record
    chased_at = mapped_column(UTCDateTime, default=utcnow)  # server time of the chase
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # who chased
    note: Mapped[str] = mapped_column(String(500))  # what the remote side said

    __table_args__ = (Index("ix_cs_network_chases_record", "record_id", "id"),)


@event.listens_for(NetworkChase, "before_update")
@event.listens_for(NetworkCase, "before_update")
def _append_only(mapper, connection, target) -> None:
    """A chase and a complaint's limits are written once."""
    raise RuntimeError(f"{target.__tablename__} rows are written once")
