"""Registers: keyset pages, filters, search, sort, exports; bad filters answered per field."""
import csv
import io

from openpyxl import load_workbook

from qms.extensions import db
from qms.records import register, service
from qms.records import spec as specs
from qms.records.views import query_messages
from tests import factories as F


def _ids(page):
    return [r.id for r in page.rows]


def test_keyset_pages_walk_forward_and_back_without_overlap(app):
    app.config["QMS_PAGE_SIZE"] = 5
    clerk = F.user("clerk")
    made = [F.record(clerk, "TEST-REC", customer_name=f"客户{i:02d}").id for i in range(12)]
    spec = specs.get("TEST-REC")
    with app.test_request_context("/"):
        msgs = query_messages()
        p1 = register.page(spec, clerk, {}, msgs, 5)
        p2 = register.page(spec, clerk, {"after": p1.next_cursor}, msgs, 5)
        p3 = register.page(spec, clerk, {"after": p2.next_cursor}, msgs, 5)
        back = register.page(spec, clerk, {"before": p3.prev_cursor}, msgs, 5)
    assert _ids(p1) + _ids(p2) + _ids(p3) == sorted(made, reverse=True)
    assert p3.next_cursor is None and p1.prev_cursor is None
    assert _ids(back) == _ids(p2)


def test_sort_by_number_ascending(app):
    clerk = F.user("clerk")
    recs = [F.record(clerk, "TEST-REC") for _ in range(4)]
    for r in recs:
        service.sign(r, clerk, F.PASSWORD)
    db.session.commit()
    spec = specs.get("TEST-REC")
    with app.test_request_context("/"):
        msgs = query_messages()
        p1 = register.page(spec, clerk, {"sort": "number", "dir": "asc"}, msgs, 2)
        p2 = register.page(spec, clerk, {"sort": "number", "dir": "asc", "after": p1.next_cursor}, msgs, 2)
    nums = [r.number for r in p1.rows + p2.rows]
    assert nums == sorted(nums) and len(set(nums)) == 4


def test_filters_and_search(app, client):
    clerk = F.user("clerk")
    F.record(clerk, "TEST-REC", category="fault", customer_name="张三", received_at="2026-09-30T09:00", reply_due_on="2026-10-01")
    F.record(clerk, "TEST-REC", category="billing", customer_name="李四", reply_due_on="2026-12-01")
    F.login(client, clerk)
    html = client.get("/r/TEST-REC/?category=fault").get_data(as_text=True)
    assert "张三" in html and "李四" not in html
    html = client.get("/r/TEST-REC/?q=李").get_data(as_text=True)
    assert "李四" in html and "张三" not in html
    html = client.get("/r/TEST-REC/?reply_due_on_from=2026-11-01").get_data(as_text=True)
    assert "李四" in html and "张三" not in html
    html = client.get("/r/TEST-REC/?status=draft&q=0756").get_data(as_text=True)
    assert "张三" in html and "李四" in html


def test_bad_filters_get_field_messages_not_500(app, client):
    clerk = F.user("clerk")
    F.login(client, clerk)
    for qs, text in (("category=nope", "选项无效"), ("reply_due_on_from=31-02-2026", "YYYY-MM-DD"),
                     ("after=!!!", "链接已失效"), ("sort=password", "选项无效"), ("status=x", "选项无效")):
        resp = client.get("/r/TEST-REC/?" + qs)
        assert resp.status_code == 422, qs
        assert text in resp.get_data(as_text=True), qs


def test_exports_csv_xlsx_pdf(app, client):
    clerk = F.user("clerk")
    F.record(clerk, "TEST-REC", customer_name="=HYPERLINK(\"x\")")
    F.record(clerk, "TEST-REC", customer_name="王五")
    F.login(client, clerk)
    resp = client.get("/r/TEST-REC/export.csv")
    assert resp.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "受理时间", "客户名称"]
    names = [r[2] for r in rows[1:]]
    assert "王五" in names and "'=HYPERLINK(\"x\")" in names  # formula injection neutralised
    wb = load_workbook(io.BytesIO(client.get("/r/TEST-REC/export.xlsx?q=王五").data))
    ws = wb.active
    # Row 1 names the filters, who and when (issue #11 item 9); the header is row 2.
    assert [c.value for c in ws[2]][:3] == ["编号", "受理时间", "客户名称"] and ws.max_row == 3
    from datetime import datetime as _dt
    assert isinstance(ws.cell(row=3, column=2).value, _dt)  # a real date-time Excel can sort
    pdf = client.get("/r/TEST-REC/export.pdf").data
    assert pdf.startswith(b"%PDF")
    assert client.get("/r/TEST-REC/export.doc").status_code == 404


def test_register_of_unknown_form_is_404(app, client):
    F.login(client, F.user("clerk"))
    assert client.get("/r/NOPE/").status_code == 404
    assert client.get("/r/TEST-REC/999999").status_code == 404


def test_hand_edited_page_links_are_422_never_500(app, client):
    import base64
    import json as _json
    F.login(client, F.user("clerk"))

    def enc(v):
        return base64.urlsafe_b64encode(_json.dumps(v).encode()).decode().rstrip("=")
    for qs in (f"after={enc({})}", f"after={enc({'0': 1})}", f"sort=number&after={enc([[1], 2])}",
               f"sort=number&after={enc([{}, 2])}", f"after={enc([10**30])}", f"sort=id&after={enc(['x'])}",
               f"sort=updated_at&after={enc(['2026-11-22T10:00:00+08:00', 'x'])}", "department=9" * 5,
               f"sort=updated_at&after={enc(['not a time', 1])}", "before=%%%"):
        assert client.get("/r/TEST-REC/?" + qs).status_code == 422, qs


def test_sorting_by_last_change_pages_through(app):
    clerk = F.user("clerk")
    from datetime import UTC, datetime, timedelta

    from qms.core import timeutil
    base = datetime(2026, 11, 1, tzinfo=UTC)
    made = []
    for i in range(7):
        timeutil.set_clock(base + timedelta(hours=i))
        made.append(F.record(clerk, "TEST-REC").id)
    timeutil.set_clock(None)
    spec = specs.get("TEST-REC")
    with app.test_request_context("/"):
        msgs = query_messages()
        seen, args = [], {"sort": "updated_at"}
        while True:
            p = register.page(spec, clerk, args, msgs, 3)
            seen += _ids(p)
            if not p.next_cursor:
                break
            args = {"sort": "updated_at", "after": p.next_cursor}
    assert seen == list(reversed(made))
