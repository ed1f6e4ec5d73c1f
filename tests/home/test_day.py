"""Home and inbox for the day: what I can sign now apart from my department's open work; notices
of records that are done show as resolved; reminders name a record by its number or its form and
day, never "#id".
covers: REC-02"""
from sqlalchemy import select

from qms.extensions import db
from qms.records import service
from qms.reminders import engine, rules
from qms.reminders.models import Notification, ReminderWatch
from tests import factories as F
from tests.reminders.helpers import key_record, people
from tests.support.clock import at
from tests.support.records import sign


def test_home_separates_what_i_can_sign_from_the_departments_open_work(app, client):
    clerk, head = F.user("clerk", "CSD"), F.user("department_head", "CSD")
    mine = F.record(clerk, "TEST-REC", customer_name="周末")
    sign(mine, clerk)
    F.handled(mine, clerk)  # waits for the head's review
    theirs = F.record(clerk, "TEST-REC", customer_name="林晓梅")
    sign(theirs, clerk)  # waits for the handling step (clerk, technician or head)
    other = F.record(clerk, "TEST-REC", customer_name="陈建国")
    sign(other, clerk)
    F.login(client, clerk)
    html = client.get("/").get_data(as_text=True)
    to_sign = html.split('id="to-sign"')[1].split("</section>")[0]
    department = html.split('id="department-open"')[1].split("</section>")[0]
    # The clerk may sign the handling steps now; the review waits for the head, so it is the
    # department's open work, named with who signs it.
    assert theirs.number in to_sign and other.number in to_sign and mine.number not in to_sign
    assert mine.number in department
    F.login(client, head)
    html = client.get("/").get_data(as_text=True)
    assert mine.number in html.split('id="to-sign"')[1].split("</section>")[0]


def test_a_notice_of_a_record_that_is_done_shows_as_resolved(app, client):
    clerk, head, *_ = people()
    rec = key_record(clerk)
    engine.sweep(rules.by_id(), now=at(11, 24))
    F.login(client, clerk)
    assert "resolved-mark" not in client.get("/inbox").get_data(as_text=True)
    service.void(rec, head, "客户撤回申请")
    db.session.commit()
    html = client.get("/inbox").get_data(as_text=True)
    assert 'class="ok resolved-mark"' in html and "已处理" in html


def test_a_reminder_never_names_a_draft_by_its_id(app):
    clerk, *_ = people()
    rec = key_record(clerk)  # a draft: no number yet
    titles = db.session.execute(select(ReminderWatch.title).where(ReminderWatch.subject_id == rec.id)).scalars().all()
    assert titles and all("#" not in t and "草稿" in t for t in titles)
    engine.sweep(rules.by_id(), now=at(11, 24))
    assert all("#" not in n.title for n in db.session.execute(select(Notification)).scalars())


def test_a_link_field_shows_the_linked_records_number_and_title(app, client):
    clerk = F.user("clerk", "CSD")
    rec = F.record(clerk, "TEST-REC")
    sign(rec, clerk)
    F.login(client, clerk)
    html = client.get(f"/r/TEST-LINK/new?source=%23{rec.id}").get_data(as_text=True)
    assert f"{rec.number} · 测试记录表" in html
