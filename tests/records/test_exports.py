"""Excel exports ready to work with: a first row naming the filters, who exported and when (local
time), the header frozen with an autofilter, columns fitted to their content, a local-time file name.
covers: REC-02 (issue #11 item 9)"""
import io

from openpyxl import load_workbook

from qms.core import timeutil
from qms.records import export
from tests import factories as F
from tests.support.clock import at


def _sheet(resp):
    return load_workbook(io.BytesIO(resp.data)).active


def test_register_xlsx_names_its_filters_freezes_its_header_and_fits_its_columns(app, client):
    clerk = F.user("clerk", name="王静")
    F.record(clerk, "TEST-REC", customer_name="王五", content="很长的内容" * 40)
    F.record(clerk, "TEST-REC", customer_name="王五六", category="fault")
    F.login(client, clerk)
    timeutil.set_clock(at(12, 3, 15))  # 15:00 in Shanghai is 07:00 UTC
    resp = client.get("/r/TEST-REC/export.xlsx", query_string={"q": "王五", "category": "billing"})
    assert resp.headers["Content-Disposition"] == 'attachment; filename="TEST-REC-20261203-1500.xlsx"'
    ws = _sheet(resp)
    note = ws["A1"].value
    for text in ("筛选条件", "王五", "类别 = 话费", "导出人：王静", "2026-12-03 15:00"):
        assert text in note, text
    assert [c.value for c in ws[2]][:3] == ["编号", "受理时间", "客户名称"]
    assert ws.max_row == 3 and ws["C3"].value == "王五"  # the filter left out 王五六 (a fault)
    assert ws.freeze_panes == "A3"  # the caption and the header stay in view
    assert ws.auto_filter.ref == "A2:G3"
    widths = {col: ws.column_dimensions[col].width for col in "ABCDEFG"}
    assert widths["B"] >= 16  # 受理时间: a date-time
    assert widths["C"] >= len("客户名称") * 2  # Chinese characters are two wide
    assert all(w <= export.WIDTH_MAX for w in widths.values())


def test_register_xlsx_without_filters_says_so(app, client):
    clerk = F.user("clerk")
    F.record(clerk, "TEST-REC")
    F.login(client, clerk)
    ws = _sheet(client.get("/r/TEST-REC/export.xlsx?lang=en"))
    assert ws["A1"].value.startswith("Filters: none") and "Exported by" in ws["A1"].value
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:G3"


def test_long_values_are_capped_and_the_widest_value_sets_the_width(app):
    data = export.write_xlsx("x", ["短", "Description"], [["一二三四五六七八九十", "x" * 500], [1, "y"]])
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.column_dimensions["A"].width == 22  # ten Chinese characters, and a margin
    assert ws.column_dimensions["B"].width == export.WIDTH_MAX
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:B3"  # no caption: the header is row 1


def test_capa_desk_xlsx_has_the_same_caption_and_header(app, client):
    quality = F.user("quality_manager", "EMD", name="质量经理")
    F.login(client, quality)
    timeutil.set_clock(at(12, 3, 15))
    resp = client.get("/capa/desk.xlsx")
    assert resp.headers["Content-Disposition"] == 'attachment; filename="CA-desk-20261203-1500.xlsx"'
    ws = _sheet(resp)
    assert "导出人：质量经理" in ws["A1"].value and "2026-12-03 15:00" in ws["A1"].value
    assert ws["A2"].value == "编号" and ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:L")
