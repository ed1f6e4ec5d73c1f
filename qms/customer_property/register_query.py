"""Reading the customer-property register (CP-01): the filters people type (kind, state, department,
a phone number typed any way) checked into field messages, and keyset pages over the item table.

No COUNT and no OFFSET (as ``records.register``): a page is "the next N items after this id", newest
first, which each filter answers from one index (``ix_customer_property_phone``, ``_state``, ``_kind``).
The register page, its Excel export and ``GET /api/v1/customer-property`` share these functions, so
a bad filter is the same message on the page and a 422 in the API.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.models import Department
from ..extensions import db
from ..records import phones
from . import register as reg
from .models import PropertyItem

PAGE = 50  # items on a page of the register
API_MAX = 200  # items an API page may ask for
EXPORT_MAX = 20_000  # rows in one Excel export (the caption says when it was cut)
FILTERS = ("kind", "state", "department", "phone")


class BadFilter(ValueError):
    """Filters that cannot be understood: {param: [message]} (the page shows them, the API answers 422)."""

    def __init__(self, errors: dict):
        super().__init__(str(errors))
        self.errors = errors


@dataclass
class Filters:
    """The register's filters as typed (``typed``, for links and the caption) and as the query uses them."""

    typed: dict = field(default_factory=dict)
    kind: str = ""
    state: str = ""
    department_id: int | None = None
    phone_key: str = ""
    after: int | None = None


def parse(args) -> Filters:
    """The filters in ``args`` (a query string); BadFilter with a message per bad parameter."""
    typed = {k: (args.get(k) or "").strip() for k in FILTERS if (args.get(k) or "").strip()}
    out, errors = Filters(typed=typed), {}
    if typed.get("kind"):
        if typed["kind"] in reg.KINDS:
            out.kind = typed["kind"]
        else:
            errors["kind"] = [_("Not a valid choice.")]
    if typed.get("state"):
        if typed["state"] in reg.STATES:
            out.state = typed["state"]
        else:
            errors["state"] = [_("Not a valid choice.")]
    if typed.get("department"):
        dept = Department.by_code(typed["department"][:40])
        if dept is None:
            errors["department"] = [_("Not a valid choice.")]
        else:
            out.department_id = dept.id
    if typed.get("phone"):
        out.phone_key = phones.key(typed["phone"][:100])
        if not out.phone_key:
            errors["phone"] = [_("Enter a valid phone number.")]
    after = (args.get("after") or "").strip()
    if after:
        if not after.isdigit() or len(after) > 10:
            errors["after"] = [_("This page link is not valid; start again from the first page.")]
        else:
            out.after = int(after)
    if errors:
        raise BadFilter(errors)
    return out


def _statement(f: Filters):
    stmt = select(PropertyItem)
    if f.phone_key:
        stmt = stmt.where(PropertyItem.phone_key == f.phone_key)
    if f.state:
        stmt = stmt.where(PropertyItem.state == f.state)
    if f.kind:
        stmt = stmt.where(PropertyItem.kind == f.kind)
    if f.department_id:
        stmt = stmt.where(PropertyItem.department_id == f.department_id)
    return stmt


def page(f: Filters, limit: int = PAGE) -> tuple[list[PropertyItem], int | None]:
    """One page of items matching ``f``, newest first, and the ``after`` of the next page (None: last)."""
    stmt = _statement(f)
    if f.after is not None:
        stmt = stmt.where(PropertyItem.id < f.after)
    rows = list(db.session.execute(stmt.order_by(PropertyItem.id.desc()).limit(limit + 1)).scalars())
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)


def export_rows(f: Filters, limit: int = EXPORT_MAX):
    """Every item matching ``f`` (from the first page, whatever ``after`` says), newest first, at most ``limit``."""
    stmt = _statement(f).order_by(PropertyItem.id.desc()).limit(limit)
    return db.session.execute(stmt.execution_options(yield_per=1000)).scalars()
