"""Each instrument's current state, kept from the signed records that change it.

The intake record (INS-INTAKE) is the instrument; calibration records (INS-CAL) and loans
(INS-USAGE) move its state. Nothing here is typed in by hand: every value comes from a signed
record, so the state is as traceable as the records. The permit-to-use gate (INS-04) reads it.
"""
from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db


class Condition(StrEnum):
    """What stops an instrument, besides its calibration: nothing (ok), or why it is out of use.
    Moved only by the verbs of :mod:`qms.instruments.state`."""

    OK = "ok"
    FAULTY = "faulty"  # found faulty at a return or a maintenance: repair, then calibrate
    UNDER_REPAIR = "under_repair"  # a fault was reported on a repair record
    REPAIRED = "repaired"  # repaired: a passing calibration before use
    QUARANTINED = "quarantined"  # failed a calibration: a passing one before use
    SCRAPPED = "scrapped"  # final (INS-09)
    VOIDED = "voided"  # its registration was voided: it never was


CONDITIONS = tuple(Condition)


class CalResult(StrEnum):
    """The last calibration's result (the values of INS-CAL's ``result`` choice)."""

    PASS = "pass"
    RESTRICTED = "restricted"  # may be used within its restriction (yellow label)
    FAIL = "fail"  # quarantined until a passing calibration
GONE = (Condition.SCRAPPED, Condition.VOIDED)  # out of the registers for good
STOPPED = (Condition.QUARANTINED, Condition.UNDER_REPAIR, Condition.FAULTY, Condition.REPAIRED)


class Instrument(db.Model):
    """One registered instrument as the gate, the registers and the label see it."""

    __tablename__ = "instruments"
    id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)  # its INS-INTAKE record
    asset_no: Mapped[str] = mapped_column(String(40), unique=True)  # 资产编号
    number: Mapped[str] = mapped_column(String(60))  # intake record number (on the label)
    name: Mapped[str] = mapped_column(String(100))  # 仪器名称
    model: Mapped[str] = mapped_column(String(100), default="")  # 型号
    category: Mapped[str] = mapped_column(String(20))  # public / dedicated
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))  # custodian department
    custodian_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)  # named custodian
    interval_months: Mapped[int] = mapped_column(Integer, default=24)  # calibration interval
    calibrated_on = mapped_column(Date, nullable=True)  # last passing (or restricted) calibration
    next_due_on = mapped_column(Date, nullable=True)  # calibrated_on + interval
    cal_result: Mapped[str] = mapped_column(String(20), default=CalResult.PASS)  # see CalResult
    restriction: Mapped[str] = mapped_column(String(200), default="")  # what a restricted one may do
    condition: Mapped[str] = mapped_column(String(20), default="ok")  # see CONDITIONS
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), nullable=True)  # open loan
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)  # who has it
    loan_due_on = mapped_column(Date, nullable=True)  # when it is due back
    sendout_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), nullable=True)  # away for calibration
    updated_at = mapped_column(UTCDateTime, default=utcnow)  # last change

    __table_args__ = (
        Index("ix_instruments_due", "next_due_on", "id"),
        Index("ix_instruments_dept_due", "department_id", "next_due_on", "id"),
        Index("ix_instruments_holder", "holder_id", "loan_due_on"),
        Index("ix_instruments_condition", "condition", "id"),
        # The dashboard's counts: only instruments on loan have a due-back date, only those away a
        # send-out, so each count reads a short index range, never the table.
        Index("ix_instruments_loan_due", "loan_due_on"),
        Index("ix_instruments_sendout", "sendout_id"),
        Index("ix_instruments_due_condition", "next_due_on", "condition"),  # due/overdue counts, no row reads
    )


# What happened to an instrument, in its usage file (INS-05). One row per record and kind.
EVENT_KINDS = ("intake", "loan_out", "loan_return", "calibration", "maintenance", "fault", "repair", "scrapped",
               "handover", "used", "sent_out", "nonconformity", "voided")


class InstrumentEvent(db.Model):
    """One line of an instrument's usage file (使用档案), written when the record that caused it is
    signed. A read model: every line points at its record, which stays the evidence."""

    __tablename__ = "instrument_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"))
    occurred_on = mapped_column(Date)  # the date the record gives (checked out on, calibrated on...)
    kind: Mapped[str] = mapped_column(String(20))  # see EVENT_KINDS
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    form_code: Mapped[str] = mapped_column(String(20))  # the record's form (for its link)
    number: Mapped[str] = mapped_column(String(60), default="")  # the record's number, as printed
    person_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)  # borrower, custodian...
    summary: Mapped[str] = mapped_column(String(300), default="")  # purpose, certificate, result, condition
    at = mapped_column(UTCDateTime, default=utcnow)  # when it was written

    __table_args__ = (
        Index("ix_instrument_events_file", "instrument_id", "occurred_on", "id"),
        Index("uq_instrument_events_record", "record_id", "kind", "instrument_id", unique=True),
    )
