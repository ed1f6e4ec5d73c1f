"""A loss, damage or unsuitability report raises a nonconformity (CP-07, CA-01 source
``customer_property``) through the CAPA procedure's published ``raise_from``."""
from __future__ import annotations

from flask_babel import gettext as _

from ..capa.service import raise_from
from ..records.models import Record

SOURCE = "customer_property"


def raise_nonconformity(record: Record, user, department_code: str, severity: str, description: str) -> Record:
    """Open a nonconformity of ``department_code`` caused by report ``record``, by ``user``.
    ValidationFailed with field messages on a bad department, severity or an empty description."""
    return raise_from(record, SOURCE, user, department_code, severity, description,
                      _("Submit the report before raising a nonconformity from it."))
