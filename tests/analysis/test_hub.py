"""The data-analysis home (/analysis, the one menu link 数据分析): every QP-DA duty per period with its state,
and a card per part; the management review pack only for the company-wide readers.
covers: DA-01, DA-02, DA-03"""
import re

from tests import factories as F


def test_da01_the_home_lists_the_duties_of_data_analysis_and_a_card_per_part(app, client):
    clerk = F.user("clerk", "CSD")
    F.login(client, clerk)
    home = client.get("/").get_data(as_text=True)
    assert 'id="analysis-link"' in home and 'href="/analysis"' in home
    page = client.get("/analysis").get_data(as_text=True)
    duties = page[page.index('id="analysis-duties"'):]
    for title in ("每月质量目标完成情况统计", "年底顾客满意度征询", "每月召开经营分析会", "每月召开业务协调会"):
        assert title in duties, title
    assert "核算室每月28日" not in duties  # another procedure's duty is not listed here
    cards = re.findall(r'id="hub-([a-z]+)"', page)
    assert cards == ["indicators", "objectives", "reports", "survey", "meetings", "techniques", "method"]
    F.login(client, F.user("quality_manager", "EMD"))
    assert 'id="hub-review" href="/analysis/review"' in client.get("/analysis").get_data(as_text=True)
