"""Quality objectives counted from the registers (DA-01, DA-04): the statistics take a computed actual
equal to a count the test makes itself from the complaint records (the department's own, or the whole
company's), and the objectives page shows it over 24 months with each bar linking to the records behind
it (or the department's figure), the query in words, the Pareto of missed objectives and the workbook.

covers: DA-01, DA-04
"""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from qms.analysis import indicators, objectives_stats
from qms.core import timeutil
from qms.extensions import db
from qms.records.models import CLOSED, IN_PROGRESS, Record
from tests import factories as F
from tests.analysis.objectives_helpers import People, figure, objective
from tests.support.clock import at
from tests.support.records import sign


def _complaint(user, **values):
    return sign(F.record(user, "CS-INQ", **values), user)


@pytest.fixture
def p(app):
    timeutil.set_clock(at(12, 3, 10))
    people = People()
    c = people.csd_clerk
    _complaint(c, received_at="2026-11-03T09:00", severity="serious")
    _complaint(c, received_at="2026-11-10T09:00")
    _complaint(c, received_at="2026-11-28T23:30", severity="serious")
    _complaint(c, received_at="2026-11-20T09:00", handling_department="OMD")
    _complaint(c, received_at="2026-10-31T23:59")  # October
    F.record(c, "CS-INQ", received_at="2026-11-12T09:00")  # a draft
    return people


def _mine(pred) -> int:
    """The test's own count of the submitted November complaints for which ``pred`` holds."""
    rows = db.session.execute(select(Record).where(Record.form_code == "CS-INQ",
                                                   Record.status.in_((IN_PROGRESS, CLOSED)))).scalars()
    return len([r for r in rows if r.values["received_at"].startswith("2026-11") and pred(r.values)])


def test_da01_statistics_take_computed_actuals_equal_to_the_records(p):
    dept = objective(p, name="本部门投诉件数", indicator="complaints", source="computed", target="2", unit="件",
                     direction="at_most")
    company = objective(p, "EMD", name="全公司严重投诉件数", indicator="complaints_serious", source="computed",
                        target="5", unit="件", direction="at_most", scope="company")
    record = objectives_stats.generate("2026-11", p.quality, "zh_CN")
    db.session.commit()
    lines = {ln["objective"]: ln for ln in record.values["lines"]}
    own = _mine(lambda v: v.get("handling_department", "CSD") == "CSD")
    serious = _mine(lambda v: v["severity"] == "serious")
    assert (own, serious) == (3, 2)
    assert Decimal(lines[dept.number]["actual"]) == own and lines[dept.number]["met"] == "no"
    assert Decimal(lines[company.number]["actual"]) == serious and lines[company.number]["met"] == "yes"
    assert indicators.month_values("2026-11", "CSD")["complaints"].value == own


def test_da01_objectives_page_charts_link_the_records_behind_and_excel(p, client):
    computed = objective(p, name="本部门投诉件数", indicator="complaints", source="computed", target="2", unit="件",
                         direction="at_most")
    entered = objective(p, name="话费争议处理及时率", target="95", unit="%")
    fig = figure(p.csd_clerk, entered, "2026-11", "97")
    sign(objectives_stats.generate("2026-11", p.quality, "zh_CN"), p.quality)
    F.login(client, p.csd_clerk)
    page = client.get("/analysis/objectives?month=2026-12").get_data(as_text=True)
    assert f'id="trend-{computed.id}"' in page and f'id="trend-{entered.id}"' in page
    assert "/analysis/indicators/complaints/2026-11?department=CSD" in page
    assert f"/r/DA-FIGURE/{fig.id}" in page
    assert indicators.INDICATORS["complaints"].words["zh"][:20] in page
    assert 'id="pareto-missed"' in page and "本部门投诉件数" in page.split('id="pareto-missed"')[1][:3000]
    assert 'id="generate-form"' not in page  # 客户服务部 does not generate statistics
    resp = client.get("/analysis/objectives.xlsx?month=2026-12")
    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(resp.data)).active
    rows = [[c for c in r] for r in sheet.iter_rows(values_only=True)]
    header = next(r for r in rows if r and "2026-11" in r)
    col = header.index("2026-11")
    got = {r[0]: r[col] for r in rows[rows.index(header) + 1:]}
    assert float(got[computed.number]) == 3 and float(got[entered.number]) == 97
    assert len(header) == 6 + 24
