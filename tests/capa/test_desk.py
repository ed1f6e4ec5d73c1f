"""The audit desk (CA-03): every department's nonconformities for 企业管理部, one department's for
everyone else; filters, ageing, Pareto of causes and departments, monthly trend, XLSX and PDF.
covers: CA-03"""
import io
import re
import subprocess

from openpyxl import load_workbook

from qms.capa import desk
from qms.extensions import db
from tests import factories as F
from tests.capa.helpers import People, issue_capa, raise_nc
from tests.support.clock import clock
from tests.support.records import fill, sign


def _cause(capa_rec, p, category):
    sign(capa_rec, p.head)
    fill(capa_rec, p.clerk, correction="临时处理", corrected_on="2026-11-03")
    sign(capa_rec, p.clerk)
    fill(capa_rec, p.head, why_1="原因", cause_category=category, root_cause="根本原因")
    sign(capa_rec, p.head)


def _world():
    """CSD: three nonconformities (two with causes), TDD: one serious; opened on different days."""
    p = People()
    tdd_clerk = F.user("clerk", "TDD")
    clock(8, 1)
    old = raise_nc(p.clerk, source="complaint")
    clock(11, 2)
    a = raise_nc(p.clerk, source="identification")
    _cause(issue_capa(a, p.quality, reply_due_on="2026-11-30"), p, "method")
    b = raise_nc(p.clerk, source="identification", severity="minor")
    _cause(issue_capa(b, p.quality, reply_due_on="2026-11-30"), p, "method")
    t = raise_nc(tdd_clerk, severity="serious", source="calibration")
    clock(11, 22)
    return p, old, a, b, t


def test_ca03_quality_sees_every_department_with_charts(app, client):
    p, old, a, b, t = _world()
    F.login(client, p.quality)
    html = client.get("/capa/desk").get_data(as_text=True)
    for rec in (old, a, b, t):
        assert rec.number in html
    assert 'id="pareto-causes"' in html and 'id="pareto-departments"' in html and 'id="trend-chart"' in html
    # Pareto: CSD has 3, TDD 1; the causes chart has one bar (方法/method: 2).
    f = desk.Filters()
    today = desk_today()
    by_cause, by_dept = desk.paretos(f, today)
    assert [c for _k, c, _s in by_dept] == [3, 1] and by_dept[-1][2] == 1.0
    assert by_cause == [("method", 2, 1.0)]
    # The same from the rows (the age filter depends on today, so the tally cannot answer it).
    assert desk.paretos(desk.Filters(age="0-30"), today) == ([("method", 2, 1.0)], [(by_dept[0][0], 2, 2 / 3),
                                                                                   (by_dept[1][0], 1, 1.0)])
    # Over 90 days: the tally less the younger ones gives what counting the rows gives.
    old_cause, old_dept = desk.paretos(desk.Filters(age="90+"), today)
    assert old_cause == [] and old_dept == [(old.department_id, 1, 1.0)]
    assert desk.paretos(desk.Filters(age="90+", stage="closed"), today) == ([], [])
    # Ageing: the August one is over 90 days old.
    assert dict((k, c) for k, _l, c in desk.ageing(f, today)) == {"0-30": 3, "31-60": 0, "61-90": 0, "90+": 1}
    trend = dict((m, (o, c)) for m, o, c in desk.trend(f, today))
    assert trend["2026-08"] == (1, 0) and trend["2026-11"] == (3, 0) and len(trend) == 12
    # Filters narrow the list and the charts.
    html = client.get("/capa/desk?severity=serious").get_data(as_text=True)
    assert t.number in html and a.number not in html
    html = client.get("/capa/desk?age=90%2B").get_data(as_text=True)
    assert old.number in html and a.number not in html
    html = client.get(f"/capa/desk?department={p.clerk.department_id}&source=identification").get_data(as_text=True)
    assert a.number in html and b.number in html and old.number not in html and t.number not in html
    html = client.get("/capa/desk?stage=in_capa").get_data(as_text=True)
    assert a.number in html and old.number not in html


def desk_today():
    from qms.capa.service import today
    return today()


def test_ca03_a_department_sees_only_its_own(app, client):
    p, old, a, b, t = _world()
    F.login(client, p.head)
    html = client.get("/capa/desk").get_data(as_text=True)
    assert a.number in html and t.number not in html
    # Asking for another department does not widen the view.
    html = client.get(f"/capa/desk?department={t.department_id}").get_data(as_text=True)
    assert t.number not in html and a.number in html
    data = client.get(f"/capa/desk.xlsx?department={t.department_id}").data
    cells = [c for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True) for c in row]
    assert a.number in cells and t.number not in cells


def test_ca03_bad_filters_are_422_not_500(app, client):
    p, *_ = _world()
    F.login(client, p.quality)
    for q in ("stage=nope", "department=abc", "age=7", "source=x", "after=garbage",
              "after=2026-01-01,99999999999999999999999", "after=2026-13-01,5", "department=1%00"):
        resp = client.get("/capa/desk?" + q)
        assert resp.status_code == 422, q
    assert client.get("/capa/desk.xlsx?stage=nope").status_code == 422
    assert client.get("/capa/desk.docx").status_code == 404


def test_ca03_exports_xlsx_with_dates_and_pdf_in_chinese(app, client, tmp_path):
    p, old, a, b, t = _world()
    F.login(client, p.quality)
    wb = load_workbook(io.BytesIO(client.get("/capa/desk.xlsx?stage=active").data))
    rows = list(wb.active.iter_rows(values_only=True))
    # Row 1 names the filters, who and when (issue #11 item 9); the header is row 2.
    assert rows[1][0] == "编号" and len(rows) == 6
    opened = [r[9] for r in rows[2:]]
    assert all(hasattr(d, "year") for d in opened)  # real dates, not text
    resp = client.get("/capa/desk.pdf?severity=serious")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    path = tmp_path / "desk.pdf"
    path.write_bytes(resp.data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts and " yes " in fonts  # the CJK font is embedded
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout)
    assert t.number in text and a.number not in text and "不合格项审核台" in text and "严重" in text


def test_desk_paging_is_keyset(app, client, people):
    p = people
    clock(11, 2)
    recs = [raise_nc(p.clerk) for _ in range(5)]
    db.session.commit()
    f = desk.Filters()
    first, cursor = desk.page(f, None, desk_today(), size=3)
    second, end = desk.page(f, cursor, desk_today(), size=3)
    assert [r.nc_id for r in first + second] == sorted((r.id for r in recs), reverse=True) and end is None


def test_oldest_bucket_from_the_tally_matches_the_rows(app, people):
    """When old open ones outnumber the young, the chart comes from the tally less the young rows."""
    p = people
    tdd_clerk = F.user("clerk", "TDD")
    clock(6, 1)
    for _ in range(3):
        raise_nc(p.clerk)
    raise_nc(tdd_clerk)
    clock(11, 20)
    raise_nc(p.clerk)  # young
    today = desk_today()
    causes, depts = desk.paretos(desk.Filters(age="90+"), today)
    assert depts == [(p.clerk.department_id, 3, 0.75), (tdd_clerk.department_id, 1, 1.0)] and causes == []
    causes, depts = desk.paretos(desk.Filters(age="90+", department_id=tdd_clerk.department_id), today)
    assert depts == [(tdd_clerk.department_id, 1, 1.0)]
    assert [c for _k, _l, c in desk.ageing(desk.Filters(), today)] == [1, 0, 0, 4]
