"""Per-flow contacts (SEEDS-DIGEST §0.4g): the person and phone to call for a flow of a procedure
("二次批价流程负责人 周美芳 3222100" for QP-TS's TS-001). Data the admins keep current, never code:
``qms/seed.py`` writes the handbook's names once, ``/admin/contacts`` edits them (audited), and the
procedure page shows them beside the steps that name the flow (``documents.views``).

A contact is retired (``active`` off), never deleted, so the audit trail keeps naming it.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Department
from ..core import audit
from ..core.errors import ValidationFailed
from ..core.timeutil import UTCDateTime, utcnow
from ..documents import loader
from ..extensions import db
from ..records import phones

FLOW = re.compile(r"^[A-Z][A-Z0-9]{0,9}-[0-9A-Z]{1,6}$")  # a flow code as the handbook writes it: TS-001


class FlowContact(db.Model):
    """Who to contact for one flow of a procedure."""

    __tablename__ = "flow_contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(20))  # the procedure document, e.g. QP-TS
    flow: Mapped[str] = mapped_column(String(20))  # the flow code its steps name, e.g. TS-001
    role_zh: Mapped[str] = mapped_column(String(80))  # what they do for the flow, e.g. 流程负责人
    role_en: Mapped[str] = mapped_column(String(120))  # the same in English
    person: Mapped[str] = mapped_column(String(120))  # name(s) as the handbook gives them
    phone: Mapped[str | None] = mapped_column(String(60))  # extension or number, as written
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))  # their unit, if known
    position: Mapped[int] = mapped_column(default=0)  # order within the procedure
    active: Mapped[bool] = mapped_column(default=True)  # retired contacts stay for the audit trail
    updated_at = mapped_column(UTCDateTime, default=utcnow)  # last change

    department: Mapped[Department | None] = relationship(lazy="joined")

    __table_args__ = (Index("ix_flow_contacts_procedure", "procedure_code", "position"),)

    def role(self, locale: str) -> str:
        """The role in the given locale."""
        return self.role_en if locale == "en" else self.role_zh


FIELDS = ("procedure_code", "flow", "role_zh", "role_en", "person", "phone", "department_id", "active")


def of_procedure(code: str) -> list[FlowContact]:
    """The active contacts of procedure ``code``, in their order."""
    return list(db.session.execute(select(FlowContact).where(
        FlowContact.procedure_code == code, FlowContact.active.is_(True))
        .order_by(FlowContact.position, FlowContact.id)).scalars())


def _clean(values: dict) -> dict:
    """The submitted values checked; ValidationFailed with a message on each bad field."""
    v = {k: (values.get(k).strip() if isinstance(values.get(k), str) else values.get(k)) for k in FIELDS}
    v["procedure_code"] = (v["procedure_code"] or "").upper()
    v["flow"] = (v["flow"] or "").upper()
    v["phone"] = v["phone"] or None
    v["active"] = bool(v["active"])
    errors: dict = {}
    if loader.current(v["procedure_code"]) is None:
        errors["procedure_code"] = [_("No such procedure.")]
    if not FLOW.match(v["flow"]):
        errors["flow"] = [_("Write the flow code as the procedure does, e.g. TS-001.")]
    for name, most in (("role_zh", 80), ("role_en", 120), ("person", 120)):
        if not v[name]:
            errors[name] = [_("This field is required.")]
        elif len(v[name]) > most:
            errors[name] = [_("At most %(max)d characters.", max=most)]
    if v["phone"] and (len(v["phone"]) > 60 or not phones.looks_like_phone(v["phone"])):
        errors["phone"] = [_("Enter a valid phone number.")]
    if v["department_id"] is not None and db.session.get(Department, v["department_id"]) is None:
        errors["department_id"] = [_("Not a valid choice.")]
    if errors:
        raise ValidationFailed(errors)
    return v


def save(actor, contact: FlowContact | None, values: dict) -> FlowContact:
    """Create or change a contact, audited (``flow_contact_created`` / ``flow_contact_updated``)."""
    v = _clean(values)
    if contact is None:
        last = db.session.execute(select(FlowContact.position).order_by(FlowContact.position.desc()).limit(1)).scalar()
        contact = FlowContact(**v, position=(last or 0) + 1, updated_at=utcnow())
        db.session.add(contact)
        db.session.flush()
        audit.log("flow_contact_created", actor=actor, obj_type="flow_contact", obj_id=contact.id,
                  summary=f"{contact.flow} {contact.person}", changes={k: [None, v[k]] for k in FIELDS if v[k]})
        return contact
    changes = audit.diff({k: getattr(contact, k) for k in FIELDS}, v)
    if not changes:
        return contact
    for k in FIELDS:
        setattr(contact, k, v[k])
    contact.updated_at = utcnow()
    audit.log("flow_contact_updated", actor=actor, obj_type="flow_contact", obj_id=contact.id,
              summary=f"{contact.flow} {contact.person}", changes=changes)
    return contact
