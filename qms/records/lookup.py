"""Reading the records a value names: ids typed or stored in values, numbers to print, choice labels.

Procedure packages get "the record this field points at" and "its number as printed" here instead
of each coercing ids and querying by hand.
"""
from __future__ import annotations

from sqlalchemy import select

from ..core.timeutil import local
from ..extensions import db
from . import spec as specs
from .models import Record


def as_id(value) -> int | None:
    """A stored or typed id as an int (None when empty or not a number)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def record_of(values: dict, field: str, form: str | None = None) -> Record | None:
    """The record the link field ``field`` of ``values`` points at (of form ``form`` when given)."""
    rid = as_id(values.get(field))
    rec = db.session.get(Record, rid) if rid and 0 < rid < 2**31 else None
    return rec if rec is not None and (form is None or rec.form_code == form) else None


def record_by_text(text) -> Record | None:
    """The record a person typed into a link field or a link carries: ``#6``, ``6`` or its number
    (any case; the newest revision of an amended one); None when there is none."""
    text = str(text or "").strip()
    if text.lstrip("#").isdigit() and len(text) < 11:
        rid = int(text.lstrip("#"))
        return db.session.get(Record, rid) if 0 < rid < 2**31 else None
    if not text:
        return None
    return db.session.execute(select(Record).where(Record.number == text[:60].upper())
                              .order_by(Record.revision_no.desc()).limit(1)).scalar()


def display_number(record_id) -> str:
    """The number of a record as people read it ("—" when there is none)."""
    rid = as_id(record_id)
    rec = db.session.get(Record, rid) if rid else None
    return rec.display_number if rec else "—"


def record_name(record: Record, spec=None) -> str:
    """How a record is named where people read it without its page (a reminder, a notice): its
    number, or — a draft has none yet — its form's title and the day it was started, never "#id".
    In the records' language (Chinese)."""
    if record.number:
        return record.display_number
    spec = spec or specs.by_revision(record.form_revision_id)
    return f"{spec.title.get('zh', spec.code)}（草稿，{local(record.created_at):%Y-%m-%d}）"


def choice_text(record: Record, field: str, lang: str = "zh") -> str:
    """The label of a choice value of ``record`` in ``lang`` (records' texts are written in
    Chinese, whoever signs), under the form revision it was filled with; the raw value otherwise."""
    spec = specs.by_revision(record.form_revision_id)
    value = record.values.get(field)
    f = spec.field_map.get(field)
    for v, label in (f.choices if f is not None else ()):
        if v == value:
            return label.get(lang, value) if isinstance(label, dict) else str(label)
    return value or ""


def choices_text(record: Record, field: str, lang: str = "zh", sep: str = "、") -> str:
    """The labels of a multichoice value, joined as the paper form lists them."""
    spec = specs.by_revision(record.form_revision_id)
    f = spec.field_map.get(field)
    chosen = record.values.get(field) or []
    return sep.join(label.get(lang, v) for v, label in (f.choices if f is not None else ()) if v in chosen)
