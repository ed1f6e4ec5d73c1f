"""People administration: every change audited; users deactivated, never deleted."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..auth import session as auth_session
from ..auth.models import Department, DepartmentAlias, User
from ..auth.roles import ROLES
from ..core import audit
from ..core.errors import ValidationFailed
from ..core.timeutil import utcnow
from ..extensions import db
from ..records.procedures import registry


def create_user(actor, *, username: str, full_name: str, department_id: int, role: str,
                password: str, email: str | None = None) -> User:
    """Create a user; a username ever used (even by a deactivated user) is refused."""
    username = username.strip().lower()
    errors = {}
    if db.session.execute(select(User.id).where(func.lower(User.username) == username)).first():
        errors["username"] = [_("This username is taken (usernames are never reused).")]
    if role not in ROLES:
        errors["role"] = [_("Not a valid choice.")]
    if db.session.get(Department, department_id) is None:
        errors["department_id"] = [_("Not a valid choice.")]
    if errors:
        raise ValidationFailed(errors)
    user = User(username=username, full_name=full_name.strip(), department_id=department_id, role=role,
                email=email or None, created_at=utcnow())
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.log("user_created", actor=actor, obj_type="user", obj_id=user.id, summary=username,
              changes={"role": [None, role], "department_id": [None, department_id]})
    return user


def update_user(actor, user: User, *, full_name: str, department_id: int, role: str, email: str | None,
                active: bool, reason: str = "") -> User:
    """Change a user's details; deactivation ends their sessions and needs a reason."""
    old = {"full_name": user.full_name, "department_id": user.department_id, "role": user.role,
           "email": user.email, "active": user.active}
    new = {"full_name": full_name.strip(), "department_id": department_id, "role": role,
           "email": email or None, "active": active}
    if role not in ROLES:
        raise ValidationFailed({"role": [_("Not a valid choice.")]})
    if old["active"] and not active and len((reason or "").strip()) < 2:
        raise ValidationFailed({"reason": [_("A reason is required to deactivate a user.")]})
    changes = audit.diff(old, new)
    if not changes:
        return user
    errors: dict = {}
    # Procedures refuse a change that would lose track of what the user holds (INS-11: instruments).
    for check in registry().user_change_checks:
        for field, messages in (check(user, new) or {}).items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationFailed(errors)
    for k, v in new.items():
        setattr(user, k, v)
    if not active and old["active"]:
        user.deactivated_at = utcnow()
        auth_session.end_sessions(user.id)
    audit.log("user_updated", actor=actor, obj_type="user", obj_id=user.id, summary=user.username,
              changes=changes, reason=reason)
    return user


def _aliases(dept: Department | None, code: str, name_zh: str, aliases) -> list[str]:
    """The other names given for a department, checked: each at most 80 characters and not a name,
    an alias or a code of another department (one unit, one department: SEEDS-DIGEST §5 item 5)."""
    names = []
    for a in aliases or ():
        a = a.strip()
        if a and a not in names and a != name_zh:
            names.append(a)
    errors = []
    for a in names:
        if len(a) > 80:
            errors.append(_("At most %(max)d characters.", max=80))
            continue
        other = Department.by_name(a) or db.session.execute(select(Department).where(Department.code == a)).scalar()
        if (other is not None and other is not dept) or a.upper() == code:
            errors.append(_("%(name)s is already the name of a department.", name=a))
    if errors:
        raise ValidationFailed({"aliases": errors})
    return names


def save_department(actor, dept: Department | None, *, code: str, name_zh: str, name_en: str,
                    active: bool = True, aliases: list[str] | None = None) -> Department:
    """Create or change a department (departments are retired, never deleted). ``aliases``: the
    other names it goes by (None keeps them as they are)."""
    code = code.strip().upper()
    clash = db.session.execute(select(Department).where(
        (Department.code == code) | (Department.name_zh == name_zh.strip()))).scalars().all()
    taken = db.session.execute(select(DepartmentAlias).where(DepartmentAlias.name == name_zh.strip())).scalar()
    if any(d is not dept for d in clash) or (taken is not None and taken.department is not dept):
        raise ValidationFailed({"code": [_("A department with this code or name exists.")]})
    names = _aliases(dept, code, name_zh.strip(), aliases) if aliases is not None else None
    if dept is None:
        dept = Department(code=code, name_zh=name_zh.strip(), name_en=name_en.strip(), active=active)
        dept.aliases = [DepartmentAlias(name=a) for a in names or ()]
        db.session.add(dept)
        db.session.flush()
        audit.log("department_created", actor=actor, obj_type="department", obj_id=dept.id, summary=name_zh,
                  changes={"aliases": [None, names]} if names else None)
        return dept
    if dept.active and not active:
        users = db.session.execute(select(func.count()).select_from(User).where(
            User.department_id == dept.id, User.active.is_(True))).scalar()
        if users:
            raise ValidationFailed({"code": [_("%(n)d active users belong to this department: move or "
                                               "deactivate them first.", n=users)]})
    old = {"code": dept.code, "name_zh": dept.name_zh, "name_en": dept.name_en, "active": dept.active,
           "aliases": dept.alias_names}
    new = {"code": code, "name_zh": name_zh.strip(), "name_en": name_en.strip(), "active": active,
           "aliases": names if names is not None else dept.alias_names}
    changes = audit.diff(old, new)
    for k in ("code", "name_zh", "name_en", "active"):
        setattr(dept, k, new[k])
    if "aliases" in changes:
        keep = {a.name: a for a in dept.aliases}
        dept.aliases = [keep.get(a) or DepartmentAlias(name=a) for a in new["aliases"]]
    if changes:
        audit.log("department_updated", actor=actor, obj_type="department", obj_id=dept.id,
                  summary=dept.name_zh, changes=changes)
    return dept
