"""Home: what waits for this user (to fill, to sign, overdue) and recent activity."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import and_, or_, select

from ..core.audit import AuditEvent
from ..core.timeutil import today
from ..extensions import db
from ..records import policy
from ..records import spec as specs
from ..records.models import DRAFT, IN_PROGRESS, Record, RecordFacet

bp = Blueprint("home", __name__)


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


@bp.route("/")
@login_required
def index():
    user = current_user._get_current_object()
    drafts = db.session.execute(
        select(Record).where(Record.created_by_id == user.id, Record.status == DRAFT)
        .order_by(Record.id.desc()).limit(30)).scalars().all()
    overdue_q = select(Record).where(Record.status.in_((DRAFT, IN_PROGRESS)), Record.due_on < today())
    if not policy.company_wide(user):
        overdue_q = overdue_q.where(Record.department_id == user.department_id)
    overdue = db.session.execute(overdue_q.order_by(Record.due_on).limit(30)).scalars().all()
    recent_q = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(15)
    if not policy.can(user, "audit_global"):
        recent_q = recent_q.where(AuditEvent.actor_id == user.id)
    recent = db.session.execute(recent_q).scalars().all()
    creatable = [s for s in specs.all_specs() if policy.can(user, "create", s)]
    return render_template("home/index.html", drafts=drafts, to_sign=waiting_for(user), overdue=overdue,
                           recent=recent, creatable=creatable, specs=specs)
