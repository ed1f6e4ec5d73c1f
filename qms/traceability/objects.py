"""Identified objects (IT-01): the part module of QP-IT for the register of identified objects
(IT-OBJECT, a declaration only) and the identification checks made against it (IT-CHECK revision B).

Each row of a check's ``objects_checked`` names an object of the register (its link column refuses
any other record; this check refuses a row left without one, with the row named on the field).
"""
from __future__ import annotations

from flask_babel import gettext as _

from ..records.procedures import FormRules

CHECK = "IT-CHECK"


def check_objects(record, values, user) -> dict:
    """Every row of the objects checked names an object picked from the register."""
    rows = values.get("objects_checked") or []
    missing = [str(i) for i, row in enumerate(rows, 1) if not row.get("object")]
    if not missing:
        return {}
    return {"objects_checked": [_("Row %(rows)s: pick the object checked from the register of identified objects.",
                                  rows="、".join(missing))]}


FORMS = {CHECK: FormRules(checks=(check_objects,))}
