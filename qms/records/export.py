"""Register exports: CSV (UTF-8 with BOM so Excel opens Chinese correctly), XLSX and PDF."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ..core import pdf
from ..core.i18n import tr
from ..core.timeutil import local
from .present import cell, column_label

PDF_ROW_LIMIT = 2000  # a printed register longer than this is a job for XLSX


def _rows(spec, records, locale):
    cols = spec.register_columns
    yield [column_label(spec, c, locale) for c in cols]
    for r in records:
        values = r.values
        yield [cell(spec, r, c, locale, values) for c in cols]


def to_csv(spec, records, locale) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in _rows(spec, records, locale):
        # A leading =,+,-,@ would run as a formula in Excel: quote it as text.
        writer.writerow([("'" + v) if v[:1] in ("=", "+", "-", "@") else v for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _native(spec, record, col, values, locale):
    """A cell value Excel can sort and compute with: real dates and numbers where declared."""
    f = spec.field_map.get(col)
    v = values.get(col) if f else None
    try:
        if f is not None and v not in (None, ""):
            if f.type == "date":
                return date.fromisoformat(v)
            if f.type == "datetime":
                return datetime.fromisoformat(v)
            if f.type == "integer":
                return int(v)
            if f.type == "decimal":
                return float(v)
    except (TypeError, ValueError):
        pass
    if col in ("created_at", "updated_at"):
        return local(getattr(record, col)).replace(tzinfo=None)
    text = cell(spec, record, col, locale, values)
    return ("'" + text) if text[:1] == "=" else text


def to_xlsx(spec, records, locale) -> bytes:
    header = [column_label(spec, c, locale) for c in spec.register_columns]
    rows = ([_native(spec, r, c, values, locale) for c in spec.register_columns]
            for r in records for values in (r.values,))
    return write_xlsx(spec.code, header, rows)


def write_xlsx(title: str, header: list, rows) -> bytes:
    """A one-sheet workbook: bold header, then rows of native values (dates stay dates)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    cells = []
    for h in header:
        cell_ = WriteOnlyCell(ws, value=h)
        cell_.font = Font(bold=True)
        cells.append(cell_)
    ws.append(cells)
    for values in rows:
        row = []
        for v in values:
            wc = WriteOnlyCell(ws, value=v)
            if isinstance(v, datetime):
                wc.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(v, date):
                wc.number_format = "yyyy-mm-dd"
            row.append(wc)
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_pdf(spec, records, locale, **context) -> bytes:
    rows = list(_rows(spec, records, locale))
    return pdf.render("pdf/register.html", spec=spec, header=rows[0], rows=rows[1:], locale=locale,
                      title=tr(spec.title, locale), **context)
