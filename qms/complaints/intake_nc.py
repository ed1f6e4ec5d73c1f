"""A complaint caused by the company's own fault raises a nonconformity (CS-02, CA-01 source
``complaint``; 接待室工作手册 「对于本公司的原因,必须实时给予汇报相关」), through the published
``qms.capa.service.open_nonconformity``."""
from __future__ import annotations

from flask_babel import gettext as _

from ..auth.models import Department
from ..capa.service import open_nonconformity
from ..core.errors import ValidationFailed
from ..records.models import Record

# A complaint's grade as a nonconformity's (CA-NC has no 较重: it reads as 一般).
SEVERITY = {"minor": "minor", "general": "general", "major": "general", "serious": "serious"}


def raise_nonconformity(record: Record, user, department_code: str, severity: str, description: str) -> Record:
    """Open a nonconformity of ``department_code`` caused by complaint ``record``, by ``user``.
    ValidationFailed with field messages on a bad department, severity or an empty description."""
    errors: dict = {}
    dept = Department.by_code(department_code or "")
    if dept is None:
        errors["department"] = [_("Not a valid choice.")]
    if severity not in set(SEVERITY.values()):
        errors["severity"] = [_("Not a valid choice.")]
    if not (description or "").strip():
        errors["description"] = [_("This field is required.")]
    elif len(description) > 4000:
        errors["description"] = [_("At most %(max)d characters.", max=4000)]
    if record.number is None:
        errors["record"] = [_("Submit the complaint before raising a nonconformity from it.")]
    if errors:
        raise ValidationFailed(errors)
    return open_nonconformity(record, "complaint", dept.id, severity, description.strip(), actor=user)
