"""Home: each role sees what waits for it (to fill, to sign, overdue) and recent activity."""
from qms.extensions import db
from qms.records import service
from tests import factories as F


def test_clerk_sees_drafts_and_overdue_head_sees_what_to_sign(app, client):
    clerk, head = F.user("clerk"), F.user("department_head")
    draft = F.record(clerk, "TEST-REC", received_at="2019-12-30T09:00", reply_due_on="2020-01-01")
    sent = F.record(clerk, "TEST-REC")
    service.sign(sent, clerk, F.PASSWORD)
    db.session.commit()
    F.handled(sent, clerk)
    F.login(client, clerk)
    html = client.get("/").get_data(as_text=True)
    assert f"/r/TEST-REC/{draft.id}" in html  # draft and overdue
    assert "已签名" in html or "已创建" in html  # recent activity
    other = app.test_client()
    F.login(other, head)
    html = other.get("/").get_data(as_text=True)
    assert sent.number in html and "部门负责人审核" in html
