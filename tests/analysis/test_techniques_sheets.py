"""Check sheets (调查表, DA-04): tallies by category per day, week and month for the complaints and for the
nonconformities (by source and by severity), with the totals of each row and column; drawn as SVG,
shown as a table and exported to Excel.
covers: DA-04"""
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from qms.analysis.techniques_period import parse
from qms.analysis.techniques_sheets import SHEETS, tally
from qms.core import timeutil
from tests import factories as F
from tests.analysis.techniques_helpers import inquiry, network, nonconformity
from tests.support.clock import at


@pytest.fixture
def made(app):
    """Complaints on 2, 3 and 10 November and 28 October; nonconformities in October and November."""
    clerk, acc, tech = F.user("clerk", "CSD"), F.user("clerk", "ACC"), F.user("technician", "CSD")
    timeutil.set_clock(at(12, 2, 9))
    inquiry(clerk, "2026-11-02T09:00", category="billing")
    inquiry(clerk, "2026-11-02T17:00", category="billing")
    inquiry(clerk, "2026-11-03T10:00", category="fault")
    network(acc, "2026-11-10T09:55", category="roaming")
    inquiry(clerk, "2026-10-28T10:00", category="billing")
    inquiry(clerk, "2026-11-04T10:00", category="billing", submit=False)  # a draft: not tallied
    nonconformity(tech, "2026-10-15", source="complaint", severity="general")
    nonconformity(tech, "2026-11-02", source="complaint", severity="serious")
    nonconformity(tech, "2026-11-09", source="audit", severity="general")
    return clerk


def _row(t, key):
    return next(counts for k, _label, counts in t.rows if k == key)


def test_da04_complaints_tallied_per_day(made):
    p = parse({"from": "2026-11-01", "to": "2026-11-10", "by": "day"}, sheet=True)
    t = tally(SHEETS["complaints"], p, "zh_CN")
    assert len(t.columns) == 10 and t.columns[0] == "11/1" and t.columns[1] == "2"
    assert _row(t, "billing") == [0, 2, 0, 0, 0, 0, 0, 0, 0, 0]
    assert _row(t, "fault") == [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert _row(t, "roaming")[9] == 1
    assert t.column_totals[1] == 2 and t.total == 4
    assert [label for k, label, _c in t.rows][:4] == ["查询", "投诉", "故障申告", "话费争议"]  # the form's order


def test_da04_complaints_tallied_per_week_and_month(made):
    weeks = tally(SHEETS["complaints"], parse({"from": "2026-10-26", "to": "2026-11-15", "by": "week"}, sheet=True),
                  "zh_CN")
    assert weeks.starts == [date(2026, 10, 26), date(2026, 11, 2), date(2026, 11, 9)]
    assert weeks.columns == ["W44", "W45", "W46"]
    assert _row(weeks, "billing") == [1, 2, 0] and _row(weeks, "fault") == [0, 1, 0] and _row(weeks, "roaming") == [0, 0, 1]
    months = tally(SHEETS["complaints"], parse({"from": "2026-10-01", "to": "2026-11-30", "by": "month"}, sheet=True),
                   "zh_CN")
    assert months.columns == ["2026-10", "2026-11"]
    assert _row(months, "billing") == [1, 2] and months.column_totals == [1, 4] and months.total == 5


def test_da04_nonconformities_tallied_by_source_and_severity(made):
    p = parse({"from": "2026-10-01", "to": "2026-11-30", "by": "month"}, sheet=True)
    source = tally(SHEETS["nc-source"], p, "zh_CN")
    assert _row(source, "complaint") == [1, 1] and _row(source, "audit") == [0, 1] and source.total == 3
    severity = tally(SHEETS["nc-severity"], p, "zh_CN")
    assert _row(severity, "general") == [1, 1] and _row(severity, "serious") == [0, 1]
    assert [label for _k, label, _c in severity.rows] == ["轻微", "一般", "严重"]


def test_da04_check_sheet_page_draws_tallies_and_totals_and_exports_them(client, made):
    F.login(client, F.user("quality_manager", "EMD"))
    page = client.get("/analysis/techniques/check-sheet/complaints?from=2026-11-01&to=2026-11-10&by=day")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="sheet-complaints"' in html and "<title>话费争议 · 2: 2</title>" in html
    assert 'id="sheet-total"><strong>4</strong>' in html
    resp = client.get("/analysis/techniques/check-sheet/nc-source.xlsx?from=2026-10-01&to=2026-11-30&by=month")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.data)).active
    rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=3, values_only=True)}
    assert rows["客户投诉"] == (1, 1, 2) and rows["合计"] == (1, 2, 3)
    assert ws._charts


def test_da04_check_sheet_refuses_a_grouping_too_fine_for_the_period(client, app):
    timeutil.set_clock(at(12, 2, 9))
    F.login(client, F.user("quality_manager", "EMD"))
    page = client.get("/analysis/techniques/check-sheet/nc-severity?from=2026-01-01&to=2026-11-30&by=day")
    assert page.status_code == 422 and 'id="error-to"' in page.get_data(as_text=True)
    assert client.get("/analysis/techniques/check-sheet/nc-severity?by=hour").status_code == 422
    assert client.get("/analysis/techniques/check-sheet/nothing").status_code == 404


def test_da04_check_sheet_of_a_department_head_counts_their_department(client, made):
    F.login(client, F.user("department_head", "ACC"))
    page = client.get("/analysis/techniques/check-sheet/complaints?from=2026-11-01&to=2026-11-30&by=month")
    assert 'id="sheet-total"><strong>1</strong>' in page.get_data(as_text=True)
