"""Each department's designated reward reviewer (S004 实施细则 第七条 「由各部门自行确定投诉奖励的审核人」): admin
data, changed on /complaints/rewards/reviewers and audited. The reward record (CS-REWARD) names the
reviewer in its ``reviewer`` field, which the review step's ``signer_field`` makes the only signer;
:func:`designated` is what that field must hold when the record is filled in. CS-12.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Department, User
from ..core import audit
from ..core.errors import ValidationFailed
from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db


class RewardReviewer(db.Model):
    """Who reviews the complaint rewards of one department (one row per department; changes are
    audited, the audit trail keeps who it was before)."""

    __tablename__ = "reward_reviewers"
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)  # the department
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # its reviewer
    updated_at = mapped_column(UTCDateTime, default=utcnow)  # last change

    user: Mapped[User] = relationship(lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined")


def designated(department_id: int | None) -> User | None:
    """The designated reviewer of ``department_id`` (None when none is named or they are inactive)."""
    row = db.session.get(RewardReviewer, department_id) if department_id else None
    return row.user if row is not None and row.user.active else None


def all_rows() -> list[RewardReviewer]:
    """Every department's reviewer, by department."""
    return list(db.session.execute(select(RewardReviewer).order_by(RewardReviewer.department_id)).scalars())


def save(actor, department_id: int | None, user_id: int | None) -> RewardReviewer:
    """Name ``user_id`` the reward reviewer of ``department_id``; audited as ``reward_reviewer_set``."""
    dept = db.session.get(Department, department_id) if department_id else None
    user = db.session.get(User, user_id) if user_id else None
    errors: dict = {}
    if dept is None:
        errors["department_id"] = [_("Not a valid choice.")]
    if user is None or not user.active:
        errors["user_id"] = [_("Choose an active user.")]
    if errors:
        raise ValidationFailed(errors)
    row = db.session.get(RewardReviewer, dept.id)
    old = row.user_id if row else None
    if old == user.id:
        return row
    if row is None:
        row = RewardReviewer(department_id=dept.id, user_id=user.id, updated_at=utcnow())
        db.session.add(row)
    else:
        row.user_id, row.updated_at = user.id, utcnow()
    db.session.flush()
    audit.log("reward_reviewer_set", actor=actor, obj_type="department", obj_id=dept.id,
              summary=f"{dept.code} {user.full_name}", changes={"reviewer": [old, user.id]})
    return row
