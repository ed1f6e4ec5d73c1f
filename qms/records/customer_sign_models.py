"""Customer signatures: the customer's signature at a workflow step (customers are not users).

A step declares ``customer_signature: {required, label}`` (``records.spec``). The customer signs
on the screen (``drawn``), or the signed paper page is scanned (``scan``), or the customer refuses
and a second member of staff witnesses the refusal (``refused``). Each is one row here, with the
file's SHA-256 (the file itself is stored by ``core.attachments``, content-addressed), the
customer's printed name, who captured it and when. The row is the truth and is append-only: a new
capture at the same step adds a row, the latest counts; the database refuses UPDATE and DELETE,
and the flush guard below refuses them first. The staff signature of the step covers the one that
counts (``Record.signed_hash``). CS-02, CS-05, CP-05, IT-03 (S003 「客户在工单的签名栏里签名」).
"""
from __future__ import annotations

from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, Index, Integer, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..core.errors import LockedRecord
from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db


class Kind(StrEnum):
    """How the customer's signature was given (stored as its value)."""

    DRAWN = "drawn"  # drawn on the screen (signature pad), a PNG
    SCAN = "scan"  # the signed paper page, scanned or photographed: PNG, JPEG or PDF
    REFUSED = "refused"  # the customer would not sign: reason and a witness, no file


class CustomerSignature(db.Model):
    """One customer signature (or witnessed refusal) at one step of one record. Append-only."""

    __tablename__ = "customer_signatures"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))  # the record signed
    step: Mapped[str] = mapped_column(String(40))  # the workflow step that declares it
    # How many times this step's staff signature had been sent back when this was captured: a send
    # back makes earlier captures stale (the customer signs again what is then on the form).
    step_round: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10))  # see Kind
    customer_name: Mapped[str] = mapped_column(String(120))  # the customer's name, printed
    sha256: Mapped[str | None] = mapped_column(String(64))  # the file's hash and storage key (none: refused)
    filename: Mapped[str | None] = mapped_column(String(255))  # file name (sanitised)
    content_type: Mapped[str | None] = mapped_column(String(100))  # image/png, image/jpeg, application/pdf
    size: Mapped[int | None] = mapped_column(Integer)  # bytes
    refusal_reason: Mapped[str | None] = mapped_column(Text)  # why the customer would not sign
    witness_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # staff witness of a refusal
    captured_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # staff member who captured it
    captured_at = mapped_column(UTCDateTime, default=utcnow)  # when (UTC)

    captured_by = relationship("User", foreign_keys=[captured_by_id], lazy="joined")
    witness = relationship("User", foreign_keys=[witness_id], lazy="joined")

    __table_args__ = (Index("ix_customer_signatures_record_step", "record_id", "step", "id"),)

    def evidence(self) -> dict:
        """What the step's staff signature covers (part of its hash): the file's SHA-256, or the
        refusal with its reason and witness; and the printed name."""
        return {"id": self.id, "kind": self.kind, "customer_name": self.customer_name, "sha256": self.sha256,
                "refusal_reason": self.refusal_reason, "witness_id": self.witness_id}


def counting(record, step: str) -> CustomerSignature | None:
    """The customer signature that counts at ``step`` of ``record``: the latest captured since the
    step's staff signature was last sent back (None if there is none)."""
    if record.id is None:
        return None
    step_round = sum(1 for s in record.returned_signatures if s.step == step)
    return db.session.execute(
        select(CustomerSignature).where(CustomerSignature.record_id == record.id, CustomerSignature.step == step,
                                        CustomerSignature.step_round == step_round)
        .order_by(CustomerSignature.id.desc()).limit(1)).scalar()


def sign_blocker(record, spec, step, user) -> str | None:
    """Why ``step`` cannot be signed yet because of the customer's signature (None: it can).
    Same shape as a procedure's ``sign_checks``; ``service.sign_blockers`` runs it for every form
    (here, below the service, so the web, the API and the importer all meet it)."""
    declared = step.customer_signature
    if not declared:
        return None
    cs = counting(record, step.name)
    if cs is None:
        if not declared["required"]:
            return None
        return _("The customer's signature is required at this step: capture it on the screen, upload the "
                 "signed page, or record a witnessed refusal; then sign.")
    if cs.kind == Kind.REFUSED and cs.witness_id == user.id:
        return _("You witnessed the customer's refusal; another person signs this step.")
    return None


@event.listens_for(Session, "before_flush")
def _guard_customer_signatures(session, flush_context, instances):
    """A customer signature is evidence: never changed or deleted, whoever attempts it."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, CustomerSignature) and (obj in session.deleted or session.is_modified(obj)):
            raise LockedRecord(_("A customer signature is never changed or deleted; capture a new one."))
