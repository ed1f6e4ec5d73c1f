"""Writing to the mail outbox and the notice table once each: a row whose unique key exists is
skipped, so a sweep or a digest run twice (two schedulers, a retry) never sends twice."""
from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..core.timeutil import utcnow
from ..extensions import db
from .models import MailOutbox


def insert_ignoring_duplicates(table):
    """``INSERT .. ON CONFLICT DO NOTHING`` for ``table`` on the database in use."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(table).on_conflict_do_nothing()


def insert_once(table, row: dict) -> int | None:
    """Insert ``row`` unless its unique key exists; the new id, or None when it was there."""
    return db.session.execute(insert_ignoring_duplicates(table).values(**row).returning(table.c.id)).scalar()


def queue(dedupe_key: str, user, subject: str, body: str, now=None) -> bool:
    """Queue one mail to ``user`` under ``dedupe_key`` (once); True when it was new."""
    now = now or utcnow()
    return insert_once(MailOutbox.__table__, {
        "dedupe_key": dedupe_key, "recipient_id": user.id, "to_addr": user.email, "subject": subject,
        "body": body, "created_at": now, "next_attempt_at": now, "attempts": 0, "last_error": ""}) is not None
