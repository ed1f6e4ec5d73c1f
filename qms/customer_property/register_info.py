"""What the register's item page and its JSON twin show about one item (CP-01, CP-02): its
description, state, the gate's verdict, its state moves each with the record that moved it, and the
records that registered it or name it. Reads only; the register service keeps the tables."""
from __future__ import annotations

from sqlalchemy import select

from ..auth.lookup import names
from ..auth.models import Department
from ..core.i18n import current_locale, tr
from ..extensions import db
from ..records import spec as specs
from ..records.models import Record
from . import register as reg
from .models import PropertyItem

# A state's colour on the page and the label: green may be connected, amber waits, red may not.
COLOUR = {reg.PENDING: "amber", reg.ACCEPTED: "green", reg.IN_USE: "green", reg.MAINTENANCE: "green",
          reg.RECTIFICATION: "amber", reg.REJECTED: "red", reg.UNSUITABLE: "red", reg.RETURNED: "grey"}


def _records(ids: set) -> dict:
    """{record id: (form code, number as people read it, form title)} in one query."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    rows = db.session.execute(select(Record).where(Record.id.in_(ids))).scalars()
    out = {}
    for r in rows:
        spec = specs.get(r.form_code)
        out[r.id] = (r.form_code, r.display_number, spec.title if spec else {"zh": r.form_code, "en": r.form_code})
    return out


def item_json(item: PropertyItem, locale: str | None = None) -> dict:
    """An item as the API and the register rows describe it."""
    return {"code": item.code, "kind": item.kind, "kind_label": reg.kind_label(item.kind, locale),
            "customer_name": item.customer_name, "phone": item.phone, "model": item.model,
            "licence_no": item.licence_no, "location": item.location, "state": item.state,
            "state_label": reg.state_label(item.state, locale), "department": department_name_of(item, locale),
            "state_since": item.state_since.isoformat() if item.state_since else None,
            "may_connect": item.state in reg.PASSED}


def department_name_of(item: PropertyItem, locale: str | None = None) -> str:
    """The name of the department that keeps ``item``."""
    dept = db.session.get(Department, item.department_id)
    return dept.label(locale or current_locale()) if dept else ""


def detail(item: PropertyItem, locale: str | None = None) -> dict:
    """Everything the item page shows: the item, the gate's refusals, its events and records."""
    evs = reg.events(item)
    recs = _records({e.record_id for e in evs} | {item.source_record_id})
    who = names(e.by_id for e in evs if e.by_id)

    def rec(rid):
        if rid not in recs:
            return None
        code, number, title = recs[rid]
        return {"id": rid, "form": code, "number": number, "title": tr(title, locale)}

    return {"item": item, "json": item_json(item, locale), "colour": COLOUR.get(item.state, "grey"),
            "refusals": reg.refusals(item),
            "events": [{"at": e.at, "from": e.state_from, "from_label": reg.state_label(e.state_from, locale)
                        if e.state_from else "", "to": e.state_to, "to_label": reg.state_label(e.state_to, locale),
                        "record": rec(e.record_id), "by": who.get(e.by_id, ""), "note": e.note} for e in evs],
            "source": rec(item.source_record_id)}
