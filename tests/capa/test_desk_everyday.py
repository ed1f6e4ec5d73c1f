"""The desk for the day: the list first with the statistics folded, quick filters for what the
quality office chases, and the last filter remembered.
covers: CA-03"""
from tests import factories as F


def test_the_desk_opens_on_the_last_filter_with_the_list_first(app, client):
    quality = F.user("quality_manager", "EMD")
    F.login(client, quality)
    html = client.get("/capa/desk").get_data(as_text=True)
    assert html.index('id="desk-rows"') < html.index('id="desk-charts"') < html.index('id="pareto-causes"')
    assert 'id="desk-quick"' in html and "待验证" in html and "措施逾期" in html
    assert client.get("/capa/desk?stage=verifying").status_code == 200
    again = client.get("/capa/desk")
    assert again.status_code == 302 and again.headers["Location"].endswith("/capa/desk?stage=verifying")
    assert client.get("/capa/desk?stage=nope").status_code == 422  # a bad filter is not remembered
    assert client.get("/capa/desk").headers["Location"].endswith("stage=verifying")
    reset = client.get("/capa/desk?reset=1")
    assert reset.status_code == 302 and reset.headers["Location"].endswith("/capa/desk")
    assert client.get("/capa/desk").status_code == 200
