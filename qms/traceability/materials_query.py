"""Reads of the materials part (IT-05): goods pending inspection, goods segregated by area, and the
people of a department who are told. The slips (IT-QA records) are the truth: these read the open
ones only (status and current step are columns of the records table), so the lists stay short."""
from __future__ import annotations

from sqlalchemy import select

from ..auth.models import User
from ..auth.roles import CLERK, DEPARTMENT_HEAD, TECHNICIAN
from ..extensions import db
from ..records.models import IN_PROGRESS, Record

SLIP = "IT-QA"
WAITING = ("inspect", "accept")  # 待检: the requesting department has not yet inspected and accepted
SEGREGATED = ("segregate", "dispose")  # not accepted: kept apart until returned or scrapped


def department_people(department_id: int) -> list[int]:
    """Active heads, then clerks and technicians of a department (the first is the watch's owner)."""
    rows = db.session.execute(select(User.id, User.role).where(
        User.department_id == department_id, User.active.is_(True),
        User.role.in_((DEPARTMENT_HEAD, CLERK, TECHNICIAN))).order_by(User.id)).all()
    heads = [uid for uid, role in rows if role == DEPARTMENT_HEAD]
    return heads + [uid for uid, role in rows if role != DEPARTMENT_HEAD]


def _open(steps: tuple) -> list[Record]:
    return list(db.session.execute(select(Record).where(
        Record.form_code == SLIP, Record.status == IN_PROGRESS, Record.current_step.in_(steps))
        .order_by(Record.id)).scalars())


def pending_inspection() -> list[Record]:
    """Slips whose goods are 待检 (waiting for the requesting department's inspection or acceptance), oldest first."""
    return _open(WAITING)


def segregated_by_area() -> list[tuple[str, list[Record]]]:
    """Slips whose goods are kept apart, grouped by segregation area (those not yet placed first, under "")."""
    groups: dict[str, list[Record]] = {}
    for rec in _open(SEGREGATED):
        area = rec.values.get("segregation_area") if rec.current_step == "dispose" else ""
        groups.setdefault(area or "", []).append(rec)
    return sorted(groups.items())
