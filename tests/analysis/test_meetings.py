"""DA-03 monthly meetings: each meeting type does its own monthly duty (the month held, one after the
month reviewed), one record per type and month, the month reviewed not in the future, actions opened once
when the chair signs, a late action climbing the corrective actions' ladder, the review's actions.
covers: DA-03"""
import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from qms import seed
from qms.analysis import actions, demo_meetings
from qms.core.errors import SignatureRefused, ValidationFailed
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from qms.records.models import Record
from qms.reminders import engine, rules
from qms.reminders.models import Notification, ReminderWatch
from tests import factories as F
from tests.support.api import token_for
from tests.support.clock import at, clock
from tests.support.records import fill, sign

TYPES = ("business", "engineering", "om", "coordination")


class Cast:
    def __init__(self):
        self.recorder = F.user("clerk", "EMD", name="赵敏")
        self.chair = F.user("quality_manager", "EMD", name="陈芳")
        self.quality2 = F.user("quality_manager", "EMD", name="周红")
        self.owner = F.user("clerk", "CSD", name="王静")
        self.head = F.user("department_head", "CSD", name="张明")
        self.gm = F.user("general_manager", "LDR", name="刘伟")
        self.other_head = F.user("department_head", "TDD", name="孙涛")


@pytest.fixture
def cast(app):
    return Cast()


def meeting(cast, kind="business", month="2026-11", held_on="2026-12-03", rows=(), **values):
    """A DA-MEETING draft recorded by 企业管理部's clerk; ``rows``: (title, owner, due_on)."""
    data = MultiDict({"meeting_type": kind, "month": month, "held_on": held_on, "chair": str(cast.chair.id),
                      "agenda": "议程", "minutes": "纪要", "decisions": "决议", **values})
    data.setlist("departments", ["EMD", "CSD"])
    for i, (title, owner, due) in enumerate(rows):
        data.update({f"actions-{i}-title": title, f"actions-{i}-owner": str(owner.id), f"actions-{i}-due_on": due})
    rec = service.create(specs.get("DA-MEETING"), cast.recorder, data, "zh_CN")
    db.session.commit()
    return rec


def held(cast, **kw):
    """A meeting recorded and signed by its chair (closed)."""
    return sign(sign(meeting(cast, **kw), cast.recorder), cast.chair)


def sweep(moment):
    clock(moment.month, moment.day, moment.hour)
    table = rules.by_id()
    engine.ensure_calendar_watches(list(table.values()), moment)
    db.session.commit()
    return engine.sweep(table, now=moment)


def active(rule_id, period):
    db.session.expire_all()
    return db.session.execute(select(ReminderWatch.active).where(
        ReminderWatch.rule_id == rule_id, ReminderWatch.period == period)).scalar_one()


def got(user, rule_id="da03-action-due"):
    db.session.expire_all()
    return [n.stage for n in db.session.execute(select(Notification).where(
        Notification.recipient_id == user.id, Notification.rule_id == rule_id).order_by(Notification.id)).scalars()]


def test_DA03_four_duties_replace_the_single_one_each_closed_by_its_own_type(app):
    table = rules.by_id()
    assert "da03-meetings" not in table
    for kind in TYPES:
        cw = table[f"da03-{kind}"].closes_with
        assert (cw.form, cw.period_field, cw.where, cw.offset) == ("DA-MEETING", "month", (("meeting_type", kind),), 1)


def test_DA03_each_meeting_type_closes_its_own_duty_for_the_month_it_is_held_in(app, cast):
    sweep(at(12, 3))
    for kind in TYPES:
        assert active(f"da03-{kind}", "2026-12")
    closed = []
    for kind in TYPES:
        held(cast, kind=kind)  # reviews November, held in December: December's duty
        closed.append(kind)
        for other in TYPES:
            assert active(f"da03-{other}", "2026-12") is (other not in closed), (kind, other)
            assert active(f"da03-{other}", "2027-01")  # the next month stays open
    # The reminder of a duty leads to the form with the reviewed month and the type filled in.
    assert engine.duty_link(rules.by_id()["da03-om"], "2027-01") == "/r/DA-MEETING/new?month=2026-12&meeting_type=om"


def test_DA03_a_recorded_meeting_not_yet_signed_by_its_chair_does_not_close_the_duty(app, cast):
    sweep(at(12, 3))
    sign(meeting(cast, kind="om"), cast.recorder)
    assert active("da03-om", "2026-12")


def test_DA03_duplicate_type_and_month_refused_with_a_field_message(app, cast):
    held(cast, kind="business")
    with pytest.raises(ValidationFailed) as exc:
        sign(meeting(cast, kind="business"), cast.recorder)
    assert "month" in exc.value.errors and "2026-11" in exc.value.errors["month"][0]
    held(cast, kind="om")  # another type, same month: fine
    held(cast, kind="business", month="2026-10", held_on="2026-11-05")  # same type, another month: fine


def test_DA03_duplicate_refused_in_the_api_with_422(app, client, cast):
    held(cast, kind="coordination")
    body = {"values": {"meeting_type": "coordination", "month": "2026-11", "held_on": "2026-12-02",
                       "chair": cast.chair.id, "departments": ["CSD"], "agenda": "议程", "minutes": "纪要",
                       "decisions": "决议"}}
    resp = client.post("/api/v1/forms/DA-MEETING/records", json=body, headers=token_for(cast.recorder))
    assert resp.status_code == 422 and "month" in resp.get_json()["fields"]
    future = {"values": {**body["values"], "month": "2027-01"}}
    resp = client.post("/api/v1/forms/DA-MEETING/records", json=future, headers=token_for(cast.recorder))
    assert resp.status_code == 422 and "month" in resp.get_json()["fields"]


def test_DA03_month_in_the_future_held_before_the_month_and_action_due_before_the_meeting_refused(app, cast):
    clock(12, 3)
    with pytest.raises(ValidationFailed) as exc:
        meeting(cast, month="2027-01")
    assert "month" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        meeting(cast, month="2026-11", held_on="2026-10-30")
    assert "held_on" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        meeting(cast, rows=[("整改", cast.owner, "2026-12-20"), ("复查", cast.owner, "2026-12-01")])
    assert exc.value.errors["actions"] == ["第2行：完成期限早于会议日期（2026-12-03）。"]


def test_DA03_actions_opened_once_when_the_chair_signs(app, cast):
    clock(12, 3)
    rec = sign(meeting(cast, rows=[("整改计费差错", cast.owner, "2026-12-20"), ("复查", cast.head, "2026-12-31")]),
               cast.recorder)
    assert actions.open_actions(rec) == []  # not closed yet: nothing opened
    sign(rec, cast.chair)
    made = actions.open_actions_of(rec)
    assert [(a.values["title"], a.values["owner"], str(a.values["due_on"]), a.values["row"]) for a in made] == [
        ("整改计费差错", cast.owner.id, "2026-12-20", 1), ("复查", cast.head.id, "2026-12-31", 2)]
    assert {a.status for a in made} == {"in_progress"} and {a.current_step for a in made} == {"implement"}
    assert {a.department_id for a in made} == {cast.owner.department_id} and made[0].values["source"] == rec.id
    # Once: another change of the record, or asking again, opens nothing more.
    assert [a.id for a in actions.open_actions(rec)] == [a.id for a in made]
    actions.source_changed(rec, specs.get("DA-MEETING"))
    assert len(actions.open_actions_of(rec)) == 2
    # An amendment with one more row opens only the new row; the first two stay.
    clock(12, 4)
    new = service.amend(rec, cast.chair, "补充措施")
    db.session.commit()
    data = MultiDict({"meeting_type": "business", "month": "2026-11", "held_on": "2026-12-03",
                      "chair": str(cast.chair.id), "agenda": "议程", "minutes": "纪要", "decisions": "决议"})
    data.setlist("departments", ["EMD"])
    for i, (t, o, d) in enumerate([("整改计费差错", cast.owner, "2026-12-20"), ("复查", cast.head, "2026-12-31"),
                                   ("培训", cast.owner, "2027-01-15")]):
        data.update({f"actions-{i}-title": t, f"actions-{i}-owner": str(o.id), f"actions-{i}-due_on": d})
    service.update(new, cast.chair, data, "zh_CN", new.version)
    db.session.commit()
    sign(sign(new, cast.recorder), cast.chair)
    after = actions.open_actions_of(new)
    assert [a.values["title"] for a in after] == ["整改计费差错", "复查", "培训"]


def test_DA03_a_late_action_climbs_owner_head_quality_gm_and_stops_when_done(app, cast):
    clock(12, 3)
    rec = held(cast, rows=[("整改计费差错", cast.owner, "2026-12-10"), ("复查", cast.head, "2026-12-10")])
    late, done = actions.open_actions_of(rec)
    clock(12, 5)
    sign(fill(done, cast.head, done_on="2026-12-05", result="已复查"), cast.head)  # in time: its reminders stop
    sweep(at(12, 6))
    assert got(cast.owner) == ["lead:7"] and got(cast.head) == []
    sweep(at(12, 11))
    assert "overdue" in got(cast.owner) and got(cast.head) == []
    sweep(at(12, 12))
    assert got(cast.head) == ["escalate:1"] and got(cast.chair) == []
    sweep(at(12, 14))
    assert "escalate:2" in got(cast.chair) and "escalate:2" in got(cast.quality2) and got(cast.gm) == []
    sweep(at(12, 18))
    assert got(cast.gm) == ["escalate:3"] and got(cast.other_head) == []
    states = {s.record.id: s.state for s in actions.states(rec)}
    assert states == {late.id: "late", done.id: "done"}
    clock(12, 18, 11)
    sign(fill(late, cast.owner, done_on="2026-12-18", result="已整改"), cast.owner)
    before = len(got(cast.owner))
    sweep(at(12, 28))
    assert len(got(cast.owner)) == before
    assert {s.record.id: s.state for s in actions.states(rec)}[late.id] == "done_late"


def test_DA03_only_the_owner_signs_the_action(app, cast):
    clock(12, 3)
    rec = held(cast, rows=[("整改", cast.owner, "2026-12-20")])
    [action] = actions.open_actions_of(rec)
    fill(action, cast.owner, done_on="2026-12-03", result="完成")
    with pytest.raises(SignatureRefused):
        sign(action, cast.head)
    db.session.rollback()
    assert sign(action, cast.owner).status == "closed"


def test_DA03_the_review_opens_its_improvement_actions_with_the_review_as_source(app, cast):
    clock(12, 3)
    data = MultiDict({"period_from": "2025-01-01", "period_to": "2025-12-31", "held_on": "2026-01-15",
                      "chair": str(cast.gm.id), "decisions": "体系适宜、充分、有效", "resource_needs": "增加计费稽核人员",
                      "actions-0-title": "修订投诉处理流程", "actions-0-owner": str(cast.head.id),
                      "actions-0-due_on": "2026-03-31"})
    rec = service.create(specs.get("DA-REVIEW"), cast.chair, data, "zh_CN")
    db.session.commit()
    sign(rec, cast.chair)
    assert actions.open_actions_of(rec) == []
    sign(rec, cast.gm)
    [a] = actions.open_actions_of(rec)
    assert (a.form_code, a.values["source"], a.values["title"], a.values["owner"]) == (
        "DA-ACTION", rec.id, "修订投诉处理流程", cast.head.id)


def test_DA03_an_action_made_by_hand_names_a_meeting_or_review(app, cast):
    clock(12, 3)
    data = MultiDict({"row": "1", "title": "x", "owner": str(cast.owner.id), "due_on": "2026-12-20"})
    with pytest.raises(ValidationFailed) as exc:
        service.create(specs.get("DA-ACTION"), cast.chair, data, "zh_CN")
    assert "source" in exc.value.errors


def test_DA03_the_meeting_page_lists_its_actions_and_the_new_form_has_the_agenda_of_the_type(app, client, cast):
    clock(12, 3)
    rec = held(cast, kind="om", rows=[("更换空调", cast.owner, "2026-12-05")])
    clock(12, 8)
    F.login(client, cast.chair)
    page = client.get(f"/r/DA-MEETING/{rec.id}").get_data(as_text=True)
    [a] = actions.open_actions_of(rec)
    assert 'id="meeting-actions"' in page and a.display_number in page and "更换空调" in page and "逾期" in page
    assert 'id="facility-status"' in page
    new = client.get("/r/DA-MEETING/new?meeting_type=om&month=2026-11").get_data(as_text=True)
    assert "就上月交换机的实占容量" in new


def test_DA03_the_demo_holds_four_meetings_a_month_for_eleven_months_and_the_2025_review(app):
    clock(12, 3)
    seed.demo_users()
    made = demo_meetings.load()
    db.session.commit()
    meetings = db.session.execute(select(Record).where(Record.form_code == "DA-MEETING")).scalars().all()
    assert len(meetings) == 44 and {m.status for m in meetings} == {"closed"}
    assert {m.values["month"] for m in meetings} == {f"2026-{i:02d}" for i in range(1, 12)}
    states = [s.state for m in meetings for s in actions.states(m)]
    assert {"done", "open", "late"} <= set(states) and states.count("late") == 1
    [review] = db.session.execute(select(Record).where(Record.form_code == "DA-REVIEW")).scalars().all()
    assert [s.state for s in actions.states(review)] == ["done", "done", "open"]
    assert made == 44 + 1 + len(states) + 3


def test_DA03_the_meetings_page_shows_each_type_per_month_its_duties_and_the_late_actions(app, client, cast):
    clock(12, 3)
    sweep(at(12, 3))
    rec = held(cast, kind="business", rows=[("整改计费差错", cast.owner, "2026-12-05")])
    held(cast, kind="om", month="2026-10", held_on="2026-11-05")
    clock(12, 8)
    F.login(client, cast.owner)
    page = client.get("/analysis/meetings").get_data(as_text=True)
    duties = page.split('id="meeting-duties"')[1].split("</table>")[0]
    assert rec.display_number in duties  # December's business duty, done by the meeting reviewing November
    grid = page.split('id="meeting-grid"')[1].split("</table>")[0]
    cell = grid.split('data-cell="2026-11-business"')[1].split("</td>")[0]
    assert rec.display_number in cell and "1 项逾期" in cell
    assert "/r/DA-MEETING/new?month=2026-11&amp;meeting_type=om" in grid  # not held yet: a link to record it
    assert 'data-cell="2026-10-om"' in grid and "/r/DA-MEETING/new?month=2026-10&amp;meeting_type=om" not in grid
    [action] = actions.open_actions_of(rec)
    assert action.display_number in page.split('id="open-actions"')[1]
