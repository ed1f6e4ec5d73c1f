"""The audit trail: append-only, hash-chained, written in the same transaction as the change.

The database itself refuses UPDATE and DELETE on ``audit_events`` (triggers created by the
migration), and every row carries ``sha256(prev_hash + canonical row)``, so removing or
editing a row breaks the chain at a place ``qms verify-audit`` can name.
"""
from __future__ import annotations

import hashlib
import json

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, select, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .timeutil import UTCDateTime, utcnow

GENESIS = "0" * 64


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at = mapped_column(UTCDateTime, default=utcnow)  # when (UTC)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who (null: system)
    actor_name: Mapped[str] = mapped_column(String(120), default="")  # printed name at the time
    action: Mapped[str] = mapped_column(String(40))  # create, update, sign, void, login_failed...
    object_type: Mapped[str] = mapped_column(String(40), default="")  # record, user, department...
    object_id: Mapped[str] = mapped_column(String(40), default="")  # its id
    summary: Mapped[str] = mapped_column(String(300), default="")  # e.g. record number
    changes: Mapped[str] = mapped_column(Text, default="{}")  # JSON {field: [old, new]}
    reason: Mapped[str] = mapped_column(Text, default="")  # void reason, amendment reason...
    ip: Mapped[str] = mapped_column(String(64), default="")  # client address
    prev_hash: Mapped[str] = mapped_column(String(64))  # hash of the row before
    hash: Mapped[str] = mapped_column(String(64))  # sha256(prev_hash + canonical row)

    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id", "id"),
        Index("ix_audit_events_actor_id", "actor_id", "id"),
        Index("ix_audit_events_action", "action", "id"),
    )

    def compute_hash(self) -> str:
        """sha256 over the previous link and this row."""
        return chain_hash(self.prev_hash, self.at, self.actor_id, self.actor_name, self.action,
                          self.object_type, self.object_id, self.summary, self.changes, self.reason, self.ip)

    @property
    def changes_dict(self) -> dict:
        return json.loads(self.changes or "{}")


# What each action the engine logs means, in people's words. Procedure packages add their own
# actions through ``Procedure.audit_actions``; a test checks that every logged action has a label.
ACTIONS = {
    "create": _l("Created"), "update": _l("Changed"), "sign": _l("Signed"),
    "signature_failed": _l("Signature refused (wrong password)"), "void": _l("Voided"),
    "send_back": _l("Sent back to the previous step"),
    "auto_submit": _l("Opened automatically"),
    "amend": _l("Amendment started"), "supersede": _l("Superseded"), "attach": _l("File attached"),
    "login": _l("Logged in"), "login_failed": _l("Failed login"), "logout": _l("Logged out"),
    "password_changed": _l("Password changed"), "password_reset": _l("Password reset by admin"),
    "user_created": _l("User created"), "user_updated": _l("User changed"),
    "department_created": _l("Department created"), "department_updated": _l("Department changed"),
    "token_created": _l("API token created"),
    "customer_signature": _l("Customer signature recorded"),
    "customer_refusal": _l("Customer refused to sign (witnessed)"),
    "flow_contact_created": _l("Flow contact added"), "flow_contact_updated": _l("Flow contact changed"),
}


def chain_hash(prev_hash: str, at, actor_id, actor_name, action, object_type, object_id, summary,
               changes, reason, ip) -> str:
    """The hash of one audit row: sha256(prev_hash + the row's content in a fixed form).
    Bulk loaders (the benchmark) call this directly, so there is one definition of the chain."""
    canonical = json.dumps(
        [at.strftime("%Y-%m-%dT%H:%M:%S.%f"), actor_id, actor_name, action, object_type, object_id,
         summary, changes, reason, ip],
        ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _lock_chain() -> None:
    """Serialise chain appends. SQLite writers are already serialised (BEGIN IMMEDIATE);
    PostgreSQL takes a transaction-scoped advisory lock so two writers never share a prev_hash."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(7304211)"))


def log(action: str, *, actor=None, obj_type: str = "", obj_id="", summary: str = "",
        changes: dict | None = None, reason: str = "") -> AuditEvent:
    """Append one audit row in the current transaction (the caller commits)."""
    _lock_chain()
    # Autoflush makes an earlier row of this transaction visible to this query.
    prev = db.session.execute(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar()
    ip = ""
    if has_request_context():
        ip = (request.remote_addr or "")[:64]
    ev = AuditEvent(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "full_name", "") or "",
        action=action,
        object_type=obj_type,
        object_id=str(obj_id or ""),
        summary=(summary or "")[:300],
        changes=json.dumps(changes or {}, ensure_ascii=False, sort_keys=True, default=str),
        reason=reason or "",
        ip=ip,
        prev_hash=prev or GENESIS,
    )
    ev.hash = ev.compute_hash()
    db.session.add(ev)
    return ev


def verify_chain(batch: int = 5000) -> tuple[int, AuditEvent | None, str]:
    """Walk the chain; return (rows checked, first broken row or None, what is wrong)."""
    prev = GENESIS
    last_id = 0
    checked = 0
    while True:
        rows = db.session.execute(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).scalars().all()
        if not rows:
            return checked, None, ""
        for ev in rows:
            if ev.prev_hash != prev:
                return checked, ev, "prev_hash does not match the previous row (a row was removed or inserted)"
            if ev.compute_hash() != ev.hash:
                return checked, ev, "row content does not match its hash (the row was altered)"
            prev = ev.hash
            last_id = ev.id
            checked += 1
        db.session.expunge_all()


def diff(old: dict, new: dict) -> dict:
    """{field: [old, new]} for the fields whose values differ."""
    keys = sorted(set(old) | set(new))
    return {k: [old.get(k), new.get(k)] for k in keys if old.get(k) != new.get(k)}
