"""Register exports: CSV (UTF-8 with BOM so Excel opens Chinese correctly), XLSX and PDF."""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from ..core import pdf
from ..core.i18n import tr
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


def to_xlsx(spec, records, locale) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=spec.code[:31])
    for i, row in enumerate(_rows(spec, records, locale)):
        if i == 0:
            from openpyxl.cell import WriteOnlyCell
            cells = []
            for v in row:
                c = WriteOnlyCell(ws, value=v)
                c.font = Font(bold=True)
                cells.append(c)
            ws.append(cells)
        else:
            ws.append([("'" + v) if v[:1] == "=" else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_pdf(spec, records, locale, **context) -> bytes:
    rows = list(_rows(spec, records, locale))
    return pdf.render("pdf/register.html", spec=spec, header=rows[0], rows=rows[1:], locale=locale,
                      title=tr(spec.title, locale), **context)
