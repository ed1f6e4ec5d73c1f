"""The warehouse's designated segregation areas (IT-05; S003 「仓库管理员应把退换、报废品或待处理品分别
隔离放置在规定的区域」): the administrator's list, read by the quality acceptance slip's segregation step
(a slip names one area in use). The seed names no area; the migration that made the table wrote three
defaults (退换品区, 报废品区, 待处理品区, :data:`DEFAULT_AREAS`). Areas are never deleted, only switched
off; every change is audited."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..core import audit
from ..core.errors import ValidationFailed
from ..core.timeutil import utcnow
from ..extensions import db
from .facilities_models import SegregationArea

DEFAULT_AREAS = (("退换品区", "仓库东侧,退换货物待供应商取回"), ("报废品区", "仓库西北角,待报废处理"),
                 ("待处理品区", "仓库门口左侧,待申购部门决定"))


def areas(in_use_only: bool = True) -> list[SegregationArea]:
    """The areas, by name (only those in use unless told otherwise)."""
    q = select(SegregationArea).order_by(SegregationArea.name)
    if in_use_only:
        q = q.where(SegregationArea.in_use.is_(True))
    return list(db.session.execute(q).scalars())


def is_area(name) -> bool:
    """Whether ``name`` is an area in use."""
    return bool(name) and db.session.execute(select(SegregationArea.id).where(
        SegregationArea.name == str(name).strip(), SegregationArea.in_use.is_(True))).first() is not None


def save(actor, area_id: int | None, name: str, note: str = "", in_use: bool = True) -> SegregationArea:
    """Add an area (``area_id`` None) or change one; audited. ValidationFailed on ``name``."""
    name, note = (name or "").strip(), (note or "").strip()[:200]
    if not name:
        raise ValidationFailed({"name": [_("This field is required.")]})
    if len(name) > 60:
        raise ValidationFailed({"name": [_("At most %(max)d characters.", max=60)]})
    row = db.session.get(SegregationArea, area_id) if area_id else None
    if area_id and row is None:
        raise ValidationFailed({"name": [_("No such area.")]})
    clash = db.session.execute(select(SegregationArea.id).where(SegregationArea.name == name)).scalar()
    if clash is not None and (row is None or clash != row.id):
        raise ValidationFailed({"name": [_("There is already an area of this name.")]})
    old = {"name": row.name, "note": row.note, "in_use": row.in_use} if row else {}
    new = {"name": name, "note": note, "in_use": bool(in_use)}
    if row is None:
        row = SegregationArea()
        db.session.add(row)
    row.name, row.note, row.in_use = name, note, bool(in_use)
    row.changed_by_id, row.changed_at = getattr(actor, "id", None), utcnow()
    db.session.flush()
    changes = audit.diff(old, new)
    if changes:
        audit.log("segregation_area_changed", actor=actor, obj_type="segregation_area", obj_id=row.id,
                  summary=name, changes=changes)
    return row

