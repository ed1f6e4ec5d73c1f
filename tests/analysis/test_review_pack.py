"""The management review pack (ISO 9001 9.3.2; DA-01..DA-04): for a period laid out here, every input is
present in 9.3.2's order with numbers equal to the counts made in the test (records outside the period,
drafts and voided ones left out), or says plainly that the period has none; the page, the PDF (Chinese
first, numbered) and the workbook (a sheet per section); a bad period refused on its field with 422.
covers: DA-01, DA-02, DA-03, DA-04"""
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from qms.analysis import indicators_store, review_pack
from qms.analysis.indicators import series
from qms.analysis.reports_period import parse_range
from qms.core import timeutil
from qms.extensions import db
from qms.records import spec as specs
from tests import factories as F
from tests.analysis.reports_helpers import People, moment, stored
from tests.support.clock import at

ORDER = ["actions", "changes", "satisfaction", "complaints", "objectives", "processes", "nonconformities",
         "monitoring", "audits", "review"]


@pytest.fixture
def p(app):
    timeutil.set_clock(at(12, 3))
    yield People()
    timeutil.set_clock(None)


def _layout(p):
    """The first half of 2026 and a few records on either side of it."""
    prev = stored("DA-REVIEW", {"period_from": "2025-01-01", "period_to": "2025-12-31", "held_on": "2026-01-15",
                                "chair": p.gm.id, "decisions": "体系有效", "resource_needs": "无"})
    stored("DA-ACTION", {"source": prev.id, "row": 1, "title": "完善投诉分类", "owner": p.clerk.id,
                         "due_on": "2026-01-31"})
    stored("DA-ACTION", {"source": prev.id, "row": 2, "title": "补充计量器具", "owner": p.head.id,
                         "due_on": "2026-02-28"}, status="in_progress")
    stored("DA-ACTION", {"source": prev.id, "row": 3, "title": "修订统计口径", "owner": p.quality.id,
                         "due_on": "2027-03-01"}, status="in_progress")
    stored("DA-REVIEW", {"period_from": "2026-01-01", "period_to": "2026-06-30", "held_on": "2026-07-10",
                         "chair": p.gm.id, "decisions": "", "resource_needs": ""}, status="in_progress")
    stored("DA-METHOD", {"year": 2026, "findings": "口径不一", "decision": "调整",
                         "changes": [{"indicator": "投诉件数", "change": "含180转办", "reason": "口径一致"},
                                     {"indicator": "计费准确率", "change": "按交换机类型", "reason": "门限不同"}]})
    stored("DA-METHOD", {"year": 2025, "findings": "", "decision": "不变", "changes": [{"indicator": "x", "change": "y",
                                                                                        "reason": "z"}]})
    # Complaints: 4 in the period (one serious, three closed), 3 outside it or not counted.
    stored("CS-INQ", {"received_at": "2026-01-02T09:00", "category": "billing", "severity": "serious"})
    stored("CS-INQ", {"received_at": "2026-03-02T09:00", "category": "billing", "severity": "general"},
           status="in_progress")
    stored("TS-FEE", {"received_at": "2026-02-11T09:00", "dispute_type": "tariff"})
    stored("CS-NET", {"received_at": "2026-06-30T23:59", "category": "coverage", "severity": "general"})
    stored("CS-INQ", {"received_at": "2026-07-01T00:00", "category": "billing"})
    stored("CS-INQ", {"received_at": "2025-12-31T23:59", "category": "billing"})
    stored("CS-INQ", {"received_at": "2026-04-01T10:00", "category": "billing"}, status="voided")
    # Objectives: January and February signed (3 objective-months met, 1 missed); a July line outside.
    line = {"department": "CSD", "unit": "%", "target": "95", "direction": "at_least", "actual": "96", "comment": ""}
    for month, b_met in (("2026-01", "yes"), ("2026-02", "no")):
        stored("DA-STATS", {"month": month, "lines": [{**line, "objective": "MB-1", "name": "费用争议24小时处理率",
                                                       "met": "yes"},
                                                      {**line, "objective": "MB-2", "name": "按期关闭率", "met": b_met}]})
    stored("DA-STATS", {"month": "2026-07", "lines": [{**line, "objective": "MB-1", "name": "x", "met": "no"}]})
    # Nonconformities: 3 found (1 closed on 20 Jan, 1 open since 1 Feb: more than 30 days), corrective actions 2.
    stored("CA-NC", {"found_on": "2026-01-10", "source": "audit", "severity": "minor"},
           signed=(("close", moment(1, 20)),))
    stored("CA-NC", {"found_on": "2026-02-01", "source": "complaint", "severity": "general"}, status="in_progress")
    stored("CA-NC", {"found_on": "2026-06-25", "source": "complaint", "severity": "serious"}, status="in_progress")
    stored("CA-NC", {"found_on": "2026-07-02", "source": "audit", "severity": "minor"}, status="in_progress")
    stored("CA-CAPA", {"reply_due_on": "2026-03-01"}, status="in_progress")
    stored("CA-CAPA", {"reply_due_on": "2026-04-01", "effective": "yes"})
    # Monitoring: calibrations (1 pass, 1 fail); billing tests (1 of 2 reach 99.99 %).
    stored("INS-CAL", {"calibrated_on": "2026-01-12", "result": "pass"})
    stored("INS-CAL", {"calibrated_on": "2026-04-12", "result": "fail"})
    stored("INS-BILLING", {"test_month": "2026-02", "calls_tested": 10000, "calls_correct": 10000})
    stored("INS-BILLING", {"test_month": "2026-03", "calls_tested": 10000, "calls_correct": 9990})
    stored("INS-BILLING", {"test_month": "2026-08", "calls_tested": 10000, "calls_correct": 10000})
    # Identification checks: 2 (one with findings); work orders: 2 (one closed, one open past its limit).
    stored("IT-CHECK", {"checked_on": "2026-03-05", "outcome": "conforming"})
    stored("IT-CHECK", {"checked_on": "2026-05-05", "outcome": "findings"})
    stored("CP-WO", {"issued_at": "2026-02-01T09:00", "order_type": "install", "due_at": "2026-02-10T09:00"},
           status="in_progress")
    stored("CP-WO", {"issued_at": "2026-02-02T09:00", "order_type": "install", "due_at": "2026-02-20T09:00"})
    indicators_store.rebuild()  # the records above were stored without the service: count them as it would
    db.session.commit()


def _facts(section) -> dict:
    return {str(k): v for k, v in section.facts}


def test_da01_pack_has_every_932_input_in_order_with_counts_made_here(p):
    _layout(p)
    period, errors = parse_range("2026-01", "2026-06")
    assert not errors
    pack = review_pack.build(period)
    assert [s.key for s in pack.sections] == ORDER
    for s in pack.sections:  # each says something: numbers, or that the period has none
        assert s.facts or s.empty, s.key

    a = pack.section("actions")
    assert [v for _k, v in a.facts][1:5] == [3, 1, 2, 1]  # actions, closed, open, late (due 28 Feb)
    assert [r[1] for r in a.tables[0].rows] == ["补充计量器具", "修订统计口径"]

    ch = pack.section("changes")
    assert ch.facts[-1][1] == 2 and len(ch.tables[0].rows) == 2  # 2026's review only

    c = pack.section("complaints")
    assert [v for _k, v in c.facts] == [4, 1, "25.0%"]
    by_month = {row[0]: row[-1] for row in c.tables[0].rows}
    assert by_month == {"2026-01": 1, "2026-02": 1, "2026-03": 1, "2026-04": 0, "2026-05": 0, "2026-06": 1}
    assert sum(row[1] for row in c.tables[1].rows) == 4 and c.tables[1].rows[0][1] == 2  # billing: 2
    grades = {row[0]: row[1] for row in c.tables[2].rows}
    assert sum(grades.values()) == 4 and grades["严重"] == 1

    o = pack.section("objectives")
    assert [v for _k, v in o.facts] == ["2 / 6", 3, 1, "75.0%"]
    assert o.tables[0].rows[0][1:3] == [1, 1]  # MB-2 first: the objective that missed

    nc = pack.section("nonconformities")
    f = [v for _k, v in nc.facts][1:]
    assert f == [3, 1, 1, 1, 2, 1, 1, 1]  # found, closed, closed in period, stale; CAPA due, closed, late, effective

    m = [v for _k, v in pack.section("monitoring").facts][2:]
    assert m[:5] == [2, 1, 0, 1, "50.0%"] and m[5:8] == [2, 1, "50.0%"]

    au = [v for _k, v in pack.section("audits").facts]
    assert au == [2, 1, 1, "50.0%"]

    pr = pack.section("processes")  # the indicators' kept counts over the six months
    fee = series("fee_disputes_24h", period.months())
    assert pr.tables[0].rows[0][1:3] == [sum(v.denominator for v in fee), sum(v.numerator for v in fee)]
    assert pr.tables[0].rows[0][1] == 1  # the one fee dispute of February

    assert pack.section("review").facts == [(pack.section("review").facts[0][0], 1)]


def test_da02_pack_survey_section(p):
    if specs.get("DA-SURVEY") is None:
        pack = review_pack.build(parse_range("2026-01", "2026-06")[0])
        assert pack.section("satisfaction").empty and not pack.section("satisfaction").facts
        return
    stored("DA-SURVEY", {"year": 2025, "total_score": "86.50", "responses_count": 120,
                         "item_scores": [{"item": "服务态度", "weight": "30", "score": "88"}]})
    stored("DA-SURVEY", {"year": 2026, "total_score": "90.10", "responses_count": 150,
                         "item_scores": [{"item": "服务态度", "weight": "30", "score": "91"}]})
    s = review_pack.build(parse_range("2026-01", "2026-06")[0]).section("satisfaction")
    assert "86.50" in str(s.facts[0][1]) and "90.10" in str(s.facts[1][1])
    assert s.tables[0].rows == [["服务态度", "88", "91"]]


def test_da01_empty_period_says_so_in_every_section(p):
    pack = review_pack.build(parse_range("2025-01", "2025-03")[0])
    for s in pack.sections:
        if s.key in ("processes", "nonconformities", "monitoring"):
            continue  # their indicator lines carry "—" with the sentence
        assert s.empty and not s.tables, s.key


def test_da03_pack_page_pdf_and_workbook(p, client):
    _layout(p)
    F.login(client, p.quality)
    html = client.get("/analysis/review?from=2026-01&to=2026-06").get_data(as_text=True)
    for key in ORDER:
        assert f'id="review-{key}"' in html
    assert "/r/DA-REVIEW/new" in html
    data = client.get("/analysis/review.json?from=2026-01&to=2026-06").get_json()
    assert [s["key"] for s in data["sections"]] == ORDER
    pdf = client.get("/analysis/review.pdf?from=2026-01&to=2026-06")
    assert pdf.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "管理评审" in text and "9.3.2 a)" in text and "10." in text
    wb = load_workbook(io.BytesIO(client.get("/analysis/review.xlsx?from=2026-01&to=2026-06").data))
    assert len(wb.sheetnames) == len(ORDER)
    complaints = [r for r in wb.worksheets[3].iter_rows(values_only=True)]
    assert any(r[:2] == ("2026-06", 0) or (r and r[0] == "2026-06") for r in complaints)


@pytest.mark.parametrize("first,last,field", [
    ("2026-13", "2026-06", "from"), ("2026-01", "26-06", "to"), ("2026-06", "2026-01", "to"),
    ("2024-01", "2026-06", "to"), ("2027-01", "2027-02", "from"),
])
def test_da04_bad_period_refused_on_its_field_with_422(p, client, first, last, field):
    F.login(client, p.quality)
    r = client.get(f"/analysis/review?from={first}&to={last}")
    assert r.status_code == 422 and f'id="{field}-error"' in r.get_data(as_text=True)
    r = client.get(f"/analysis/review.json?from={first}&to={last}")
    assert r.status_code == 422 and r.get_json()["errors"][field]
    assert client.get(f"/analysis/review.pdf?from={first}&to={last}").status_code == 422


def test_da01_pack_is_for_the_company_wide_readers(p, client):
    F.login(client, p.clerk)
    assert client.get("/analysis/review").status_code == 403
    assert date(2026, 1, 1) < date(2026, 12, 3)
