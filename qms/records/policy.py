"""The one permission policy: role x action per form (declared with the form) plus department scope,
and the site-wide rights of ``auth.roles.SITE_RIGHTS``.

Views, the API and services all ask here; nothing else looks at ``user.role`` to decide access.
"""
from __future__ import annotations

from flask_babel import gettext as _
from werkzeug.exceptions import Forbidden

from ..auth.roles import (
    ADMIN,
    COMPANY_WIDE,
    DEPARTMENT_HEAD,
    QUALITY_MANAGER,
    SITE_RIGHTS,
)
from .models import CLOSED, DRAFT, IN_PROGRESS

# Defaults when a declaration leaves an action's roles empty.
DEFAULTS = {
    "view": None,  # None: every role (department scope still applies)
    "attach": None,  # evidence may be added while a record is open, by anyone who may see it
    "void": (DEPARTMENT_HEAD, QUALITY_MANAGER, ADMIN),
    "amend": (DEPARTMENT_HEAD, QUALITY_MANAGER, ADMIN),
    "export": None,
}


def company_wide(user) -> bool:
    """Quality office, general manager and admin see every department."""
    return user.role in COMPANY_WIDE


def in_scope(user, record) -> bool:
    """A record is in scope when it belongs to the user's department, or the user is company-wide."""
    return company_wide(user) or record.department_id == user.department_id


def can(user, action: str, spec=None, record=None) -> bool:
    """May ``user`` do ``action`` on form ``spec`` (and ``record`` when given)?"""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if spec is None:
        return user.role in SITE_RIGHTS.get(action, ())
    if action == "discard":
        return record is not None and _own_unsubmitted_draft(user, record)
    if action == "edit" and record is not None and record.status == IN_PROGRESS:
        # Filling a later step: whoever may sign that step, while it waits (and if it has fields).
        step = signable_step(user, spec, record)
        return step is not None and bool(spec.step_fields(step.name))
    if action == "create" and spec.create_departments and not _in_departments(user, spec.create_departments):
        return False
    roles = _roles(spec, action)
    if roles is not None and user.role not in roles:
        # Draft authors may still see, edit and void their own draft.
        if not (record is not None and action in ("view", "edit", "void", "attach")
                and record.status == DRAFT and record.created_by_id == user.id):
            return False
    if record is None:
        return True
    if not in_scope(user, record) and not (action == "view" and spec.visible_to_all):
        # A step signed from another department (own_department: false) opens the record to
        # the people who may sign it, while it waits for them.
        # Whoever must sign the waiting step may also add its evidence.
        if not ((action in ("view", "attach") and _eligible_now(user, spec, record))
                or (action == "view" and any(s.user_id == user.id for s in record.all_signatures))):
            return False
    if action == "edit":
        return record.status == DRAFT and not record.signatures
    if action == "void":
        return record.status in (DRAFT, IN_PROGRESS, CLOSED)
    if action == "amend":
        return record.status == CLOSED and record.superseded_by_id is None
    if action == "attach":
        return record.status in (DRAFT, IN_PROGRESS)
    return True


def _own_unsubmitted_draft(user, record) -> bool:
    """The author's draft that was never submitted (no number, no signature, not even a returned
    one): the author discards it rather than voids it (``service.discard``)."""
    return (record.status == DRAFT and record.created_by_id == user.id and not record.number
            and not record.all_signatures)


def _eligible_now(user, spec, record) -> bool:
    step = spec.step(record.current_step) if record.current_step else None
    if record.status != IN_PROGRESS or step is None:
        return False
    if step.signer_field:  # the named person (an action's owner) may be in another department
        return _named_signer(user, step, record)
    return (not step.own_department and user.role in step.roles and _right_department(user, step, record)
            and (not step.departments or _in_departments(user, step.departments)))


def _in_departments(user, codes: tuple) -> bool:
    """The user belongs to one of the departments a declaration names."""
    return user.department is not None and user.department.code in codes


def _named_signer(user, step, record) -> bool:
    return str(record.values.get(step.signer_field)) == str(user.id)


def _right_department(user, step, record) -> bool:
    """A step routed by a field (e.g. 承办部门) is for that department only."""
    if not step.department_field:
        return True
    return user.department.code == record.values.get(step.department_field)


def _roles(spec, action):
    declared = spec.permissions.get(action) or ()
    if action == "edit" and not declared:
        # Whoever may create the form may edit its drafts in their department (a clerk can
        # finish and submit a draft a head started, e.g. an amendment).
        declared = spec.permissions.get("create") or ()
    return declared or DEFAULTS.get(action, ())


def signable_step(user, spec, record):
    """The workflow step ``user`` may sign on ``record`` now, or None."""
    if record.status not in (DRAFT, IN_PROGRESS) or not record.current_step:
        return None
    step = spec.step(record.current_step)
    if step is None or not can(user, "view", spec, record):
        return None
    if step is spec.workflow[0]:
        # Submitting: whoever may edit the draft.
        may = can(user, "edit", spec, record) and (user.role in step.roles or record.created_by_id == user.id)
        return step if may else None
    if step.signer_field:
        # One named person signs (an action's owner), whatever their role or department.
        if not _named_signer(user, step, record):
            return None
    elif user.role not in step.roles:
        return None
    elif step.own_department and not company_wide(user) and record.department_id != user.department_id:
        return None
    if not _right_department(user, step, record):
        return None
    if step.departments and not _in_departments(user, step.departments):
        return None
    signers = {s.step: s.user_id for s in record.signatures}
    if any(signers.get(other) == user.id for other in step.not_same_as):
        return None
    return step


def send_back_step(user, spec, record):
    """The step ``user`` may send ``record`` back to now, or None.

    Whoever may sign the waiting step (:func:`signable_step`) may instead return the previous step
    that applies (steps whose ``only_if`` fails are passed over) when that step holds a live
    signature: a record a procedure opened by itself has none on its first step, so it cannot go
    back there. A draft has nothing before it."""
    if record.status != IN_PROGRESS:
        return None
    waiting = signable_step(user, spec, record)
    if waiting is None:
        return None
    prev = spec.previous_step(waiting.name, record.values)
    if prev is None or not any(s.step == prev.name for s in record.signatures):
        return None
    return prev


def send_back_refusal(user, spec, record) -> str | None:
    """Why ``user`` cannot send ``record`` back now, in words (None when they can)."""
    if send_back_step(user, spec, record) is not None:
        return None
    if record.status == IN_PROGRESS and signable_step(user, spec, record) is not None:
        return _("There is no earlier signature to send this record back to.")
    if segregated(user, spec, record):
        return _("You signed an earlier step of this record; another person must sign this one.")
    return _("Only whoever may sign the waiting step can send this record back.")


def require(user, action: str, spec=None, record=None) -> None:
    """Raise 403 unless :func:`can` allows it."""
    if not can(user, action, spec, record):
        raise Forbidden(_("You are not allowed to do this."))


def segregated(user, spec, record) -> bool:
    """``user`` would sign the waiting step but signed an earlier one the declaration keeps apart
    (``not_same_as``): someone else must sign it."""
    waiting = spec.step(record.current_step) if record.current_step else None
    return (waiting is not None and record.status == IN_PROGRESS and user.role in waiting.roles
            and any(s.user_id == user.id and s.step in waiting.not_same_as for s in record.signatures))


def sign_refusal(user, spec, record) -> str | None:
    """Why ``user`` cannot sign ``record`` now, in words (None when a step waits for them). The
    record page, the API and the procedures' panels give the same reason."""
    if signable_step(user, spec, record) is not None:
        return None
    if segregated(user, spec, record):
        return _("You signed an earlier step of this record; another person must sign this one.")
    return _("There is nothing here for you to sign.")
