"""What a record's register and filters read, kept from its values on every write: the search
text, the due date and the filter facets (one index row per filtered or linked value)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete

from ..extensions import db
from . import phones
from .models import Record, RecordFacet


def search_text(spec, number: str | None, values: dict) -> str:
    """What the register's search looks in: the number and the declared search fields, lower case.
    A phone field is there twice: as typed, and as its digits (``phones.digits``), so "0756 221 2345"
    and "+86 756 2212345" find "0756-2212345" (``register.build_query`` folds the query alike)."""
    parts = [number or ""]
    for name in spec.register_search:
        v = values.get(name)
        if v:
            parts.extend(_text(spec.field_map.get(name), v))
    return " ".join(parts).lower()[:4000]


def _value(values: dict, name: str):
    """A field's value, or for ``table.column`` the column's values in every row."""
    if "." in name:
        table, column = name.split(".", 1)
        return [row.get(column) for row in values.get(table) or [] if isinstance(row, dict)]
    return values.get(name)


def _text(f, value) -> list:
    """What the search reads of one value: a table's cells, a phone number also as its digits."""
    if f is not None and f.type == "table":
        return [str(cell) for row in value if isinstance(row, dict) for cell in row.values() if cell not in (None, "")]
    if f is not None and f.type == "phone":
        return [str(value), phones.digits(str(value))]
    return [str(value)]


def facet_value(field, value) -> str:
    """A value as the filter facets hold it: phone numbers by their digits, the rest as text."""
    text = phones.digits(str(value)) if field.type == "phone" else str(value)
    return text[:200]


def index_values(record: Record, spec, values: dict, fresh: bool = False) -> None:
    """Refresh the search text, due date and filter facets from the values."""
    record.search_text = search_text(spec, record.number, values)
    due = values.get(spec.due_field) if spec.due_field else None
    # A datetime (a reply due at 14:00) is due on its day: values hold local time as typed.
    record.due_on = date.fromisoformat(str(due)[:10]) if due else None
    if not fresh:
        db.session.execute(delete(RecordFacet).where(RecordFacet.record_id == record.id))
    # Link fields are always indexed (a record lists what links to it), and so are the fields naming
    # the one person who signs a step (their home page finds what waits for them).
    named = {s.signer_field for s in spec.workflow if s.signer_field}
    links = [f.name for f in spec.fields if (f.type == "record" or f.name in named)
             and f.name not in spec.register_filters]
    for name in list(spec.register_filters) + links:
        f = spec.filter_fields.get(name)
        if f is None:
            continue  # a system column: filtered on the records table itself
        v = _value(values, name)
        # One facet per record and value (a column's value repeats across rows): a register
        # joining the facets (register._query) then lists each record once.
        texts = {facet_value(f, item) for item in (v if isinstance(v, list) else [v]) if item not in (None, "")}
        for text in sorted(texts - {""}):
            db.session.add(RecordFacet(record=record, form_code=spec.code, field=name, value=text))
