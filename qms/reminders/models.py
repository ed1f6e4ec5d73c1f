"""Reminder state: what is watched, what was sent to whom, mail to deliver, the work calendar."""
from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db


class DayKind(StrEnum):
    """What a day of the working calendar is instead of an ordinary week's day (stored as its value)."""

    HOLIDAY = "holiday"  # a public holiday: not worked
    WORKDAY = "workday"  # a Saturday or Sunday worked in exchange for a holiday (调休)


class CalendarDay(db.Model):
    """An exception to the Monday-Friday week: a public holiday, or a make-up working day (调休)."""

    __tablename__ = "calendar_days"
    id: Mapped[int] = mapped_column(primary_key=True)
    day = mapped_column(Date, unique=True)  # the date (local)
    kind: Mapped[str] = mapped_column(String(10))  # a DayKind
    name: Mapped[str] = mapped_column(String(80), default="")  # e.g. 春节 / 春节调休


class CalendarSeedYear(db.Model):
    """A year whose public holidays and make-up working days were seeded from a maintained package
    (``reminders.holidays``). Seeded once: the admin's later changes to its days are never undone."""

    __tablename__ = "calendar_seed_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # e.g. 2026
    source: Mapped[str] = mapped_column(String(60))  # package and version, e.g. chinese-calendar 1.11.0
    days: Mapped[int] = mapped_column(Integer, default=0)  # days written (the admin's own were kept)
    seeded_at = mapped_column(UTCDateTime, default=utcnow)  # when


class DutyClosure(db.Model):
    """A signed record that does a calendar duty for a period (a rule's ``closes_with``). A read
    model: the records are the truth; ``reminders.duties.record_changed`` keeps one row per record
    that closes a period now (voided or amended away: the row goes) and reopens the period when
    none is left."""

    __tablename__ = "duty_closures"
    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(60))  # the calendar rule
    period: Mapped[str] = mapped_column(String(20))  # 2026-11 or 2026
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))  # the closing record
    closed_at = mapped_column(UTCDateTime)  # when the closing signature was given

    __table_args__ = (
        UniqueConstraint("rule_id", "record_id"),
        Index("ix_duty_closures_period", "rule_id", "period"),
    )


class ReminderWatch(db.Model):
    """One thing a rule watches (a record, or a calendar period) and when it next needs attention."""

    __tablename__ = "reminder_watches"
    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(60))  # rule declaring it
    subject_type: Mapped[str] = mapped_column(String(20))  # "record" or "calendar"
    subject_id: Mapped[int] = mapped_column(Integer, default=0)  # record id (0 for calendar rules)
    period: Mapped[str] = mapped_column(String(20), default="")  # calendar period, e.g. 2026-11
    title: Mapped[str] = mapped_column(String(300), default="")  # what it is about (record number...)
    link: Mapped[str] = mapped_column(String(300), default="")  # where to act
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # first rung of the ladder
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))  # whose heads escalate
    due_at = mapped_column(UTCDateTime)  # deadline (UTC)
    next_at = mapped_column(UTCDateTime)  # next moment the sweep must look at it (UTC)
    swept_at = mapped_column(UTCDateTime)  # events up to this moment have been handled
    active: Mapped[bool] = mapped_column(default=True)  # false once done, voided or closed
    last_stage: Mapped[str] = mapped_column(String(40), default="")  # last stage notified
    acked_stage: Mapped[str] = mapped_column(String(40), default="")  # stage the owner acknowledged
    updated_at = mapped_column(UTCDateTime, default=utcnow)  # last change

    __table_args__ = (
        UniqueConstraint("rule_id", "subject_type", "subject_id", "period"),
        # The sweep reads "active and next_at <= now" in next_at order: cost follows the due items.
        Index("ix_reminder_watches_due", "active", "next_at"),
        Index("ix_reminder_watches_owner", "owner_id", "active"),
    )


class Notification(db.Model):
    """One notice to one person. The unique key makes every (rule, subject, stage, period,
    recipient) arrive once, whatever restarts or second scheduler copies do.

    A notice of a record event (``reminders.notices``: a signature sent back) belongs to no watch:
    ``watch_id`` is empty and ``rule_id`` names the event."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    watch_id: Mapped[int | None] = mapped_column(ForeignKey("reminder_watches.id"))  # what it is about (none: an event)
    rule_id: Mapped[str] = mapped_column(String(60))  # rule, or the record event (send_back)
    stage: Mapped[str] = mapped_column(String(40))  # lead:30, due, overdue, escalate:2 ...
    period: Mapped[str] = mapped_column(String(20))  # repeat period (a day, a week) or ""
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # who
    escalation: Mapped[bool] = mapped_column(default=False)  # sent up the ladder (mailed at once)
    title: Mapped[str] = mapped_column(String(300))  # one line, in Chinese and English
    body: Mapped[str] = mapped_column(Text, default="")  # details
    link: Mapped[str] = mapped_column(String(300), default="")  # straight to the record
    created_at = mapped_column(UTCDateTime, default=utcnow)  # when created
    read_at = mapped_column(UTCDateTime, nullable=True)  # opened in the inbox
    acked_at = mapped_column(UTCDateTime, nullable=True)  # acknowledged: repeats of this stage stop

    __table_args__ = (
        UniqueConstraint("watch_id", "stage", "period", "recipient_id"),
        Index("ix_notifications_inbox", "recipient_id", "read_at", "id"),
    )


class MailOutbox(db.Model):
    """Mail waiting for SMTP. Rows are retried until sent; nothing is lost in an outage."""

    __tablename__ = "mail_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)  # digest:user:date, notice:id
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # who
    to_addr: Mapped[str] = mapped_column(String(200))  # address at the time
    subject: Mapped[str] = mapped_column(String(300))  # mail subject
    body: Mapped[str] = mapped_column(Text)  # plain text body with links
    created_at = mapped_column(UTCDateTime, default=utcnow)  # queued
    next_attempt_at = mapped_column(UTCDateTime, default=utcnow)  # retry time
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # tries so far
    sent_at = mapped_column(UTCDateTime, nullable=True)  # delivered to the SMTP server
    last_error: Mapped[str] = mapped_column(Text, default="")  # last failure, shown to admins

    __table_args__ = (Index("ix_mail_outbox_pending", "sent_at", "next_attempt_at"),)


class JobState(db.Model):
    """Last and next run of each scheduler job, written by the scheduler for the admin page."""

    __tablename__ = "scheduler_jobs"
    job_id: Mapped[str] = mapped_column(String(40), primary_key=True)  # sweep, digest, mail
    last_run_at = mapped_column(UTCDateTime, nullable=True)  # last finished run
    next_run_at = mapped_column(UTCDateTime, nullable=True)  # next planned run
    last_result: Mapped[str] = mapped_column(Text, default="")  # counts or the error
    holder: Mapped[str] = mapped_column(String(120), default="")  # host:pid holding the lock
