"""Complaint rewards: the value from the grade and first/repeat, the refusals, the catalogue versions,
the reviewer, the notice within two working days, the sheets.

covers: CS-12
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from qms.complaints import catalogue, rewards_sheets
from qms.core import timeutil
from qms.core.errors import SignatureRefused, ValidationFailed
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from qms.reminders.models import DutyClosure, ReminderWatch
from tests.support import clock as C
from tests.support import records as R

from .helpers_rewards import complaint, people, review, reward

# One item of each grade (human-caused, in the handbook's catalogue) and the declared value table.
ITEM_OF = {"minor": "1.3", "general": "1.2", "major": "2.2.3", "serious": None}
VALUES = {("minor", "first"): 6, ("minor", "repeat"): 12, ("general", "first"): 12, ("general", "repeat"): 18,
          ("major", "first"): 18, ("major", "repeat"): 50, ("serious", "first"): 50, ("serious", "repeat"): 100}


@pytest.fixture
def p(app):
    C.clock(11, 20, 10)
    yield people()
    timeutil.set_clock(None)


def _serious_item(admin):
    """The handbook has no human-caused 严重 item (2.3.1 and 3.3.1 are system causes): an admin adds one."""
    catalogue.save(admin, None, {"number": "9.1", "category_zh": "其他", "category_en": "Other",
                                 "text": "前台人员泄露客户资料的", "grade": "serious", "cause": "human",
                                 "mobile": False, "in_use": True})
    db.session.commit()
    return "9.1"


@pytest.mark.parametrize("grade", ["minor", "general", "major", "serious"])
@pytest.mark.parametrize("repeat", ["first", "repeat"])
def test_cs12_reward_value_follows_grade_and_first_or_repeat(p, grade, repeat):
    item = ITEM_OF[grade] or _serious_item(p["admin"])
    rec = reward(p["clerk"], complaint(p["clerk"]), p["head"], item=item, repeat=repeat)
    v = rec.values
    assert v["severity"] == grade
    assert v["cause"] == "human"
    assert v["value"] == VALUES[(grade, repeat)]
    assert v["catalogue_version"] == catalogue.current_version()


def test_cs12_unjustified_complaint_is_not_rewarded(p):
    with pytest.raises(ValidationFailed) as exc:
        reward(p["clerk"], complaint(p["clerk"]), p["head"], justified="no")
    assert "justified" in exc.value.errors


@pytest.mark.parametrize("item", ["2.3.1", "4.2.1", "8.1"])
def test_cs12_system_or_network_cause_is_not_rewarded(p, item):
    with pytest.raises(ValidationFailed) as exc:
        reward(p["clerk"], complaint(p["clerk"]), p["head"], item=item)
    assert list(exc.value.errors) == ["item"]


def test_cs12_unknown_item_period_backwards_and_second_reward_refused(p):
    c = complaint(p["clerk"])
    with pytest.raises(ValidationFailed) as exc:
        reward(p["clerk"], c, p["head"], item="9.9.9")
    assert list(exc.value.errors) == ["item"]
    db.session.rollback()
    with pytest.raises(ValidationFailed) as exc:
        reward(p["clerk"], c, p["head"], start_on="2026-11-20", end_on="2026-11-19")
    assert "end_on" in exc.value.errors
    db.session.rollback()
    reward(p["clerk"], c, p["head"])
    with pytest.raises(ValidationFailed) as exc:
        reward(p["clerk"], c, p["head"])
    assert "complaint" in exc.value.errors


def test_cs12_catalogue_change_applies_to_new_records_only(p):
    first = reward(p["clerk"], complaint(p["clerk"]), p["head"], item="1.3")
    R.sign(first, p["clerk"])
    assert (first.values["severity"], first.values["value"], first.values["catalogue_version"]) == ("minor", 6, 1)
    old = catalogue.item("1.3")
    catalogue.save(p["admin"], "1.3", {**{k: getattr(old, k) for k in catalogue.EDITABLE}, "grade": "general"})
    db.session.commit()
    assert catalogue.current_version() == 2
    assert catalogue.item("1.3", version=1).grade == "minor" and catalogue.item("1.3").grade == "general"
    second = reward(p["clerk"], complaint(p["clerk"]), p["head"], item="1.3")
    assert (second.values["severity"], second.values["value"], second.values["catalogue_version"]) == ("general", 12, 2)
    db.session.refresh(first)
    assert (first.values["severity"], first.values["value"], first.values["catalogue_version"]) == ("minor", 6, 1)


def test_cs12_mobile_items_switched_off_are_not_offered(p):
    assert catalogue.switch_mobile(p["admin"], False) == sum(1 for i in catalogue.items_at() if i.mobile)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        reward(p["clerk"], complaint(p["clerk"]), p["head"], item="2.2.12")


def test_cs12_only_the_designated_reviewer_reviews(p):
    with pytest.raises(ValidationFailed) as exc:
        reward(p["clerk"], complaint(p["clerk"]), p["other"])
    assert "李审核" in " ".join(exc.value.errors["reviewer"])
    db.session.rollback()
    rec = R.sign(reward(p["clerk"], complaint(p["clerk"]), p["head"]), p["clerk"])
    assert rec.current_step == "review"
    with pytest.raises(SignatureRefused):
        R.sign(rec, p["other"])
    db.session.rollback()
    review(rec, p["head"])
    assert rec.current_step == "notify"


def test_cs12_unclear_goes_to_the_leader_whose_unjustified_ruling_stops_it(p):
    rec = R.sign(reward(p["clerk"], complaint(p["clerk"]), p["head"], justified="unclear"), p["clerk"])
    assert rec.current_step == "leader"
    with pytest.raises(ValidationFailed) as exc:
        R.fill(rec, p["gm"], leader_ruling="no")
    assert "leader_ruling" in exc.value.errors
    db.session.rollback()
    R.fill(rec, p["gm"], leader_ruling="yes")
    R.sign(rec, p["gm"])
    assert rec.current_step == "review"


def test_cs12_customer_told_within_two_working_days_of_the_review(p):
    C.clock(11, 20, 10)  # a Friday
    rec = R.sign(reward(p["clerk"], complaint(p["clerk"]), p["head"]), p["clerk"])
    R.fill(rec, p["head"], reviewed_at="2026-11-20T10:00")
    R.sign(rec, p["head"])
    watch = db.session.execute(select(ReminderWatch).where(ReminderWatch.rule_id == "cs12-reward-notice",
                                                           ReminderWatch.subject_id == rec.id)).scalar_one()
    # Friday 10:00 + 18 working hours (08:30-17:30): Tuesday 10:00, over the weekend.
    assert timeutil.local(watch.due_at).replace(tzinfo=None).isoformat() == "2026-11-24T10:00:00"
    assert watch.active
    C.clock(11, 23, 11)
    R.fill(rec, p["clerk"], notified_at="2026-11-23T11:00", notified_how="phone")
    R.sign(rec, p["clerk"])
    db.session.refresh(watch)
    assert rec.status == "closed" and not watch.active


def test_cs12_sheets_total_the_rewards(p):
    made = []
    for item, repeat in (("1.3", "first"), ("1.2", "repeat"), ("2.2.3", "first")):
        rec = R.sign(reward(p["clerk"], complaint(p["clerk"]), p["head"], item=item, repeat=repeat), p["clerk"])
        review(rec, p["head"])
        made.append(rec)
    start, end = rewards_sheets.period("daily", date(2026, 11, 20))
    daily = rewards_sheets.rows("daily", start, end)
    sums = rewards_sheets.totals(daily)
    assert sums["count"] == 3 and sums["value"] == 6 + 18 + 18
    assert sums["cells"][("general", "repeat")] == [1, 18]
    month = rewards_sheets.rows("register", *rewards_sheets.period("register", date(2026, 11, 5)))
    assert [r.number for r in month] == [m.number for m in made]
    assert rewards_sheets.period("summary", date(2026, 12, 1)) == (date(2026, 11, 1), date(2026, 11, 30))
    assert rewards_sheets.period("weekly", date(2026, 11, 23)) == (date(2026, 11, 16), date(2026, 11, 22))
    assert rewards_sheets.totals(rewards_sheets.rows("summary", date(2026, 10, 1), date(2026, 10, 31)))["count"] == 0


def test_cs12_a_filing_closes_only_its_own_sheets_monthly_duty(p):
    rec = service.create(specs.get("CS-REWARD-FILING"), p["clerk"], MultiDict(
        {"sheet": "register", "month": "2026-11", "sent_to": "营帐数据室", "sent_on": "2026-11-20"}), "zh_CN")
    assert (rec.values["register_period"], rec.values["repricing_period"]) == ("2026-11", "")
    R.sign(rec, p["clerk"])
    closed = set(db.session.execute(select(DutyClosure.rule_id, DutyClosure.period)).all())
    assert ("cs12-register", "2026-11") in closed
    assert not {r for r, _ in closed} & {"cs12-repricing", "cs12-summary"}
