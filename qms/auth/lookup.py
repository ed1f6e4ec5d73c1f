"""People's names and departments as pages and generated texts show them, in one query each."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from ..extensions import db
from .models import Department, DepartmentAlias, User


def names(ids: Iterable) -> dict[int, str]:
    """{user id: full name} of the users among ``ids`` (ids may be strings or None)."""
    wanted = set()
    for i in ids:
        try:
            wanted.add(int(i))
        except (TypeError, ValueError):
            continue
    if not wanted:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(wanted))).all())


def department_labels(locale: str) -> dict[int, str]:
    """{department id: name in ``locale``} of every department (a dozen rows)."""
    return {d.id: d.label(locale) for d in db.session.execute(select(Department)).scalars()}


def departments_by_name() -> dict[str, Department]:
    """{name: department} for every name a department goes by: its Chinese name, its English name
    and its aliases (a procedure names 客户服务中心 or 终端部: the department 客户服务部 or 终端服务部)."""
    out: dict[str, Department] = {}
    depts = db.session.execute(select(Department)).scalars().all()
    for d in depts:
        out[d.name_en] = d
    for a in db.session.execute(select(DepartmentAlias)).scalars():
        out[a.name] = a.department
    for d in depts:
        out[d.name_zh] = d  # a department's own name wins over another's alias
    return out


def department_name(code: str, locale: str) -> str:
    """The name of the department ``code`` in ``locale`` (the code itself when unknown)."""
    d = Department.by_code(code)
    return d.label(locale) if d else code
