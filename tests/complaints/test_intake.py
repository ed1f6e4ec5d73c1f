"""The complaint/inquiry form through the service: first response on the spot or dispatched (CS-01,
CS-02), the 180 centre's tickets (CS-03), serious cases to 企业管理部 (CS-08), the three repeat
definitions (CS-12), the 24-hour clock with its complex-case exception (CS-10) and the regulator's
15 days, with the test clock.
covers: CS-01, CS-02, CS-03, CS-08, CS-10, CS-12"""
from datetime import datetime

import pytest
from sqlalchemy import select

from qms.core.errors import SignatureRefused, ValidationFailed
from qms.extensions import db
from qms.records import policy
from qms.records import spec as specs
from qms.records.models import CLOSED, IN_PROGRESS
from qms.reminders import engine, rules
from qms.reminders.models import MailOutbox, Notification, ReminderWatch
from tests import factories as F
from tests.complaints.intake_helpers import fill, handle, receive, review, sign, submitted
from tests.support.clock import at, clock


@pytest.fixture
def people(app):
    class P:
        csd = F.user("clerk", "CSD", name="受理员")
        csd_head = F.user("department_head", "CSD")
        bil = F.user("clerk", "BIL", name="核算员")
        tech = F.user("technician", "OMD", name="线务员")
        quality = F.user("quality_manager", "EMD")
        gm = F.user("general_manager", "LDR")
    return P


def _notices(user):
    db.session.expire_all()
    return [(n.rule_id, n.stage) for n in db.session.execute(
        select(Notification).where(Notification.recipient_id == user.id).order_by(Notification.id)).scalars()]


def test_cs01_a_lineman_settles_on_the_spot_and_signs_alone(people):
    clock(12, 1, 10)
    with pytest.raises(ValidationFailed) as exc:
        receive(people.tech, outcome="on_spot", channel="field", cause=None, handling_department=None)
    assert "on_spot_answer" in exc.value.errors  # how the customer was answered, on the spot
    rec = submitted(people.tech, outcome="on_spot", channel="field", cause=None, handling_department=None,
                    on_spot_answer="解释了月租费构成，客户接受")
    assert rec.status == CLOSED and [s.user_id for s in rec.signatures] == [people.tech.id]
    assert rec.number.startswith("TS-")


def test_cs02_dispatched_complaint_is_signed_by_the_handling_department_then_evaluated(people):
    clock(12, 1, 10)
    with pytest.raises(ValidationFailed) as exc:
        receive(people.csd, cause=None, handling_department=None)
    assert {"cause", "handling_department"} <= set(exc.value.errors)
    rec = submitted(people.csd)
    assert rec.status == IN_PROGRESS and rec.current_step == "handle"
    spec = specs.get("CS-INQ")
    # The receiving department does not sign the handling: the department dispatched to does.
    assert policy.signable_step(people.csd, spec, rec) is None
    with pytest.raises(SignatureRefused):
        sign(rec, people.csd)
    db.session.rollback()
    # Told before it was received: refused on the field.
    with pytest.raises(ValidationFailed) as exc:
        fill(rec, people.bil, handling="x", told_how="phone", told_at="2026-11-30T09:00")
    assert "told_at" in exc.value.errors
    db.session.rollback()
    with pytest.raises(ValidationFailed) as exc:
        fill(rec, people.bil, handling="x", told_how="phone", told_at="2026-12-01T15:00",
             **{"progress-0-told_at": "2026-11-30T09:00", "progress-0-how": "phone", "progress-0-note": "正在核查"})
    assert "progress" in exc.value.errors
    db.session.rollback()
    handle(rec, people.bil, **{"progress-0-told_at": "2026-12-01T11:00", "progress-0-how": "phone",
                               "progress-0-note": "已转核算室核查"})
    assert [s.step for s in rec.signatures] == ["submit", "handle"]
    assert rec.signatures[1].user_id == people.bil.id and rec.values["progress"][0]["note"] == "已转核算室核查"
    assert rec.current_step == "review"
    review(rec, people.csd_head)
    assert rec.status == CLOSED


def test_cs03_a_180_ticket_needs_its_number_and_its_written_reply(people):
    clock(12, 1, 10)
    with pytest.raises(ValidationFailed) as exc:
        receive(people.csd, channel="c180")
    assert exc.value.errors["c180_ticket"] == ["180投诉中心转来的投诉单须填写工单号"]
    rec = submitted(people.csd, channel="c180", c180_ticket="180-20261201-007")
    with pytest.raises(ValidationFailed) as exc:  # the written reply to the centre is missing
        fill(rec, people.bil, handling="已核实", told_how="phone", told_at="2026-12-01T15:00")
    assert "c180_reply" in exc.value.errors
    db.session.rollback()
    handle(rec, people.bil, c180_reply="经核查，系计费数据错误，已为客户退还多收话费。")
    assert rec.current_step == "review"


def test_cs08_serious_case_reaches_enterprise_management_at_once_and_the_gm_when_referred(people):
    clock(12, 1, 10)
    minor = submitted(people.csd)
    rec = submitted(people.csd, severity="serious", content="大面积通话中断，客户集体投诉")
    assert rec.current_step == "coordinate" and minor.current_step == "handle"
    engine.sweep(rules.by_id(), now=at(12, 1, 10))
    assert ("cs08-serious-complaint", "escalate:1") in _notices(people.quality)
    assert _notices(people.csd) == [] or all(r != "cs08-serious-complaint" for r, _s in _notices(people.csd))
    link = db.session.execute(select(Notification.link).where(
        Notification.recipient_id == people.quality.id, Notification.rule_id == "cs08-serious-complaint")).scalar_one()
    assert link == f"/r/CS-INQ/{rec.id}"
    assert db.session.execute(select(MailOutbox).where(MailOutbox.to_addr == people.quality.email)).scalars().first()
    # 企业管理部 coordinates and refers it to the general manager, who decides; then the handling.
    sign(fill(rec, people.quality, coordination="请核算室、运维部联合处理", refer_to_gm="y"), people.quality)
    assert rec.current_step == "gm"
    sign(fill(rec, people.gm, gm_decision="同意，全额减免当月功能费"), people.gm)
    assert rec.current_step == "handle"
    # Not referred: straight from 企业管理部 to the handling department.
    other = submitted(people.csd, severity="serious", phone_number="13800138000")
    sign(fill(other, people.quality, coordination="按流程处理"), people.quality)
    assert other.current_step == "handle"


def _stored(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_cs10_fee_disputes_are_due_in_24_hours_unless_complex_with_a_reason(people):
    clock(12, 1, 10)
    rec = receive(people.csd, category="billing")
    assert rec.values["reply_limit_hours"] == 24 and rec.values["reply_due_at"] == "2026-12-02T09:00"
    fault = receive(people.csd, category="fault", phone_number="13800138000")
    assert fault.values["reply_due_at"] == "2026-12-03T09:00"
    with pytest.raises(ValidationFailed) as exc:
        receive(people.csd, category="billing", complex_case="y")
    assert "complex_reason" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        receive(people.csd, category="complaint", complex_case="y", complex_reason="涉及多个月份")
    assert "complex_case" in exc.value.errors
    complex_ = receive(people.csd, category="billing", complex_case="y", complex_reason="需省公司核查漫游话单")
    assert complex_.values["reply_limit_hours"] == 360 and complex_.values["reply_due_at"] == "2026-12-16T09:00"
    # The deadline is not typed: a value sent for it is ignored.
    typed = receive(people.csd, category="billing", reply_due_at="2027-01-01T00:00", phone_number="13900139000")
    assert typed.values["reply_due_at"] == "2026-12-02T09:00"
    # Watched while the handling department has it: overdue after 24 hours, to the receiving clerk.
    sign(rec, people.csd)
    watch = db.session.execute(select(ReminderWatch).where(ReminderWatch.rule_id == "cs10-reply-due",
                                                           ReminderWatch.subject_id == rec.id)).scalar_one()
    assert watch.active
    engine.sweep(rules.by_id(), now=at(12, 2, 8))
    assert _notices(people.csd) == [("cs10-reply-due", "lead:4h")]  # four hours before
    engine.sweep(rules.by_id(), now=at(12, 2, 10))
    assert ("cs10-reply-due", "due") in _notices(people.csd)
    handle(rec, people.bil)
    db.session.expire_all()
    assert not db.session.get(ReminderWatch, watch.id).active  # answered: the reminders stop


def test_cs02_the_regulators_15_calendar_days_run_beside_the_internal_limit(people, client):
    clock(12, 1, 10)
    rec = submitted(people.csd, received_at="2026-12-01T09:00")
    assert rec.values["regulator_due_at"] == "2026-12-16T23:59"  # 15 calendar days, to the end of the day
    late = submitted(people.csd, received_at="2026-12-31T20:00", phone_number="13800138000")
    assert late.values["regulator_due_at"] == "2027-01-15T23:59"  # across the new-year holiday too
    F.login(client, people.csd)
    clock(12, 17, 9)
    html = client.get(f"/r/CS-INQ/{rec.id}").get_data(as_text=True)
    assert 'id="clock-internal"' in html and 'id="clock-regulator"' in html
    assert "2026-12-16 23:59" in html and "2026-12-02 09:00" in html and "已逾期" in html


def test_cs12_repeat_1_an_earlier_complaint_not_answered_in_time(people):
    clock(12, 1, 10)
    first = submitted(people.csd)  # due 12-02 09:00, never answered
    assert first.values["repeat"] == "first" and first.values.get("repeat_of") is None
    clock(12, 3, 10)
    again = submitted(people.csd, received_at="2026-12-03T10:00", phone_number="+86 756 221 2345")
    assert again.values["repeat"] == "repeat" and again.values["repeat_of"] == first.id
    assert again.values["repeat_basis"] == "上次投诉未在处理时限内答复客户"


def test_cs12_repeat_2_dissatisfied_with_the_earlier_result_within_30_days(people):
    clock(12, 1, 10)
    first = submitted(people.csd)
    handle(first, people.bil)  # answered in time
    review(first, people.csd_head, satisfaction="dissatisfied")
    clock(12, 20, 10)
    again = submitted(people.csd, received_at="2026-12-20T10:00")
    assert (again.values["repeat"], again.values["repeat_of"]) == ("repeat", first.id)
    assert again.values["repeat_basis"] == "客户不满意上次处理结果而再次投诉"


def test_cs12_repeat_2_window_and_the_clerks_word(people):
    clock(12, 1, 10)
    first = submitted(people.csd)
    handle(first, people.bil)
    review(first, people.csd_head, satisfaction="satisfied")
    clock(12, 10, 10)
    plain = submitted(people.csd, received_at="2026-12-10T10:00", content="咨询套餐")
    assert plain.values["repeat"] == "first"
    said = submitted(people.csd, received_at="2026-12-10T11:00", dissatisfied_before="y")
    assert (said.values["repeat"], said.values["repeat_of"]) == ("repeat", plain.id)
    # More than 30 days after the earlier ones: the clerk's word alone is no repeat.
    clock(1, 20, 10, )
    far = receive(people.csd, received_at="2026-01-20T10:00", dissatisfied_before="y", phone_number="13600136000")
    assert far.values["repeat"] == "first"


def test_cs12_repeat_3_same_category_caused_by_the_same_person(people):
    clock(12, 1, 10)
    clerk_at_fault = F.user("clerk", "HAL", name="营业员甲")
    first = submitted(people.csd, responsible_person=str(clerk_at_fault.id))
    handle(first, people.bil)
    review(first, people.csd_head)
    clock(12, 20, 10)
    other_kind = submitted(people.csd, received_at="2026-12-20T10:00", category="inquiry",
                           responsible_person=str(clerk_at_fault.id))
    assert other_kind.values["repeat"] == "first"
    same = submitted(people.csd, received_at="2026-12-20T11:00", responsible_person=str(clerk_at_fault.id))
    assert (same.values["repeat"], same.values["repeat_of"]) == ("repeat", first.id)
    assert same.values["repeat_basis"] == "同一责任人造成的同类型投诉"


def test_cs12_the_clerk_corrects_the_verdict_only_with_a_reason(people):
    clock(12, 1, 10)
    submitted(people.csd)
    clock(12, 3, 10)
    with pytest.raises(ValidationFailed) as exc:
        receive(people.csd, received_at="2026-12-03T10:00", repeat_claim="first")
    assert "repeat_claim_reason" in exc.value.errors
    rec = receive(people.csd, received_at="2026-12-03T10:00", repeat_claim="first",
                  repeat_claim_reason="上次投诉为其家人代办，非同一事项")
    assert rec.values["repeat"] == "first" and rec.values["repeat_basis"].startswith("人工更正：")


def test_cs02_a_derived_field_is_never_typed_required_or_defaulted(app):
    """The engine key the intake part adds (``derived: true``, set by ``FormRules.derive``)."""
    import yaml

    from qms.core.errors import SpecError
    from qms.records.webforms import form_class
    raw = yaml.safe_load(open("forms/CS-INQ.yaml", encoding="utf-8"))
    spec = specs.parse(raw, "CS-INQ.yaml")
    assert spec.field_map["repeat"].derived and "repeat" not in form_class(spec, "zh_CN")()._fields
    for bad in ({"required": True}, {"default": "first"}):
        fields = [{**f, **bad} if f["name"] == "repeat" else f for f in raw["fields"]]
        with pytest.raises(SpecError, match="derived"):
            specs.parse({**raw, "fields": fields}, "CS-INQ.yaml")


def test_cs12_an_amendment_is_no_repeat_of_the_complaint_it_corrects(people):
    from qms.records import service
    from qms.records.webforms import to_formdata
    clock(12, 1, 10)
    rec = submitted(people.csd, outcome="on_spot", cause=None, handling_department=None, on_spot_answer="已解释",
                    responsible_person=str(people.bil.id))
    clock(12, 5, 10)
    new = service.amend(rec, people.csd_head, "更正受理地点")
    db.session.commit()
    data = to_formdata(specs.get("CS-INQ"), new.values)
    data["place"], data["received_at"] = "光大营业厅二楼", "2026-12-01T10:00"  # later than the original
    service.update(new, people.csd_head, data, "zh_CN", new.version)
    db.session.commit()
    assert new.values["place"] == "光大营业厅二楼"
    assert new.values["repeat"] == "first" and new.values.get("repeat_of") is None
