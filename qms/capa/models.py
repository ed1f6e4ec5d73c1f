"""The audit desk's read model: one row per submitted nonconformity, kept in step with the
nonconformity, its CAPA rounds and their actions by the records service hooks.

The records themselves stay the truth (JSON values, signatures); this table only copies what the
desk filters, groups and sorts on, so every desk query is an index scan whatever the number of
records (200k nonconformities and 600k actions in bench/desk.py).
"""
from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db


class Stage(StrEnum):
    """Where a nonconformity stands on the desk, in the order it moves (kept by ``desk.refresh``)."""

    OPEN = "open"  # awaiting its CAPA round
    IN_CAPA = "in_capa"
    VERIFYING = "verifying"
    REOPENED = "reopened"  # a round was not effective
    TO_CLOSE = "to_close"  # verified effective, 企业管理部 closes it
    CLOSED = "closed"
    VOIDED = "voided"


STAGES = tuple(Stage)
OPEN_STAGES = (Stage.OPEN, Stage.IN_CAPA, Stage.VERIFYING, Stage.REOPENED, Stage.TO_CLOSE)


class NcDesk(db.Model):
    """One nonconformity as the desk sees it."""

    __tablename__ = "capa_nc_desk"
    nc_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)  # the CA-NC record
    number: Mapped[str] = mapped_column(String(60))  # its number
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))  # responsible department
    source: Mapped[str] = mapped_column(String(30))  # audit, identification, billing_test, ...
    severity: Mapped[str] = mapped_column(String(20))  # minor, general, serious
    stage: Mapped[str] = mapped_column(String(20))  # see STAGES
    opened_on = mapped_column(Date)  # submitted (local date): ageing and monthly trend
    opened_month: Mapped[str] = mapped_column(String(7))  # YYYY-MM of opened_on
    closed_on = mapped_column(Date, nullable=True)  # closed (local date)
    closed_month: Mapped[str | None] = mapped_column(String(7), nullable=True)  # YYYY-MM of closed_on
    cause_category: Mapped[str | None] = mapped_column(String(20), nullable=True)  # latest round's 6M cause
    capa_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), nullable=True)  # latest CAPA round
    capa_step: Mapped[str | None] = mapped_column(String(40), nullable=True)  # step it waits at
    rounds: Mapped[int] = mapped_column(Integer, default=0)  # CAPA rounds issued (2+ = reopened before)
    open_actions: Mapped[int] = mapped_column(Integer, default=0)  # actions of the round not done
    next_due_on = mapped_column(Date, nullable=True)  # earliest due date of those: overdue when past
    reply_due_on = mapped_column(Date, nullable=True)  # the round's reply date while its department owes the reply
    summary: Mapped[str] = mapped_column(String(200), default="")  # first words of the description
    updated_at = mapped_column(UTCDateTime, default=utcnow)  # last refresh

    __table_args__ = (
        # Each desk filter leads an index in page order (opened_on, newest first). The source and
        # severity ones carry the other filter columns, so the ageing counts read the index only.
        Index("ix_nc_desk_opened", "opened_on", "nc_id"),
        Index("ix_nc_desk_dept", "department_id", "stage", "opened_on", "nc_id"),
        Index("ix_nc_desk_source", "source", "opened_on", "nc_id", "stage", "severity", "department_id"),
        Index("ix_nc_desk_severity", "severity", "opened_on", "nc_id", "stage", "source", "department_id"),
        Index("ix_nc_desk_stage", "stage", "opened_on", "department_id", "source", "severity", "cause_category", "nc_id"),
        # Those with open actions only (a small part): the overdue filter's page, ageing and charts.
        Index("ix_nc_desk_actions", "opened_on", "nc_id", "next_due_on", "stage",
              sqlite_where=text("next_due_on IS NOT NULL"), postgresql_where=text("next_due_on IS NOT NULL")),
        Index("ix_nc_desk_due", "next_due_on", "department_id", "source", "severity", "cause_category", "stage"),
        # Those whose department owes its reply (a small part): the reply-overdue filter.
        Index("ix_nc_desk_reply", "reply_due_on", "department_id",
              sqlite_where=text("reply_due_on IS NOT NULL"), postgresql_where=text("reply_due_on IS NOT NULL")),
    )


class NcTally(db.Model):
    """How many nonconformities share one combination of the desk's filters: the Pareto charts sum
    these few thousand rows at most instead of grouping every nonconformity."""

    __tablename__ = "capa_nc_tally"
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)  # responsible
    source: Mapped[str] = mapped_column(String(30), primary_key=True)  # where it came from
    severity: Mapped[str] = mapped_column(String(20), primary_key=True)  # minor, general, serious
    stage: Mapped[str] = mapped_column(String(20), primary_key=True)  # see STAGES
    cause_category: Mapped[str] = mapped_column(String(20), primary_key=True)  # 6M cause, "" before analysis
    n: Mapped[int] = mapped_column(Integer, default=0)  # how many


class NcMonthly(db.Model):
    """Nonconformities opened and closed per month per department, source and severity (the trend)."""

    __tablename__ = "capa_nc_monthly"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # "opened" or "closed"
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)  # responsible
    source: Mapped[str] = mapped_column(String(30), primary_key=True)  # where it came from
    severity: Mapped[str] = mapped_column(String(20), primary_key=True)  # how serious
    n: Mapped[int] = mapped_column(Integer, default=0)  # how many
