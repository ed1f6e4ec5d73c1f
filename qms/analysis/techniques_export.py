"""The Pareto charts and check sheets as Excel workbooks (DA-04): the data behind each chart on a sheet
of its own, the caption line of the register exports (what was counted, by whom, when), and the
chart drawn by Excel itself (an openpyxl bar chart; the Pareto's cumulative share as a line on a
second axis)."""
from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font

from .techniques_pareto import Bar
from .techniques_sheets import Tallies

HEADER_ROW = 2  # row 1 is the caption
BAD_TITLE = str.maketrans({c: " " for c in "/\\?*[]:"})  # characters Excel refuses in a sheet's name


def _title(text: str) -> str:
    return str(text).translate(BAD_TITLE)[:31]


def _start(ws, caption: str, header: list) -> None:
    ws.append([caption])
    ws["A1"].font = Font(italic=True, color="555555")
    ws.append(header)
    for c in ws[HEADER_ROW]:
        c.font = Font(bold=True)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.column_dimensions["A"].width = 28


def pareto_workbook(charts: list[tuple[str, list[Bar]]], caption: str) -> bytes:
    """One sheet per chart (title, bars): label, count, share, cumulative share; and its Pareto chart."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, bars in charts:
        ws = wb.create_sheet(title=_title(title))
        _start(ws, caption, [_("Item"), _("Count"), _("Share (per cent)"), _("Cumulative (per cent)")])
        total = sum(b.count for b in bars) or 1
        for b in bars:
            ws.append([b.label, b.count, round(100 * b.count / total, 1), round(100 * b.share, 1)])
        if not bars:
            continue
        last = HEADER_ROW + len(bars)
        bar = BarChart()
        bar.title, bar.y_axis.title = title, _("Count")
        bar.add_data(Reference(ws, min_col=2, min_row=HEADER_ROW, max_row=last), titles_from_data=True)
        bar.set_categories(Reference(ws, min_col=1, min_row=HEADER_ROW + 1, max_row=last))
        line = LineChart()
        line.add_data(Reference(ws, min_col=4, min_row=HEADER_ROW, max_row=last), titles_from_data=True)
        line.y_axis.axId, line.y_axis.title = 200, _("Cumulative (per cent)")
        line.y_axis.crosses = "max"
        line.y_axis.scaling.min, line.y_axis.scaling.max = 0, 100
        bar += line
        bar.width, bar.height = 22, 11
        ws.add_chart(bar, "F3")
    return _save(wb)


def sheet_workbook(title: str, tallies: Tallies, caption: str) -> bytes:
    """The check sheet as a grid (a row per category, a column per period, totals) and its stacked bars."""
    wb = Workbook()
    ws = wb.active
    ws.title = _title(title)
    _start(ws, caption, [_("Category"), *tallies.columns, _("Total")])
    for _key, label, counts in tallies.rows:
        ws.append([label, *counts, sum(counts)])
    ws.append([_("Total"), *tallies.column_totals, tallies.total])
    for c in ws[ws.max_row]:
        c.font = Font(bold=True)
    # The first day of each column, so a week or a day can be told apart in another year.
    ws.append([_("From"), *tallies.starts])
    for c in ws[ws.max_row][1:]:
        c.number_format = "yyyy-mm-dd"
    if tallies.rows and tallies.columns:
        last_row = HEADER_ROW + len(tallies.rows)
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
        chart.title, chart.y_axis.title = title, _("Count")
        chart.add_data(Reference(ws, min_col=1, max_col=len(tallies.columns) + 1, min_row=HEADER_ROW + 1,
                                 max_row=last_row), from_rows=True, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, max_col=len(tallies.columns) + 1, min_row=HEADER_ROW))
        chart.width, chart.height = 24, 12
        ws.add_chart(chart, f"B{last_row + 4}")
    return _save(wb)


def _save(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
