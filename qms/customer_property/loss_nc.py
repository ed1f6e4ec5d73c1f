"""A loss, damage or unsuitability report raises a nonconformity (CP-07, CA-01 source
``customer_property``) through the CAPA procedure's published ``open_nonconformity``."""
from __future__ import annotations

from flask_babel import gettext as _

from ..auth.models import Department
from ..capa.service import open_nonconformity
from ..core.errors import ValidationFailed
from ..records.models import Record

SOURCE = "customer_property"
SEVERITIES = ("minor", "general", "serious")


def raise_nonconformity(record: Record, user, department_code: str, severity: str, description: str) -> Record:
    """Open a nonconformity of ``department_code`` caused by report ``record``, by ``user``.
    ValidationFailed with field messages on a bad department, severity or an empty description."""
    errors: dict = {}
    dept = Department.by_code(department_code or "")
    if dept is None:
        errors["department"] = [_("Not a valid choice.")]
    if severity not in SEVERITIES:
        errors["severity"] = [_("Not a valid choice.")]
    if not (description or "").strip():
        errors["description"] = [_("This field is required.")]
    elif len(description) > 4000:
        errors["description"] = [_("At most %(max)d characters.", max=4000)]
    if record.number is None:
        errors["record"] = [_("Submit the report before raising a nonconformity from it.")]
    if errors:
        raise ValidationFailed(errors)
    return open_nonconformity(record, SOURCE, dept.id, severity, description.strip(), actor=user)
