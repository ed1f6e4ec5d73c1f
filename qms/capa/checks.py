"""The rules of the procedure the declarations cannot express (CA-02..CA-05): value checks on
create, update and sign, and why a step cannot be signed yet. Pure functions of the record,
its values and the user; registered in the package's ``PROCEDURE``."""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _

from ..core.i18n import current_locale
from ..core.timeutil import today
from ..records import policy
from ..records.lookup import record_of
from ..records.models import CLOSED, DRAFT, IN_PROGRESS
from .forms import PLANNING_STEPS
from .queries import actions_of, rounds_of


def check_capa(record, values, user) -> dict:
    """A round is for an open nonconformity with no other open round; a follow-up round continues
    one of the same nonconformity that was verified not effective."""
    errors = {}
    nc = record_of(values, "nonconformity")
    if nc is not None and (record is None or record.status == DRAFT):
        if nc.status != IN_PROGRESS:
            errors["nonconformity"] = [_("This nonconformity is not open (not submitted, closed or voided).")]
        else:
            others = [c for c in rounds_of(nc.id) if c.status in (DRAFT, IN_PROGRESS)
                      and (record is None or c.id != record.id)]
            if others:
                errors["nonconformity"] = [
                    _("A corrective action record for this nonconformity is already open: %(number)s.",
                      number=others[0].display_number)]
    prev = record_of(values, "previous_capa") if values.get("previous_capa") else None
    if prev is not None and (str(prev.values.get("nonconformity")) != str(values.get("nonconformity"))
                             or prev.status != CLOSED or prev.values.get("effective") != "no"):
        errors["previous_capa"] = [_("Only a round of the same nonconformity that was verified not effective.")]
    return errors


def check_action(record, values, user) -> dict:
    """Draft only (the owner filling in the implementation later was checked when assigned):
    actions are added while their round is being planned, in its department, due in the future."""
    errors = {}
    capa = record_of(values, "capa")
    if capa is not None:
        if capa.status != IN_PROGRESS or capa.current_step not in PLANNING_STEPS:
            errors["capa"] = [_("Actions are added while the CAPA record is at cause analysis or action planning.")]
        elif not policy.company_wide(user) and capa.department_id != user.department_id:
            errors["capa"] = [_("This CAPA record belongs to another department.")]
    due = values.get("due_on")
    if due and date.fromisoformat(due) < today():
        errors["due_on"] = [_("The due date may not be in the past.")]
    return errors


def sign_capa(record, spec, step, user) -> str | None:
    """Issued to the nonconformity's department; planned with actions; implemented when they are
    done; verified after the set period, by someone who took no part in the actions."""
    values = record.values
    if step.name == "issue":
        nc = record_of(values, "nonconformity")
        if nc is not None and nc.department_id != record.department_id:
            return _("The record must go to the department responsible for the nonconformity (%(dept)s).",
                     dept=nc.department.label(current_locale()))
        return None
    if step.name not in ("plan", "implement", "verify"):
        return None
    actions = actions_of(record.id)
    if step.name == "plan":
        if not actions:
            return _("Add at least one corrective or preventive action with its owner and due date.")
        drafts = [a.display_number for a in actions if a.status == DRAFT]
        if drafts:
            return _("Actions still in draft (assign or void them): %(list)s", list="、".join(drafts))
        return None
    if step.name == "implement":
        pending = [a.display_number for a in actions if a.status != CLOSED]
        if pending:
            return _("Actions not yet done: %(list)s", list="、".join(pending))
        return None
    # verify
    done = values.get("implemented_on")
    if done:
        ready = date.fromisoformat(done) + timedelta(days=int(values.get("verify_after_days") or 0))
        if today() < ready:
            return _("Effectiveness can be verified from %(date)s (the set period after implementation).",
                     date=ready.isoformat())
    for a in actions:
        if str(a.values.get("owner")) == str(user.id) or any(s.user_id == user.id for s in a.signatures):
            return _("You took part in action %(number)s; someone else must verify its effectiveness.",
                     number=a.display_number)
    return None


def sign_nc(record, spec, step, user) -> str | None:
    """A nonconformity closes only after its latest round was verified effective."""
    if step.name != "close":
        return None
    rounds = rounds_of(record.id)
    latest = rounds[-1] if rounds else None
    if latest is None or latest.status != CLOSED or latest.values.get("effective") != "yes":
        return _("A nonconformity closes only after 企业管理部 verified its corrective action effective.")
    return None


def sign_action(record, spec, step, user) -> str | None:
    """An action is done only after its round's plan was approved."""
    if step.name != "implement":
        return None
    capa = record_of(record.values, "capa")
    if capa is None or capa.status != IN_PROGRESS or capa.current_step in PLANNING_STEPS + ("accept", "correct"):
        return _("The action plan of %(number)s must be approved before the action is done.",
                 number=capa.display_number if capa else "—")
    return None
