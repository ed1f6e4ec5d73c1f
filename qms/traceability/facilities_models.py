"""Read models and admin data of facilities and materials (IT-04, IT-05).

``trace_facilities`` / ``trace_facility_events``: each facility's current status, kept from the signed
records (the truth: the facility record IT-FACILITY and its maintenance records IT-FACMAINT); nothing
is typed in by hand, and :func:`qms.traceability.facilities_state.rebuild` makes them again from the
records. ``trace_settings`` and ``trace_areas`` are the administrator's data (the long-repair limit,
the warehouse's segregation areas); every change is audited.
"""
from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db


class FacilityStatus(StrEnum):
    """A facility's status as its label shows it; moved only by :mod:`.facilities_state`."""

    IN_SERVICE = "in_service"  # 正常
    MAINTENANCE = "maintenance"  # 检修: an IT-FACMAINT record was started and is not yet repaired
    RETIRED = "retired"  # its registration was voided or superseded


class Facility(db.Model):
    """One facility of 运行维护部 as the dashboard and the label see it (its id *is* the record's)."""

    __tablename__ = "trace_facilities"
    id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)  # its IT-FACILITY record
    number: Mapped[str] = mapped_column(String(60))  # the record number, as printed on the label
    name: Mapped[str] = mapped_column(String(120))  # 设施名称
    facility_type: Mapped[str] = mapped_column(String(20))  # IT-FACILITY facility_type
    location: Mapped[str] = mapped_column(String(200), default="")  # 安装位置
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))  # the department that keeps it
    status: Mapped[str] = mapped_column(String(20), default=FacilityStatus.IN_SERVICE)  # FacilityStatus
    maint_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), nullable=True)  # open IT-FACMAINT
    since_at = mapped_column(UTCDateTime, nullable=True)  # maintenance started at (the record's started_at)
    updated_at = mapped_column(UTCDateTime, default=utcnow)  # last change

    __table_args__ = (Index("ix_trace_facilities_status", "status", "since_at"),)


EVENT_KINDS = ("registered", "maintenance_started", "repaired", "retired")


class FacilityEvent(db.Model):
    """One line of a facility's history, written when the record that caused it is signed (once per
    record and kind); the record stays the evidence."""

    __tablename__ = "trace_facility_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("trace_facilities.id"))
    kind: Mapped[str] = mapped_column(String(24))  # EVENT_KINDS
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    number: Mapped[str] = mapped_column(String(60), default="")  # the record's number
    occurred_at = mapped_column(UTCDateTime)  # the moment the record gives (started at, repaired at)
    summary: Mapped[str] = mapped_column(String(300), default="")  # reason, work done
    at = mapped_column(UTCDateTime, default=utcnow)  # when the line was written

    __table_args__ = (
        Index("ix_trace_facility_events_file", "facility_id", "id"),
        Index("uq_trace_facility_events_record", "record_id", "kind", unique=True),
    )


class TraceSetting(db.Model):
    """One figure the administrator sets (the long-repair limit in days); audited on change."""

    __tablename__ = "trace_settings"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    changed_at = mapped_column(UTCDateTime, default=utcnow)


class SegregationArea(db.Model):
    """One designated area of the warehouse where goods not accepted are kept apart (S003
    「分别隔离放置在规定的区域」). Never deleted: an area no longer used is switched off."""

    __tablename__ = "trace_areas"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)  # as written on the slip, e.g. 退换品区(A1)
    note: Mapped[str] = mapped_column(String(200), default="")  # where it is, what goes there
    in_use: Mapped[bool] = mapped_column(Boolean, default=True)  # offered and accepted on new slips
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    changed_at = mapped_column(UTCDateTime, default=utcnow)
