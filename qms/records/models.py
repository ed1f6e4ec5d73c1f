"""Records and what hangs off them: form revisions, signatures, attachments, facets, counters.

A record's field values live in ``data`` (JSON) because every form is a declaration, not a
table. The values a register filters on are copied into ``record_facets`` so every filter is
an index scan; the common columns (status, department, number, dates) are real columns.
"""
from __future__ import annotations

import hashlib
import json
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db
from .customer_sign_models import counting as customer_signature_counting


class Status(StrEnum):
    """A record's place in its lifecycle (stored as its value)."""

    DRAFT = "draft"
    IN_PROGRESS = "in_progress"  # submitted, waiting for the next declared signature
    CLOSED = "closed"
    VOIDED = "voided"
    SUPERSEDED = "superseded"


DRAFT, IN_PROGRESS, CLOSED, VOIDED, SUPERSEDED = Status  # the short names the engine's code reads
STATUSES = tuple(Status)
OPEN = (DRAFT, IN_PROGRESS)  # still being filled in or signed


class FormRevision(db.Model):
    """One loaded revision of a form declaration. Records point at the one they were filled under."""

    __tablename__ = "form_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))  # form code, e.g. CS-INQ
    revision: Mapped[str] = mapped_column(String(20))  # declared revision, e.g. A
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per code in load order
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the declaration file
    spec_json: Mapped[str] = mapped_column(Text)  # the parsed declaration
    loaded_at = mapped_column(UTCDateTime, default=utcnow)  # when this revision was loaded

    __table_args__ = (UniqueConstraint("code", "seq"), Index("ix_form_revisions_code_hash", "code", "content_hash"))


class Record(db.Model):
    __tablename__ = "records"
    id: Mapped[int] = mapped_column(primary_key=True)
    form_code: Mapped[str] = mapped_column(String(40))  # which form
    form_revision_id: Mapped[int] = mapped_column(ForeignKey("form_revisions.id"))  # filled under
    number: Mapped[str | None] = mapped_column(String(60))  # assigned at submission
    year: Mapped[int | None] = mapped_column(Integer)  # numbering year
    seq: Mapped[int | None] = mapped_column(Integer)  # numbering sequence in the year
    revision_no: Mapped[int] = mapped_column(Integer, default=0)  # 0 original, 1.. amendments
    status: Mapped[str] = mapped_column(String(20), default=DRAFT)  # see STATUSES
    current_step: Mapped[str | None] = mapped_column(String(40))  # workflow step awaiting signature
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))  # owning department
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # author
    created_at = mapped_column(UTCDateTime, default=utcnow)  # created
    updated_at = mapped_column(UTCDateTime, default=utcnow)  # last change of any kind
    due_on = mapped_column(db.Date, nullable=True)  # declared due date field, for overdue lists
    data: Mapped[str] = mapped_column(Text, default="{}")  # field values as JSON
    search_text: Mapped[str] = mapped_column(Text, default="")  # lowercased searchable text
    amended_from_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))  # previous revision
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))  # next revision
    void_reason: Mapped[str | None] = mapped_column(Text)  # mandatory when voided
    voided_at = mapped_column(UTCDateTime, nullable=True)  # when voided
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic lock counter

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("form_code", "number", "revision_no"),
        Index("ix_records_form_id", "form_code", "id"),
        Index("ix_records_form_status_id", "form_code", "status", "id"),
        Index("ix_records_form_dept_id", "form_code", "department_id", "id"),
        Index("ix_records_form_number", "form_code", "number", "id"),
        Index("ix_records_form_updated", "form_code", "updated_at", "id"),
        Index("ix_records_status_step", "status", "current_step", "department_id"),
        Index("ix_records_created_by", "created_by_id", "status", "id"),
        Index("ix_records_due", "status", "due_on"),
        # The open records (a few thousand of any number): the complaints desk's counts by form,
        # department, step and reply date read this small partial index alone (IN_PROGRESS written
        # as a literal in the query: SQLite uses a partial index only for a constant it can see).
        Index("ix_records_open", "form_code", "department_id", "current_step", "due_on",
              sqlite_where=text("status = 'in_progress'"), postgresql_where=text("status = 'in_progress'")),
        # Partial: almost every row is NULL, which would make a full index look useless to the planner.
        Index("ix_records_amended_from", "amended_from_id", sqlite_where=text("amended_from_id IS NOT NULL"),
              postgresql_where=text("amended_from_id IS NOT NULL")),
    )

    # Every signature ever given, the returned ones included (the history). What counts is
    # :attr:`signatures`: a signature sent back (:class:`SignatureReturn`) is never live again.
    all_signatures: Mapped[list["Signature"]] = relationship(
        back_populates="record", order_by="Signature.id"
    )
    # Loaded on use: a register page needs neither for most columns, and the 12 departments
    # come from the session's identity map after the first row.
    department = relationship("Department")
    created_by = relationship("User", foreign_keys=[created_by_id])

    @property
    def values(self) -> dict:
        """Field values (decoded ``data``)."""
        return json.loads(self.data or "{}")

    @values.setter
    def values(self, values: dict) -> None:
        """Store field values as JSON, in one fixed form (keys sorted, Chinese kept readable)."""
        self.data = json.dumps(values, ensure_ascii=False, sort_keys=True)

    @property
    def signatures(self) -> list["Signature"]:
        """The live signatures, in signing order: those given and not sent back. Validity,
        segregation of duties, "who signed" and the printout read these only."""
        return [s for s in self.all_signatures if s.returned is None]

    @property
    def returned_signatures(self) -> list["Signature"]:
        """Signatures sent back with a reason (kept in the history, marked returned)."""
        return [s for s in self.all_signatures if s.returned is not None]

    @property
    def locked(self) -> bool:
        """A record with any signature, or past draft, cannot be edited by anyone."""
        return self.status != DRAFT or bool(self.signatures)

    def canonical(self, names=None, customer: dict | None = None) -> str:
        """The signed content in a fixed form: form, revision, number and the values of ``names``
        (all fields when None). A step's signature covers the fields of that step and the ones before,
        and the ``customer``'s signature given at that step, if any."""
        values = self.values
        if names is not None:
            values = {k: values.get(k) for k in names}
        content = {
            "form": self.form_code,
            "form_revision_id": self.form_revision_id,
            "number": self.number,
            "revision_no": self.revision_no,
            "data": values,
        }
        if customer is not None:  # only then: every other signature's hash stays what it was
            content["customer_signature"] = customer
        return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def content_hash(self, names=None, customer: dict | None = None) -> str:
        """SHA-256 of :meth:`canonical`; stored in each signature."""
        return hashlib.sha256(self.canonical(names, customer).encode()).hexdigest()

    def signed_hash(self, step: str, spec) -> str:
        """The hash a signature of ``step`` covers (fields up to that step of ``spec``, the form
        revision the record was filled under; and the customer's signature at a step that declares one)."""
        declared = spec.step(step) is not None and spec.step(step).customer_signature
        customer = customer_signature_counting(self, step) if declared else None
        return self.content_hash([f.name for f in spec.fields_upto(step)], customer.evidence() if customer else None)

    @property
    def display_number(self) -> str:
        """Number with the amendment suffix, or a draft marker."""
        if not self.number:
            return f"#{self.id}"
        return self.number if not self.revision_no else f"{self.number}/R{self.revision_no}"


class Signature(db.Model):
    """An electronic signature: who, printed name, meaning, when, over which content."""

    __tablename__ = "signatures"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)  # signed record
    step: Mapped[str] = mapped_column(String(40))  # workflow step signed
    meaning: Mapped[str] = mapped_column(String(40))  # self_check, review, approval, verification...
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # signer
    printed_name: Mapped[str] = mapped_column(String(120))  # signer's full name at signing
    signed_at = mapped_column(UTCDateTime, default=utcnow)  # UTC time of signing
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the record's canonical content

    record: Mapped[Record] = relationship(back_populates="all_signatures")
    # Loaded with the signature (one outer join): whether it still counts is read wherever it is.
    returned: Mapped["SignatureReturn | None"] = relationship(back_populates="signature", lazy="joined")

    @property
    def live(self) -> bool:
        """Not sent back: the signature counts."""
        return self.returned is None

    def is_valid(self, record: Record, spec) -> bool:
        """True while the content this signature covers still hashes to what was signed (``spec``:
        the form revision ``record`` was filled under)."""
        return record.signed_hash(self.step, spec) == self.content_hash


class SignatureReturn(db.Model):
    """A signature sent back to its step with a reason (``records.service.send_back``).

    Signatures are append-only in the database (never updated), so a return is a row of its own,
    append-only too: the signature stays in the history, marked returned, and no longer counts
    (:attr:`Record.signatures`). The step is filled and signed again by a new signature."""

    __tablename__ = "signature_returns"
    id: Mapped[int] = mapped_column(primary_key=True)
    signature_id: Mapped[int] = mapped_column(ForeignKey("signatures.id"), unique=True)  # the one returned
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)  # its record
    returned_at = mapped_column(UTCDateTime, default=utcnow)  # when it was sent back (UTC)
    returned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # who sent it back
    reason: Mapped[str] = mapped_column(Text)  # why (mandatory, as a void reason)

    signature: Mapped[Signature] = relationship(back_populates="returned")
    returned_by = relationship("User")


class Attachment(db.Model):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)  # owner record
    filename: Mapped[str] = mapped_column(String(255))  # original name (sanitised)
    content_type: Mapped[str] = mapped_column(String(100))  # from the allow-list
    size: Mapped[int] = mapped_column(Integer)  # bytes
    sha256: Mapped[str] = mapped_column(String(64))  # content hash; also the storage key
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # uploader
    uploaded_at = mapped_column(UTCDateTime, default=utcnow)  # upload time

    uploaded_by = relationship("User", lazy="joined")


class RecordFacet(db.Model):
    """One filterable value of a record, so declared register filters use an index."""

    __tablename__ = "record_facets"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))  # the record
    form_code: Mapped[str] = mapped_column(String(40))  # its form
    field: Mapped[str] = mapped_column(String(60))  # declared filter field
    value: Mapped[str] = mapped_column(String(200))  # value as text (ISO dates sort correctly)

    record: Mapped[Record] = relationship()

    __table_args__ = (
        Index("ix_record_facets_lookup", "form_code", "field", "value", "record_id"),
        Index("ix_record_facets_record", "record_id", "field", "value"),
    )


class NumberCounter(db.Model):
    """Last number given per form and year; incremented inside the submitting transaction."""

    __tablename__ = "number_counters"
    form_code: Mapped[str] = mapped_column(String(40), primary_key=True)  # form
    year: Mapped[int] = mapped_column(Integer, primary_key=True)  # numbering year
    last_value: Mapped[int] = mapped_column(Integer, default=0)  # last issued sequence
