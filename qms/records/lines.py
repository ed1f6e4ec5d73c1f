"""Line items (``type: table`` fields) on pages, printouts and exports, and the computed values
shown while a form is filled.

The rows themselves are validated by ``webforms._Table`` and stored as a list of
``{column: value}``; computed columns and fields are worked out by :mod:`.compute`. This module
turns them into what people read, and rearranges a form's rows when the page is used without
JavaScript (the "add a row" and "remove" buttons are plain submit buttons).
"""
from __future__ import annotations

import re
from decimal import Decimal

from werkzeug.datastructures import MultiDict

from ..core.i18n import tr
from . import compute
from .present import value_text
from .webforms import clean_values, is_blank

_ROWS_ACTION = re.compile(r"^(add):([a-z][a-z0-9_]{0,59})$|^(remove):([a-z][a-z0-9_]{0,59})-(\d{1,6})$")


def rearranged(spec, formdata, action: str) -> MultiDict | None:
    """The form data with one row added to (``add:items``) or removed from (``remove:items-3``) a
    table field being filled; None for an action that names no table of this form."""
    m = _ROWS_ACTION.match(action or "")
    if not m:
        return None
    name = m.group(2) or m.group(4)
    table = spec.field_map.get(name)
    if table is None or table.type != "table":
        return None
    prefix = f"{name}-"
    md = MultiDict([(k, v) for k, v in formdata.items(multi=True) if k not in ("_rows", "_sign", "password")])
    if m.group(1):
        indices = [int(k[len(prefix):].split("-", 1)[0]) for k in md if k.startswith(prefix)
                   and k[len(prefix):].split("-", 1)[0].isdigit()]
        n = max(indices, default=-1) + 1
        for c in table.columns:
            if c.compute is None:
                md.add(f"{name}-{n}-{c.name}", "")
        return md
    gone = f"{name}-{m.group(5)}-"
    return MultiDict([(k, v) for k, v in md.items(multi=True) if not k.startswith(gone)])


def _text(f, value, locale) -> str:
    return value_text(f, value, locale) if not isinstance(value, Decimal) else format(value, "f")


def display(table, rows: list, locale: str | None = None) -> dict:
    """A table field's rows as people read them: header, cell texts and the totals row."""
    columns = table.columns
    out_rows = [[value_text(c, (row or {}).get(c.name), locale) for c in columns] for row in rows or []]
    sums = compute.totals(table, rows or [])
    totals = [_total(c, sums[c.name]) if c.name in sums else "" for c in columns] if table.totals else None
    return {"header": [tr(c.label, locale) for c in columns], "rows": out_rows, "totals": totals,
            "numeric": [c.type in ("integer", "decimal") for c in columns]}


def _total(column, value: Decimal) -> str:
    if column.type == "integer":
        return str(int(value))
    places = column.places if column.places is not None else (2 if column.compute is not None else None)
    return format(value.quantize(Decimal(1).scaleb(-places)) if places is not None else value, "f")


def preview(spec, form, context: dict | None = None, locale: str | None = None) -> dict:
    """The computed values of a form as typed so far (a cell that cannot be read counts as empty):
    what the page shows beside the inputs, and what its script asks for while the person types.
    {"fields": {name: text}, "cells": {"items-0-amount": text}, "totals": {"items-amount": text},
    "errors": {name: [message]}}. The server works them out again when the form is saved."""
    tables = [f for f in spec.fields if f.type == "table" and f.name in form._fields]
    computed = [f for f in spec.computed_fields if f.step in _steps_of(spec, form)]
    if not computed and not any(t.computed_columns or t.totals for t in tables):
        return {}
    values = clean_values(spec, form, lenient=True)
    merged = {**(context or {}), **values}
    only = [*values, *(f.name for f in computed)]
    errors = compute.apply(spec, merged, only)
    out = {"fields": {f.name: _text(f, merged.get(f.name), locale) for f in computed},
           "cells": {}, "rows": {}, "totals": {}, "errors": errors}
    for t in tables:
        rows = iter(merged.get(t.name) or [])
        # By name for the page (rows renumbered from 0), by position for its script (rows as sent).
        out["rows"][t.name] = by_position = []
        for entry in form[t.name].entries:
            row = next(rows) if not is_blank(entry) else {}
            texts = {c.name: _text(c, row.get(c.name), locale) for c in t.computed_columns}
            by_position.append(texts)
            out["cells"].update({f"{entry.name}-{k}": v for k, v in texts.items()})
        rows = merged.get(t.name) or []
        sums = compute.totals(t, rows)
        for c in t.columns:
            if c.name in sums:
                out["totals"][f"{t.name}-{c.name}"] = _total(c, sums[c.name])
    return out


def _steps_of(spec, form) -> set:
    """The steps whose fields this form fills."""
    return {f.step for f in spec.fields if f.name in form._fields}


def blank_row(form, table):
    """An empty row of ``table`` named with ``__index__`` (the page's script numbers it when it adds
    a row), or None when the form does not fill the table."""
    field = form._fields.get(table.name)
    if field is None:
        return None
    row_class = field.unbound_field.args[0]
    return row_class(prefix=f"{table.name}-__index__-")


def sheet_header(spec, locale: str | None = None) -> list:
    """The header of the export's line-items sheet (empty when the form has no table): the
    record's number, the table, the row, then the columns (tables side by side share a column)."""
    tables = [f for f in spec.fields if f.type == "table"]
    if not tables:
        return []
    width = max(len(t.columns) for t in tables)
    header = [tr({"zh": "编号", "en": "No."}, locale), tr({"zh": "明细", "en": "Table"}, locale),
              tr({"zh": "行号", "en": "Row"}, locale)]
    return header + [" / ".join(dict.fromkeys(tr(t.columns[i].label, locale) for t in tables if i < len(t.columns)))
                     for i in range(width)]


def record_lines(spec, record, values: dict, locale: str | None = None) -> list:
    """One line per row of each table of ``record`` for that sheet, numbers kept as numbers."""
    return [[record.display_number, tr(t.label, locale), n, *[_cell(c, row.get(c.name), locale) for c in t.columns]]
            for t in spec.fields if t.type == "table" for n, row in enumerate(values.get(t.name) or [], 1)]


def _cell(c, value, locale):
    """A spreadsheet cell keeps numbers as numbers."""
    if value not in (None, "") and c.type == "integer":
        return int(value)
    if value not in (None, "") and c.type == "decimal":
        return Decimal(str(value))
    return value_text(c, value, locale)
