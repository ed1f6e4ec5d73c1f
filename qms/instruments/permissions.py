"""Who may act on an instrument, in one place: the record pages' buttons and the sign checks ask
the same predicates (INS-02, INS-05, INS-06, INS-11). The generic rights (who creates which form)
come from the records policy."""
from __future__ import annotations

from ..auth.models import Department
from ..extensions import db
from ..records import policy
from .forms import KEEPER, MONITORING, MONITORING_KEEPER, PUBLIC
from .models import Instrument


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
