"""The procedure's published services: the one call other procedures use to open a nonconformity
(:func:`open_nonconformity`, CA-01), and drafting a CAPA round for one (CA-02, CA-05)."""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..auth.models import Department
from ..core.errors import ValidationFailed
from ..core.timeutil import today
from ..records import service
from ..records import spec as specs
from ..records.models import Record
from .forms import CAPA, NC


def open_nonconformity(source_record: Record | None, source: str, department_id: int, severity: str,
                       description: str, actor=None, requirement: str | None = None,
                       found_on: date | None = None) -> Record:
    """Open a nonconformity from another procedure's record (CA-01): a failed calibration or
    billing-accuracy test, an overdue key-customer service...

    It is validated like one a person fills in, numbered, and waits for 企业管理部; a serious one
    goes to the general manager at once (CA-04). ``actor`` is the person whose signed act caused
    it (named in the audit trail with its cause); by default whoever signed ``source_record`` last.
    Raises ValidationFailed on bad values.
    """
    values = {"source": source, "severity": severity, "found_on": (found_on or today()).isoformat(),
              "source_record": source_record.id if source_record is not None else None,
              "description": description, "requirement": requirement}
    return service.create_automatic(specs.get(NC), values, department_id, cause_record=source_record,
                                    actor=actor, cause=None if source_record is not None else source)


def raise_from(record: Record, source: str, user, department_code: str, severity: str, description: str,
               not_submitted: str) -> Record:
    """A person raises a nonconformity from another procedure's record page (a complaint, a property
    loss report): the department at fault by code, the severity, the description — each checked with
    a message on its field (ValidationFailed), and ``not_submitted`` on ``record`` while it has no
    number yet. Then :func:`open_nonconformity`, with ``user`` as its actor."""
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
        errors["record"] = [not_submitted]
    if errors:
        raise ValidationFailed(errors)
    return open_nonconformity(record, source, dept.id, severity, description.strip(), actor=user)


SEVERITIES = ("minor", "general", "serious")  # CA-NC's severity choices


def draft_round(nc: Record, author, finding: str, requirement: str = "", verify_after_days: int = 30,
                previous: Record | None = None, locale: str = "zh_CN") -> Record:
    """A CAPA record drafted for a nonconformity, for 企业管理部 to check and sign: its department,
    the finding, the reply due in a week (the first round, and each reopened one)."""
    md = MultiDict({"nonconformity": f"#{nc.id}", "finding": finding, "requirement": requirement,
                    "reply_due_on": (today() + timedelta(days=7)).isoformat(),
                    "verify_after_days": str(verify_after_days)})
    if previous is not None:
        md["previous_capa"] = f"#{previous.id}"
    return service.create(specs.get(CAPA), author, md, locale, department_id=nc.department_id)
