"""Helpers for the reminder tests: a key-customer record (CS-KEY) due 5 days after its notice, and its people."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from qms.core import timeutil
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from tests import factories as F
from tests.support.clock import at

# A new installation has 5 days (forms/CS-KEY.yaml lookups): due at the end of 25 November.
KEY = {"customer_name": "港湾实业", "phone_number": "0756-3318888", "request": "新增分机", "request_type": "install",
       "target_department": "TSD", "notified_at": "2026-11-20T10:00"}


def key_record(clerk, **values):
    timeutil.set_clock(at(11, 20))
    rec = service.create(specs.get("CS-KEY"), clerk, MultiDict({**KEY, **values}), "zh_CN")
    db.session.commit()
    return rec


def people():
    return (F.user("clerk", "CSD"), F.user("department_head", "CSD"), F.user("quality_manager", "EMD"),
            F.user("general_manager", "LDR"))


# Calendar duties done by records (tests/reminders/test_duties*.py): a monthly summary due by the
# 10th, done when a TEST-PERIOD record for the month is closed; a yearly one done by the filing
# (the first signature) of a record whose held_on falls in the year.
MONTHLY = {"id": "cs07-test-summary", "requirement": "CS-07", "kind": "monthly", "day": 10, "remind_days_before": 2,
           "title": {"zh": "测试月度汇总", "en": "Test monthly summary"},
           "recipients": [{"role": "clerk", "department": "CSD"}],
           "ladder": [{"after_hours": 24, "to": "quality_manager"}],
           "closes_with": {"form": "TEST-PERIOD", "period_field": "month"}}
YEARLY = {"id": "da02-test-survey", "requirement": "DA-02", "kind": "yearly", "month": 12, "day": 15,
          "remind_days_before": 5, "title": {"zh": "测试年度征询", "en": "Test yearly survey"},
          "recipients": [{"role": "quality_manager"}],
          "closes_with": {"form": "TEST-PERIOD", "period_field": "held_on", "step": "submit"}}


def summary(clerk, month="2026-12", **values):
    """A TEST-PERIOD draft for ``month`` (filled by ``clerk``)."""
    rec = service.create(specs.get("TEST-PERIOD"), clerk, MultiDict({"month": month, "summary": "本月投诉 12 件",
                                                                    **values}), "zh_CN")
    db.session.commit()
    return rec
