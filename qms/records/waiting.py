"""What waits for a person's signature: the home page's list and the "next" button after signing.

One query over the steps this person's role (or their name, for a named signer) may sign, in
their department unless the step is signed from elsewhere; the policy then decides each record
exactly (segregation of duties), so the list never offers what cannot be signed.
"""
from __future__ import annotations

from sqlalchemy import and_, or_, select

from ..extensions import db
from . import policy
from . import spec as specs
from .models import IN_PROGRESS, Record, RecordFacet


def waiting_for(user, limit: int = 30):
    """Records whose next signature is one this user's role gives (scope applied)."""
    conds = []
    wide = policy.company_wide(user)
    for spec in specs.all_specs():
        for step in spec.workflow[1:]:
            if step.signer_field:  # steps for one named person (an action's owner), found by the facet
                conds.append(and_(Record.form_code == spec.code, Record.current_step == step.name, Record.id.in_(
                    select(RecordFacet.record_id).where(RecordFacet.form_code == spec.code,
                                                        RecordFacet.field == step.signer_field,
                                                        RecordFacet.value == str(user.id)))))
        for own in (True, False):
            steps = [s.name for s in spec.workflow[1:] if user.role in s.roles and s.own_department == own
                     and not s.signer_field]
            if not steps:
                continue
            cond = and_(Record.form_code == spec.code, Record.current_step.in_(steps))
            if own and not wide:
                cond = and_(cond, Record.department_id == user.department_id)
            conds.append(cond)
    if not conds:
        return []
    stmt = select(Record).where(Record.status == IN_PROGRESS, or_(*conds))
    rows = db.session.execute(stmt.order_by(Record.id.desc()).limit(limit * 2)).scalars().all()
    out = []
    for r in rows:  # the precise rule (segregation of duties) is the policy's
        if policy.signable_step(user, specs.by_revision(r.form_revision_id), r):
            out.append(r)
    return out[:limit]


def department_open(user, exclude: set, limit: int = 20) -> list[Record]:
    """本部门待处理: the department's records in progress, waiting on someone (newest first), that
    are not already in ``user``'s list to sign; one index range (status, step, department)."""
    rows = db.session.execute(select(Record).where(
        Record.status == IN_PROGRESS, Record.department_id == user.department_id)
        .order_by(Record.id.desc()).limit(limit + len(exclude))).scalars().all()
    return [r for r in rows if r.id not in exclude][:limit]
