"""The complaint item catalogue (S004 考核及奖励办法, 74 items with their grade): admin-edited, versioned
data read by the reward record (CS-REWARD) to set its grade and cause. CS-12.

Versioning: the catalogue has one version number. Changing items (their text, grade, cause, being in
use) makes the next version; each row is valid from the version that wrote it (``version_from``) until
the version that replaced it (``version_to``, None while current). Rows are never deleted, so any old
version can be read again (:func:`items_at`) and a reward record names the version it used. Every
change is audited (``complaint_item_changed``/``complaint_item_added``). ``qms init`` writes version 1
from :mod:`.catalogue_items` when the table is empty.

Only items ``in_use`` are offered; a fixed-line company switches off the mobile-only ones
(``mobile``) in one change (:func:`switch_mobile`).
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, Index, String, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from ..core import audit
from ..core.errors import ValidationFailed
from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db
from .catalogue_items import CATEGORIES, ITEMS

GRADES = ("minor", "general", "major", "serious")  # CS-INQ's severity values (轻微/一般/较重/严重 = 重大)
NETWORK_GRADE = ""  # 按"网络通"标准处理: no grade of this scheme (8.1, 8.2)
CAUSES = ("human", "system", "network")
NUMBER = re.compile(r"^[1-9][0-9]?(\.[0-9]{1,2}){0,2}$")  # 2.2.13 as the handbook numbers items
EDITABLE = ("category_zh", "category_en", "text", "grade", "cause", "mobile", "in_use")


class CatalogueItem(db.Model):
    """One item of one span of catalogue versions (the truth: the catalogue is this table)."""

    __tablename__ = "complaint_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(12))  # the handbook's number, e.g. 2.2.13
    position: Mapped[int] = mapped_column(default=0)  # order in the catalogue
    category_zh: Mapped[str] = mapped_column(String(60))  # category title (inferred from the seed)
    category_en: Mapped[str] = mapped_column(String(120))  # the same in English
    text: Mapped[str] = mapped_column(String(400))  # the item as the handbook words it (Chinese)
    grade: Mapped[str] = mapped_column(String(12))  # minor/general/major/serious, "" = 按网络通标准处理
    cause: Mapped[str] = mapped_column(String(12))  # human / system / network (principle B)
    mobile: Mapped[bool] = mapped_column(default=False)  # only a mobile operator has it (SIM, 信用额度...)
    in_use: Mapped[bool] = mapped_column(default=True)  # offered on new reward records
    version_from: Mapped[int] = mapped_column()  # the catalogue version that wrote this row
    version_to: Mapped[int | None] = mapped_column()  # the last version it belongs to; None while current
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: seeded by qms init
    changed_at = mapped_column(UTCDateTime, default=utcnow)  # when this row was written

    __table_args__ = (Index("ix_complaint_items_current", "version_to", "number"),)

    def category(self, locale: str) -> str:
        """The category title in the given locale."""
        return self.category_en if locale == "en" else self.category_zh


def current_version() -> int:
    """The catalogue's current version (0 before ``qms init`` seeded it)."""
    return db.session.execute(select(func.max(CatalogueItem.version_from))).scalar() or 0


def items_at(version: int | None = None) -> list[CatalogueItem]:
    """The items of ``version`` (the current one when None), in catalogue order."""
    q = select(CatalogueItem)
    if version is None:
        q = q.where(CatalogueItem.version_to.is_(None))
    else:
        q = q.where(CatalogueItem.version_from <= version,
                    or_(CatalogueItem.version_to.is_(None), CatalogueItem.version_to >= version))
    return list(db.session.execute(q.order_by(CatalogueItem.position, CatalogueItem.id)).scalars())


def item(number: str, version: int | None = None) -> CatalogueItem | None:
    """Item ``number`` as it reads in ``version`` (the current one when None)."""
    return next((i for i in items_at(version) if i.number == number), None)


def lookup_table() -> dict:
    """The current catalogue's items in use as the lookup table ``catalogue`` of CS-REWARD
    (``lookup(catalogue, item, grade)``): key ``number``; columns grade (None for 网络通 items), cause,
    version. An item unknown or switched off reads as empty: the reward's check names it on the item."""
    version = current_version()
    rows = [{"number": i.number, "grade": i.grade or None, "cause": i.cause, "version": version}
            for i in items_at() if i.in_use]
    return {"catalogue": {"key": "number", "rows": rows, "missing_is_empty": True,
                          "columns": frozenset(("number", "grade", "cause", "version"))}}


def _clean(values: dict) -> dict:
    """An item's submitted values checked; ValidationFailed with a message on each bad field."""
    v = {k: (values.get(k).strip() if isinstance(values.get(k), str) else values.get(k)) for k in EDITABLE}
    v["mobile"], v["in_use"] = bool(v["mobile"]), bool(v["in_use"])
    v["grade"] = v["grade"] or ""
    errors: dict = {}
    for name, most in (("category_zh", 60), ("category_en", 120), ("text", 400)):
        if not v[name]:
            errors[name] = [_("This field is required.")]
        elif len(v[name]) > most:
            errors[name] = [_("At most %(max)d characters.", max=most)]
    if v["grade"] not in (*GRADES, NETWORK_GRADE):
        errors["grade"] = [_("Not a valid choice.")]
    if v["cause"] not in CAUSES:
        errors["cause"] = [_("Not a valid choice.")]
    if errors:
        raise ValidationFailed(errors)
    return v


def _write(old: CatalogueItem | None, number: str, v: dict, version: int, actor, position: int) -> CatalogueItem:
    if old is not None:
        old.version_to = version - 1
    row = CatalogueItem(number=number, position=position, version_from=version, version_to=None,
                        changed_by_id=getattr(actor, "id", None), changed_at=utcnow(), **v)
    db.session.add(row)
    return row


def save(actor, number: str | None, values: dict) -> CatalogueItem | None:
    """Change item ``number`` (or add a new one when None: ``values["number"]``), making the next
    catalogue version; audited. Returns the new row, or None when nothing changed."""
    v = _clean(values)
    old = item(number) if number else None
    if number and old is None:
        raise ValidationFailed({"number": [_("No such item in the current catalogue.")]})
    if old is None:
        number = (values.get("number") or "").strip()
        if not NUMBER.match(number):
            raise ValidationFailed({"number": [_("Write the item number as the handbook does, e.g. 2.2.13.")]})
        if item(number) is not None:
            raise ValidationFailed({"number": [_("This item number is already in the catalogue.")]})
    changes = audit.diff({k: getattr(old, k) for k in EDITABLE} if old else {}, v)
    if not changes:
        return None
    version = current_version() + 1
    position = old.position if old else (db.session.execute(select(func.max(CatalogueItem.position))).scalar() or 0) + 1
    row = _write(old, number, v, version, actor, position)
    db.session.flush()
    if old is None:
        audit.log("complaint_item_added", actor=actor, obj_type="complaint_item", obj_id=row.id,
                  summary=f"{number} v{version}", changes=changes)
    else:
        audit.log("complaint_item_changed", actor=actor, obj_type="complaint_item", obj_id=row.id,
                  summary=f"{number} v{version}", changes=changes)
    return row


def switch_mobile(actor, in_use: bool) -> int:
    """Put every mobile-only item in use or out of use in one new version (a fixed-line company
    switches them off); audited once. Returns how many items changed."""
    rows = [i for i in items_at() if i.mobile and i.in_use != in_use]
    if not rows:
        return 0
    version = current_version() + 1
    for old in rows:
        v = {k: getattr(old, k) for k in EDITABLE}
        _write(old, old.number, {**v, "in_use": in_use}, version, actor, old.position)
    db.session.flush()
    audit.log("complaint_item_changed", actor=actor, obj_type="complaint_item", obj_id=f"v{version}",
              summary=f"mobile items {'on' if in_use else 'off'} v{version}",
              changes={i.number: [not in_use, in_use] for i in rows})
    return len(rows)


def seed() -> int:
    """Version 1 from the handbook, once (an empty table); afterwards the catalogue is the admins'."""
    if db.session.execute(select(CatalogueItem.id).limit(1)).first():
        return 0
    for position, (number, cat, grade, cause, mobile, text) in enumerate(ITEMS, 1):
        zh, en = CATEGORIES[cat]
        db.session.add(CatalogueItem(number=number, position=position, category_zh=zh, category_en=en, text=text,
                                     grade=grade, cause=cause, mobile=mobile, in_use=True, version_from=1))
    db.session.flush()
    return len(ITEMS)
