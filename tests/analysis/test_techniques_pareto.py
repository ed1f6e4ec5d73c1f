"""Pareto charts of complaints (DA-04): counts by category, cause, department and complaint item equal a
count made here of the complaints created, largest first with the right cumulative shares; each bar
links to its register; the period form refuses bad dates; the Excel workbook holds each chart's data
and a chart.
covers: DA-04"""
import io
import re
from collections import Counter

import pytest
from openpyxl import load_workbook

from qms.analysis.techniques_pareto import pareto
from qms.analysis.techniques_period import parse
from qms.core import timeutil
from qms.records import service
from tests import factories as F
from tests.analysis.techniques_helpers import fee, inquiry, network
from tests.support.clock import at

# (form, received, category, cause, department code, item) of each complaint that counts.
COUNTED = [
    ("CS-INQ", "2026-11-02T09:00", "billing", "operator", "BIL", "CS-INQ"),
    ("CS-INQ", "2026-11-03T10:00", "billing", "operator", "BIL", "CS-INQ"),
    ("CS-INQ", "2026-11-05T10:00", "billing", "customer", "CSD", "CS-INQ"),
    ("CS-INQ", "2026-11-20T10:00", "complaint", "operator", "BIL", "CS-INQ"),
    ("CS-INQ", "2026-11-30T23:30", "fault", "social", "TDD", "CS-INQ"),
    ("TS-FEE", "2026-11-04T09:30", "service", None, "CSD", "TS-FEE:ts003"),
    ("TS-FEE", "2026-11-06T09:30", "roaming", None, "CSD", "TS-FEE:ts005"),
    ("CS-NET", "2026-11-07T09:55", "roaming", None, "ACC", "CS-NET"),
    ("CS-NET", "2026-11-08T09:55", "coverage", None, "ACC", "CS-NET"),
]


@pytest.fixture
def november(app):
    """The complaints above, plus some that must not count: received in October and December, a draft,
    a voided one."""
    clerk, head, acc = F.user("clerk", "CSD", name="王静"), F.user("department_head", "CSD"), F.user("clerk", "ACC")
    timeutil.set_clock(at(12, 2, 9))
    for form, received, category, cause, dept, item in COUNTED:
        if form == "CS-INQ":
            inquiry(clerk, received, category=category, cause=cause, handling_department=dept)
        elif form == "TS-FEE":
            fee(clerk, received, dispute_type=category, flow=item.split(":")[1], roaming_places="拱北口岸")
        else:
            network(acc, received, category=category)
    inquiry(clerk, "2026-10-31T23:59")
    inquiry(clerk, "2026-12-01T08:00")
    draft = inquiry(clerk, "2026-11-15T10:00", submit=False)
    gone = inquiry(clerk, "2026-11-16T10:00")
    service.void(gone, head, "重复录入", password=F.PASSWORD)
    return {"draft": draft.id, "voided": gone.id}


def _period(**args):
    p = parse({"from": "2026-11-01", "to": "2026-11-30", **args})
    assert not p.errors
    return p


@pytest.mark.parametrize("dimension, column", [("category", 2), ("cause", 3), ("department", 4), ("item", 5)])
def test_da04_pareto_counts_equal_the_complaints_created_largest_first(november, dimension, column):
    expected = Counter(row[column] or "" for row in COUNTED)
    bars = pareto(dimension, _period(), "zh_CN")
    assert {b.key: b.count for b in bars} == dict(expected)
    counts = [b.count for b in bars]
    assert counts == sorted(counts, reverse=True)
    run = 0
    for b in bars:
        run += b.count
        assert b.share == pytest.approx(run / len(COUNTED))
    assert bars[-1].share == pytest.approx(1.0)


def test_da04_pareto_labels_merge_forms_and_keep_each_forms_share(november):
    bars = {b.key: b for b in pareto("category", _period(), "zh_CN")}
    assert bars["roaming"].parts == {"TS-FEE": 1, "CS-NET": 1}
    assert bars["billing"].label == "话费争议" and bars["billing"].parts == {"CS-INQ": 3}
    items = {b.key: b.label for b in pareto("item", _period(), "zh_CN")}
    assert items["TS-FEE:ts005"] == "TS-005 边界漫游话费争议" and items["CS-INQ"] == "客户投诉查询表"
    causes = pareto("cause", _period(), "zh_CN")
    assert (causes[0].key, causes[0].label, causes[0].count) == ("", "未记录", 4)  # fee disputes not yet investigated


def test_da04_pareto_of_one_department_counts_only_its_records(november):
    acc = pareto("category", _period(), "zh_CN", department_id=F.dept("ACC").id)
    assert {b.key: b.count for b in acc} == {"roaming": 1, "coverage": 1}


def test_da04_a_complaint_settled_on_the_spot_counts_for_the_department_that_took_it(client, november):
    clerk = F.user("clerk", "TDD")
    inquiry(clerk, "2026-11-21T10:00", outcome="on_spot", on_spot_answer="当场解释清楚", handling_department="",
            cause="customer")
    bars = {b.key: b for b in pareto("department", _period(), "zh_CN")}
    assert bars["TDD"].count == 2 and bars["TDD"].parts == {"CS-INQ": 1, "CS-INQ+own": 1}
    F.login(client, F.user("quality_manager", "EMD"))
    html = client.get("/analysis/techniques/pareto?from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    assert f"department={F.dept('TDD').id}&amp;outcome=on_spot" in html


def test_da04_pareto_page_links_each_bar_to_its_filtered_register(client, november):
    F.login(client, F.user("quality_manager", "EMD"))
    page = client.get("/analysis/techniques/pareto?from=2026-11-01&to=2026-11-30")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for dim in ("category", "cause", "department", "item"):
        assert f'id="pareto-{dim}"' in html
    # Billing (3, CS-INQ only) links to the CS-INQ register filtered by category and the period.
    assert 'href="/r/CS-INQ/?received_at_from=2026-11-01&amp;received_at_to=2026-11-30&amp;category=billing"' in html
    listed = client.get("/r/CS-INQ/?received_at_from=2026-11-01&received_at_to=2026-11-30&category=billing")
    ids = {int(i) for i in re.findall(r'href="/r/CS-INQ/(\d+)"', listed.get_data(as_text=True))}
    # The register also lists the draft and the voided record (with their status), which are not counted.
    assert len(ids - {november["draft"], november["voided"]}) == 3
    assert "flow=ts005" in html  # the item bar of a fee-dispute flow


@pytest.mark.parametrize("args, field", [
    ({"from": "2026-13-01"}, "from"), ({"to": "30/11/2026"}, "to"), ({"from": "2026-11-30", "to": "2026-11-01"}, "to"),
    ({"from": "2027-01-01", "to": "2027-02-01"}, "from"), ({"from": "2000-01-01", "to": "2026-11-30"}, "to"),
])
def test_da04_bad_periods_are_refused_with_a_field_message(client, app, args, field):
    timeutil.set_clock(at(12, 2, 9))
    F.login(client, F.user("quality_manager", "EMD"))
    query = "&".join(f"{k}={v}" for k, v in args.items())
    for url in ("/analysis/techniques/pareto", "/analysis/techniques", "/analysis/techniques/check-sheet/complaints"):
        page = client.get(f"{url}?{query}")
        assert page.status_code == 422, url
        assert f'id="error-{field}"' in page.get_data(as_text=True)
    assert client.get(f"/analysis/techniques/pareto.xlsx?{query}").status_code == 422


def test_da04_pareto_workbook_holds_each_charts_data_and_a_chart(client, november):
    F.login(client, F.user("quality_manager", "EMD"))
    resp = client.get("/analysis/techniques/pareto.xlsx?from=2026-11-01&to=2026-11-30")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.data))
    assert len(wb.sheetnames) == 4
    ws = wb[wb.sheetnames[0]]  # by category
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if r[0]]
    assert rows[0][:2] == ("话费争议", 3) and rows[-1][3] == 100.0
    assert sum(r[1] for r in rows) == len(COUNTED)
    assert ws._charts, "an Excel chart on the sheet"
