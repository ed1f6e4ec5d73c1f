"""Home: what waits for this user (to fill, to sign, overdue), their calendar duties per period
(done, open, overdue) and recent activity."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from ..core.audit import AuditEvent
from ..core.timeutil import today, utcnow
from ..extensions import db
from ..records import policy, service, waiting
from ..records import spec as specs
from ..records.models import DRAFT, IN_PROGRESS, Record
from ..reminders import duties
from ..reminders import rules as reminder_rules
from ..reminders.views import duty_context

bp = Blueprint("home", __name__)


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
    signable = waiting.waiting_for(user)
    # 需要我签名: what can be signed now (the same sign checks as the record page); what waits on
    # something else first (an attachment, an earlier action) goes with the department's open work.
    to_sign, blocked = [], []
    for r in signable:
        spec = specs.by_revision(r.form_revision_id)
        (blocked if service.sign_blockers(r, spec, spec.step(r.current_step), user) else to_sign).append(r)
    # 我的定期工作: the calendar duties this person is reminded of, this period and the ones before.
    mine = duties.owned_by(user, reminder_rules.calendar())
    return render_template("home/index.html", drafts=drafts, to_sign=to_sign, overdue=overdue,
                           department=blocked + waiting.department_open(user, exclude={r.id for r in signable}),
                           recent=recent, creatable=creatable, specs=specs,
                           **duty_context(mine, utcnow()))
