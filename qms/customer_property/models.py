"""The customer-property register (CP-01): every item a customer supplies — a telephone, a user
terminal, a PBX or other trunk/private-line terminal, or a self-built works — with its state.

As with the instruments, nothing here is typed in by hand: an item is registered by the signed
record that brings it in (a work order's device row, a PBX application, a works agreement) and its
state moves only through :mod:`qms.customer_property.register`, each move an event naming the record
that caused it. The gate (:func:`register.refusals`) reads the state.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db


class PropertyItem(db.Model):
    """One customer-supplied item as the register, the gate and the trace page see it."""

    __tablename__ = "customer_property"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # KC-000123: printed, typed, scanned
    kind: Mapped[str] = mapped_column(String(30))  # register.KINDS
    customer_name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(100), default="")  # as typed on the record
    phone_key: Mapped[str | None] = mapped_column(String(40))  # records.phones.key: the trace page's lookup
    model: Mapped[str] = mapped_column(String(120), default="")  # 型号
    licence_no: Mapped[str] = mapped_column(String(60), default="")  # 进网许可证号 (none for works)
    location: Mapped[str] = mapped_column(String(300), default="")  # where installed
    state: Mapped[str] = mapped_column(String(20))  # register.STATES
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))  # the department that keeps it
    source_record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))  # the record that registered it
    source_key: Mapped[str] = mapped_column(String(40), default="")  # which item of that record (a row)
    state_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))  # the record that set the state
    state_since = mapped_column(UTCDateTime, default=utcnow)
    created_at = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("source_record_id", "source_key", name="uq_customer_property_source"),
        Index("ix_customer_property_phone", "phone_key", "id"),
        Index("ix_customer_property_state", "state", "kind", "id"),
        Index("ix_customer_property_kind", "kind", "id"),
        # The register page's state-only and department filters (register_query), in id order.
        Index("ix_customer_property_state_id", "state", "id"),
        Index("ix_customer_property_department", "department_id", "id"),
    )


class PropertyEvent(db.Model):
    """One move of an item's state (append-only): from what, to what, by which record and whom."""

    __tablename__ = "customer_property_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("customer_property.id"))
    at = mapped_column(UTCDateTime, default=utcnow)
    state_from: Mapped[str | None] = mapped_column(String(20))  # None: registered
    state_to: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))  # the record that moved it
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_customer_property_events_item", "item_id", "id"),
                      Index("ix_customer_property_events_record", "record_id"))
