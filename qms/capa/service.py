"""Nonconformities and corrective/preventive actions: the rules the declarations cannot express
(registered on the records service, so the web, the API and other procedures meet the same ones),
the next round when an action was not effective, and the one call other procedures use to open a
nonconformity (:func:`open_nonconformity`).
"""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..core import policy
from ..core.timeutil import today
from ..extensions import db
from ..records import service
from ..records import spec as specs
from ..records.models import CLOSED, DRAFT, IN_PROGRESS, VOIDED, Record, RecordFacet

NC, CAPA, ACTION = "CA-NC", "CA-CAPA", "CA-ACTION"
# Steps of a CAPA record at which its actions may still be added (before the plan is approved).
PLANNING_STEPS = ("cause", "plan")


def linked(form_code: str, field: str, record_id: int) -> list[Record]:
    """Records of ``form_code`` whose link field ``field`` points at ``record_id`` (oldest first)."""
    ids = db.session.execute(select(RecordFacet.record_id).where(
        RecordFacet.form_code == form_code, RecordFacet.field == field,
        RecordFacet.value == str(record_id))).scalars().all()
    if not ids:
        return []
    return db.session.execute(select(Record).where(Record.id.in_(ids)).order_by(Record.id)).scalars().all()


def rounds_of(nc_id: int) -> list[Record]:
    """The CAPA rounds of a nonconformity, voided ones left out, oldest first."""
    return [r for r in linked(CAPA, "nonconformity", nc_id) if r.status not in (VOIDED, "superseded")]


def actions_of(capa_id: int) -> list[Record]:
    """The actions of a CAPA round, voided ones left out."""
    return [r for r in linked(ACTION, "capa", capa_id) if r.status not in (VOIDED, "superseded")]


def _get(record_id) -> Record | None:
    try:
        return db.session.get(Record, int(record_id))
    except (TypeError, ValueError):
        return None


def open_nonconformity(source_record: Record | None, source: str, department_id: int, severity: str,
                       description: str, actor, requirement: str | None = None,
                       found_on: date | None = None) -> Record:
    """Open a nonconformity from another procedure's record (CA-01): a failed calibration or
    billing-accuracy test, an overdue key-customer service...

    It is validated like one a person fills in, numbered, and waits for 企业管理部; a serious one
    goes to the general manager at once (CA-04). ``actor`` is the person whose signed act caused
    it (named in the audit trail as its cause). Raises ValidationFailed on bad values.
    """
    spec = specs.get(NC)
    values = {"source": source, "severity": severity, "found_on": (found_on or today()).isoformat(),
              "source_record": source_record.id if source_record is not None else None,
              "description": description, "requirement": requirement}
    cause = f"{source_record.form_code} {source_record.display_number}" if source_record is not None else source
    return service.create_automatic(spec, actor, values, department_id, cause=cause)


# ---- value checks (create, update, sign) ----

def _check_capa(record, values, user) -> dict:
    errors = {}
    nc = _get(values.get("nonconformity"))
    if nc is not None and (record is None or record.status == DRAFT):
        if nc.status != IN_PROGRESS:
            errors["nonconformity"] = [_("This nonconformity is not open (not submitted, closed or voided).")]
        else:
            others = [c for c in rounds_of(nc.id) if c.status in (DRAFT, IN_PROGRESS)
                      and (record is None or c.id != record.id)]
            if others:
                errors["nonconformity"] = [_("A corrective action record for this nonconformity is already open: %(number)s.",
                                             number=others[0].display_number)]
    prev = _get(values.get("previous_capa")) if values.get("previous_capa") else None
    if prev is not None and (str(prev.values.get("nonconformity")) != str(values.get("nonconformity"))
                             or prev.status != CLOSED or prev.values.get("effective") != "no"):
        errors["previous_capa"] = [_("Only a round of the same nonconformity that was verified not effective.")]
    return errors


def _check_action(record, values, user) -> dict:
    if record is not None and record.status != DRAFT:
        return {}  # the owner filling in the implementation: the plan was checked when assigned
    errors = {}
    capa = _get(values.get("capa"))
    if capa is not None:
        if capa.status != IN_PROGRESS or capa.current_step not in PLANNING_STEPS:
            errors["capa"] = [_("Actions are added while the CAPA record is at cause analysis or action planning.")]
        elif not policy.company_wide(user) and capa.department_id != user.department_id:
            errors["capa"] = [_("This CAPA record belongs to another department.")]
    due = values.get("due_on")
    if due and date.fromisoformat(due) < today():
        errors["due_on"] = [_("The due date may not be in the past.")]
    return errors


# ---- why a step cannot be signed yet ----

def _sign_capa(record, spec, step, user) -> str | None:
    values = record.values
    if step.name == "issue":
        nc = _get(values.get("nonconformity"))
        if nc is not None and nc.department_id != record.department_id:
            return _("The record must go to the department responsible for the nonconformity (%(dept)s).",
                     dept=nc.department.label(_locale()))
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


def _sign_nc(record, spec, step, user) -> str | None:
    if step.name != "close":
        return None
    rounds = rounds_of(record.id)
    latest = rounds[-1] if rounds else None
    if latest is None or latest.status != CLOSED or latest.values.get("effective") != "yes":
        return _("A nonconformity closes only after 企业管理部 verified its corrective action effective.")
    return None


def _sign_action(record, spec, step, user) -> str | None:
    if step.name != "implement":
        return None
    capa = _get(record.values.get("capa"))
    if capa is None or capa.status != IN_PROGRESS or capa.current_step in PLANNING_STEPS + ("accept", "correct"):
        return _("The action plan of %(number)s must be approved before the action is done.",
                 number=capa.display_number if capa else "—")
    return None


def _locale() -> str:
    from ..core.i18n import current_locale
    return current_locale()


# ---- after every change ----

def on_change(record, spec, new: bool = False) -> None:
    """Open the next round when a CAPA was not effective, and keep the desk row in step."""
    from . import desk
    code = spec.code
    if code == NC:
        desk.refresh(record.id)
    elif code == CAPA:
        if record.status == CLOSED and record.values.get("effective") == "no":
            _next_round(record, spec)
        desk.refresh(record.values.get("nonconformity"))
    elif code == ACTION:
        capa = _get(record.values.get("capa"))
        if capa is not None:
            desk.refresh(capa.values.get("nonconformity"))


def _next_round(capa: Record, spec) -> Record | None:
    """Verified not effective: the nonconformity reopens with a new round, drafted for the verifier
    to issue (the finding carried over)."""
    if any(str(r.values.get("previous_capa")) == str(capa.id) for r in linked(CAPA, "nonconformity",
                                                                            capa.values.get("nonconformity"))):
        return None
    from ..auth.models import User
    verifier = db.session.get(User, capa.signatures[-1].user_id)
    values = capa.values
    return draft_round(db.session.get(Record, values["nonconformity"]), verifier, values.get("finding") or "",
                       values.get("requirement") or "", int(values.get("verify_after_days") or 30), previous=capa)


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


def install() -> None:
    """Register the checks and the hook once per process."""
    service.VALUE_CHECKS[CAPA] = [_check_capa]
    service.VALUE_CHECKS[ACTION] = [_check_action]
    service.SIGN_CHECKS[CAPA] = [_sign_capa]
    service.SIGN_CHECKS[NC] = [_sign_nc]
    service.SIGN_CHECKS[ACTION] = [_sign_action]
    if on_change not in service.AFTER_CHANGE:
        service.AFTER_CHANGE.append(on_change)
