"""Who may act on an instrument, in one place: the record pages' buttons and the sign checks ask
the same predicates (INS-02, INS-05, INS-06, INS-11). The generic rights (who creates which form)
come from the records policy."""
from __future__ import annotations

from sqlalchemy import select

from ..auth.models import Department, User
from ..extensions import db
from ..records import policy
from ..records import spec as specs
from ..records.models import IN_PROGRESS, Record
from .forms import KEEPER, MONITORING, MONITORING_KEEPER, PUBLIC
from .models import Instrument

RETURN_STEP = "return"  # INS-USAGE's last step: the keeper checks the instrument back in


def dept_code(user) -> str:
    """The code of ``user``'s department ("" without one)."""
    return user.department.code if user.department else ""


def is_keeper(user) -> bool:
    """技术发展部 (who keeps every instrument's register and label), or company-wide staff."""
    return policy.company_wide(user) or dept_code(user) == KEEPER


def keeps(user, inst: Instrument | None) -> bool:
    """Loans are handed out and taken back by 技术发展部 or the department that keeps the instrument."""
    if inst is None:
        return True
    custodian = db.session.get(Department, inst.department_id)
    return is_keeper(user) or (custodian is not None and custodian.code == dept_code(user))


def maintainer_code(inst: Instrument) -> str:
    """The department code that maintains ``inst`` (INS-05, INS-06): 运行维护部 for the monitoring
    system's equipment, 技术发展部 for public instruments, the using department otherwise."""
    if inst.category == MONITORING:
        return MONITORING_KEEPER
    if inst.category == PUBLIC:
        return KEEPER
    dept = db.session.get(Department, inst.department_id)
    return dept.code if dept else KEEPER


def maintains(user, inst: Instrument) -> bool:
    """Only the keeping department maintains the instrument."""
    return dept_code(user) == maintainer_code(inst)


def may_hand_over(user, inst: Instrument) -> bool:
    """Its custodian, or 技术发展部, starts a handover (INS-11)."""
    return bool(inst.custodian_id) and (user.id == inst.custodian_id or dept_code(user) == KEEPER)


def accepts_return(user, inst: Instrument, loan: Record | None) -> bool:
    """``user`` may check the return of ``loan`` now: it waits for its return check, the declaration
    lets them sign it (not the borrower who requested it: ``not_same_as``) and they keep the instrument."""
    if loan is None or loan.status != IN_PROGRESS or loan.current_step != RETURN_STEP:
        return False
    spec = specs.by_revision(loan.form_revision_id)
    return policy.signable_step(user, spec, loan) is not None and keeps(user, inst)


def may_hand_back(user, inst: Instrument, loan: Record | None) -> bool:
    """The borrower holding ``inst`` on ``loan`` hands it back when they may not check the return themselves."""
    return (loan is not None and inst.loan_id == loan.id and inst.holder_id == user.id
            and loan.current_step == RETURN_STEP and not accepts_return(user, inst, loan))


def return_checkers(inst: Instrument, loan: Record) -> list[int]:
    """Who is told that ``loan``'s instrument was handed back: the keeper who handed it out, else its
    custodian, when they may check the return; otherwise everyone of the keeping department (then
    of 技术发展部) who may. The first is the reminder's owner."""
    first = [s.user_id for s in loan.signatures if s.step == "hand_out"] + [inst.custodian_id]
    for uid in first:
        user = db.session.get(User, uid) if uid else None
        if user is not None and user.active and accepts_return(user, inst, loan):
            return [uid]
    for dept_id in (inst.department_id, Department.id_of(KEEPER)):
        people = db.session.execute(select(User).where(User.department_id == dept_id, User.active.is_(True))
                                    .order_by(User.id).limit(50)).scalars()
        found = [u.id for u in people if accepts_return(u, inst, loan)]
        if found:
            return found
    return []
