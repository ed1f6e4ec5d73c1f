"""Register exports: CSV (UTF-8 with BOM so Excel opens Chinese correctly), XLSX and PDF.

A workbook is ready to work with when it opens (issue #11 item 9): its first row says which filters
made it, who exported it and when (local time); the header row below stays in view (frozen) and
carries an autofilter; the columns are as wide as their content, up to a limit. File names carry the
local time of the export.
"""
from __future__ import annotations

import csv
import io
import itertools
import unicodedata
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..core import pdf
from ..core.i18n import tr
from ..core.timeutil import fmt, local
from . import lines
from .present import cell, column_label

PDF_ROW_LIMIT = 2000  # a printed register longer than this is a job for XLSX
WIDTH_MAX = 50  # characters: a long description wraps in Excel instead of pushing the rest away
# Column widths are fitted to the header and the first rows: register rows are alike, and a workbook
# of 100,000 rows is then written as a stream, without measuring every cell first.
WIDTH_SAMPLE = 1000


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


def to_xlsx(spec, records, locale, caption: str | None = None) -> bytes:
    """The register as a workbook (see :func:`write_xlsx`); ``caption`` from :func:`caption`. A form
    with line items (table fields) gets a second sheet, one line per row with the record's number."""
    header = [column_label(spec, c, locale) for c in spec.register_columns]
    lines_header, line_rows = lines.sheet_header(spec, locale), []

    def rows():
        for r in records:
            values = r.values
            if lines_header:
                line_rows.extend(lines.record_lines(spec, r, values, locale))
            yield [_native(spec, r, c, values, locale) for c in spec.register_columns]
    sheet = _("Lines")  # outside the f-string: message extraction does not read into one
    more = [(f"{spec.code}-{sheet}", lines_header, line_rows)] if lines_header else []
    return write_xlsx(spec.code, header, rows(), caption, more=more)


def caption(filters: str, exported_by: str, moment: datetime) -> str:
    """The first row of an export: its filters, who exported it and when (local time)."""
    return _("Filters: %(filters)s · Exported by %(name)s at %(time)s",
             filters=filters or _("none (all records you may see)"), name=exported_by, time=fmt(moment))


def file_name(prefix: str, ext: str, moment: datetime) -> str:
    """``<prefix>-<YYYYMMDD-HHMM>.<ext>`` in local time: the moment people see on their clock."""
    return f"{prefix}-{local(moment):%Y%m%d-%H%M}.{ext}"


def _width(value) -> int:
    """How many character widths ``value`` takes in a cell (a Chinese character takes two)."""
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = "" if value is None else str(value)
    return max((sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
                for line in text.splitlines() or [""]), default=0)


def write_xlsx(title: str, header: list, rows, caption: str | None = None, more: list = ()) -> bytes:
    """A workbook: the ``caption`` line (when given), the bold header row, frozen and with an
    autofilter, then rows of native values (dates stay dates), in columns fitted to their content.
    ``more``: further sheets as (title, header, rows), written after the first (its rows may be
    filled while the first sheet's are read)."""
    wb = Workbook(write_only=True)
    _sheet(wb, title, header, rows, caption)
    for sheet_title, sheet_header, sheet_rows in more:
        _sheet(wb, sheet_title, sheet_header, sheet_rows, caption)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet(wb, title: str, header: list, rows, caption: str | None) -> None:
    ws = wb.create_sheet(title=title[:31])
    rows = iter(rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE))
    for i, h in enumerate(header, start=1):
        widest = max([_width(h)] + [_width(r[i - 1]) for r in sample if len(r) >= i])
        ws.column_dimensions[get_column_letter(i)].width = min(widest + 2, WIDTH_MAX)
    top = 2 if caption else 1  # the header row
    # The header stays in view while scrolling. Set before the first row: a streamed sheet writes
    # its view (and column widths) ahead of the rows.
    ws.freeze_panes = f"A{top + 1}"
    if caption:
        note = WriteOnlyCell(ws, value=caption)
        note.font = Font(italic=True, color="555555")
        ws.append([note])
    cells = []
    for h in header:
        cell_ = WriteOnlyCell(ws, value=h)
        cell_.font = Font(bold=True)
        cells.append(cell_)
    ws.append(cells)
    last = top
    for values in itertools.chain(sample, rows):
        row = []
        for v in values:
            wc = WriteOnlyCell(ws, value=v)
            if isinstance(v, datetime):
                wc.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(v, date):
                wc.number_format = "yyyy-mm-dd"
            row.append(wc)
        ws.append(row)
        last += 1
    if header:
        ws.auto_filter.ref = f"A{top}:{get_column_letter(len(header))}{last}"


def to_pdf(spec, records, locale, **context) -> bytes:
    rows = list(_rows(spec, records, locale))
    return pdf.render("pdf/register.html", spec=spec, header=rows[0], rows=rows[1:], locale=locale,
                      title=tr(spec.title, locale), **context)
