"""The indicators page (DA-01, DA-04 Excel): every indicator for a month with the rule in words, each
number linking to the records behind it in the reader's scope, and the month as a workbook.
covers: DA-01, DA-04"""
import io

from openpyxl import load_workbook

from qms.analysis import indicators, indicators_views
from tests import factories as F
from tests.analysis.indicators_helpers import complaint


def test_da01_the_page_shows_each_indicator_with_its_rule_and_links_to_the_records_behind(app, client, monkeypatch):
    clerk, other = F.user("clerk", "CSD"), F.user("clerk", "OMD")
    mine = complaint(clerk, received_at="2026-11-03T09:00", severity="serious")
    theirs = complaint(other, received_at="2026-11-04T09:00", severity="serious", handling_department="OMD")
    F.login(client, clerk)
    page = client.get("/analysis/indicators?month=2026-11").get_data(as_text=True)
    assert "话费争议24小时内解决率" in page and "严重投诉件数" in page
    assert "当月受理(按受理时间)的客户投诉查询表" in page  # the rule in words, under the number
    assert indicators.behind_url("complaints_serious", "2026-11") in page
    assert 'id="ind-complaints_serious"' in page and ">2 件<" in page
    # The records behind: only the reader's department's (CS-INQ is not visible to all).
    behind = client.get(indicators.behind_url("complaints_serious", "2026-11")).get_data(as_text=True)
    assert f"/r/CS-INQ/{mine.id}" in behind and f"/r/CS-INQ/{theirs.id}" not in behind
    only_omd = client.get(indicators.behind_url("complaints", "2026-11", "OMD")).get_data(as_text=True)
    assert f"/r/CS-INQ/{mine.id}" not in only_omd
    quality = F.user("quality_manager", "EMD")
    F.login(client, quality)
    behind = client.get(indicators.behind_url("complaints_serious", "2026-11")).get_data(as_text=True)
    assert f"/r/CS-INQ/{mine.id}" in behind and f"/r/CS-INQ/{theirs.id}" in behind
    monkeypatch.setattr(indicators_views, "PAGE", 1)  # keyset pages of one record
    first = client.get(indicators.behind_url("complaints", "2026-11")).get_data(as_text=True)
    assert f'/r/CS-INQ/{mine.id}"' in first and f'/r/CS-INQ/{theirs.id}"' not in first
    assert f'after={mine.id}" id="next-page"' in first
    second = client.get(indicators.behind_url("complaints", "2026-11") + f"?after={mine.id}").get_data(as_text=True)
    assert f'/r/CS-INQ/{theirs.id}"' in second and f'/r/CS-INQ/{mine.id}"' not in second and "next-page" not in second
    assert client.get("/analysis/indicators/no_such/2026-11").status_code == 404
    assert client.get("/analysis/indicators/complaints/2026-13").status_code == 404
    assert client.get("/analysis/indicators?month=2026-11&department=XXX").status_code == 404


def test_da04_the_month_s_indicators_as_a_workbook(app, client):
    clerk = F.user("clerk", "CSD")
    complaint(clerk, received_at="2026-11-03T09:00", severity="serious")
    F.login(client, clerk)
    resp = client.get("/analysis/indicators.xlsx?month=2026-11")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.data)).active
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert rows["严重投诉件数"][2] == 1 and rows["投诉件数"][2] == 1
    assert rows["话费争议24小时内解决率"][2] is None
