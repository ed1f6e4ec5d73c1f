"""DEMO ONLY: complaint rewards (CS-12) so ``make run`` shows the flow: 客户服务部's reviewer named,
three complaints with a reward each — one told to the customer (closed), one reviewed and waiting to
be told (its 2-working-day reminder running), one waiting for the leader's ruling (有理/无理 unclear)."""
from __future__ import annotations

from datetime import timedelta

from werkzeug.datastructures import MultiDict

from ..auth.models import Department
from ..core.timeutil import local, utcnow
from ..records import service
from ..records import spec as specs
from ..records.demo_support import user as _user
from . import rewards_reviewers

COMPLAINTS = [
    ({"channel": "counter", "customer_name": "黄志明", "phone_number": "13902231234", "category": "complaint",
      "severity": "major", "content": "申请开通来电显示，营业员错办为呼叫转移，来电显示未开通导致漏接重要电话。"},
     {"item": "2.2.3", "justified": "yes", "repeat": "first", "kind": "feature_fee"}, ("review", "notify")),
    ({"channel": "phone", "customer_name": "吴丽华", "phone_number": "0756-2256789", "category": "complaint",
      "severity": "general", "content": "第二次反映营业员服务态度差，上次投诉后无人回复。"},
     {"item": "1.2", "justified": "yes", "repeat": "repeat", "kind": "call_minutes"}, ("review",)),
    ({"channel": "counter", "customer_name": "郑国强", "phone_number": "13800765432", "category": "complaint",
      "severity": "minor", "content": "称营业员未说明交费期限，导致产生滞纳金；营业员称已口头告知。"},
     {"item": "3.1.3", "justified": "unclear", "repeat": "first", "kind": "feature_fee"}, ()),
]




def _sign(record, user) -> None:
    # Demo shortcut: no password is asked of the demo users here (the demo knows them anyway).
    service.sign_verified(record, user)


def load() -> int:
    """Create the demo rewards once (nothing when the demo users are missing); returns records made."""
    clerk, head = _user("clerk"), _user("head")
    inq, reward = specs.get("CS-INQ"), specs.get("CS-REWARD")
    if clerk is None or head is None or inq is None or reward is None:
        return 0
    rewards_reviewers.save(_user("admin") or head, Department.id_of("CSD"), head.id)
    now = local(utcnow()).replace(second=0, microsecond=0)
    made = 0
    for n, (complaint, values, steps) in enumerate(COMPLAINTS):
        at = (now - timedelta(hours=30 - 10 * n)).strftime("%Y-%m-%dT%H:%M")
        # Answered at the counter by the first responder (CS-INQ's short path), then rewarded.
        answered = {"received_at": at, "place": "营业前台", "outcome": "on_spot",
                    "on_spot_answer": "已向客户解释并致歉，按奖励办法给予奖励。"}
        c = service.create(inq, clerk, MultiDict({**complaint, **answered}), "zh_CN")
        _sign(c, clerk)
        r = service.create(reward, clerk, MultiDict({
            **values, "complaint": c.number, "customer_name": complaint["customer_name"],
            "phone_number": complaint["phone_number"], "content": complaint["content"],
            "start_on": now.date().isoformat(), "end_on": (now.date() + timedelta(days=30)).isoformat(),
            "reviewer": str(head.id)}), "zh_CN")
        _sign(r, clerk)
        made += 2
        if "review" in steps:
            service.update(r, head, MultiDict({"reviewed_at": now.strftime("%Y-%m-%dT%H:%M"),
                                               "review_note": "属实，同意奖励。"}), "zh_CN", r.version)
            _sign(r, head)
        if "notify" in steps:
            service.update(r, clerk, MultiDict({"notified_at": now.strftime("%Y-%m-%dT%H:%M"),
                                                "notified_how": "phone"}), "zh_CN", r.version)
            _sign(r, clerk)
    return made
