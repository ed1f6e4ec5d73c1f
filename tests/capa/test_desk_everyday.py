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


def test_reply_overdue_lists_the_departments_that_owe_their_reply(app, client):
    from tests.capa.helpers import People, add_action, issue_capa, raise_nc
    from tests.support.clock import clock
    from tests.support.records import fill, sign
    clock(11, 1)
    p = People()
    owing = raise_nc(p.clerk)
    capa = issue_capa(owing, p.quality, reply_due_on="2026-11-10")
    replied = raise_nc(p.clerk, description="另一处标识缺失")
    done = issue_capa(replied, p.quality, reply_due_on="2026-11-10")
    sign(done, p.head)
    fill(done, p.clerk, correction="补贴临时标识", corrected_on="2026-11-02")
    sign(done, p.clerk)
    fill(done, p.head, why_1="无巡查", cause_category="method", root_cause="缺少巡查制度")
    sign(done, p.head)
    add_action(done, p.head, p.clerk, due="2026-12-20")
    sign(done, p.head)  # the plan is approved: the department has replied
    clock(11, 20)
    F.login(client, p.quality)
    html = client.get("/capa/desk?reply_overdue=1").get_data(as_text=True)
    rows = html.split('id="desk-rows"')[1].split("</table>")[0]
    assert owing.number in rows and replied.number not in rows
    assert capa.current_step == "accept"
    clock(11, 5)  # before the reply date nothing is overdue
    html = client.get("/capa/desk?reply_overdue=1").get_data(as_text=True)
    assert owing.number not in html.split('id="desk-rows"')[1].split("</table>")[0]
