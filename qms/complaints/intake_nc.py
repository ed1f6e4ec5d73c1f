"""A complaint caused by the company's own fault raises a nonconformity (CS-02, CA-01 source
``complaint``; 接待室工作手册 「对于本公司的原因,必须实时给予汇报相关」), through the published
``qms.capa.service.raise_from``."""
from __future__ import annotations

from flask_babel import gettext as _

from ..capa.service import raise_from
from ..records.models import Record


def raise_nonconformity(record: Record, user, department_code: str, severity: str, description: str) -> Record:
    """Open a nonconformity of ``department_code`` caused by complaint ``record``, by ``user``.
    ValidationFailed with field messages on a bad department, severity or an empty description."""
    return raise_from(record, "complaint", user, department_code, severity, description,
                      _("Submit the complaint before raising a nonconformity from it."))
