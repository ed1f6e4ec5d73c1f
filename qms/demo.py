"""Example records for the demo (only when the demo has none yet)."""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from .auth.models import User
from .extensions import db
from .records import service
from .records import spec as specs
from .records.models import Record

EXAMPLES = [
    ("CS-INQ", "clerk", {"received_at": "2026-11-20T09:15", "channel": "phone", "customer_name": "陈建国",
                         "phone_number": "0756-2212345", "category": "billing", "severity": "general",
                         "content": "客户反映本月长话费异常偏高，要求核查长话清单。", "reply_due_on": "2026-11-21"}, 1),
    ("CS-INQ", "clerk", {"received_at": "2026-11-21T14:40", "channel": "counter", "customer_name": "林晓梅",
                         "phone_number": "13800138000", "category": "fault", "severity": "minor",
                         "content": "宽带频繁掉线，已转终端服务部。", "reply_due_on": "2026-11-23"}, 0),
    ("CS-KEY", "clerk", {"customer_name": "港湾实业有限公司", "phone_number": "0756-3318888",
                         "request": "新增 30 门分机及 2 条中继线", "target_department": "TSD",
                         "notified_at": "2026-11-19T10:00", "due_on": "2026-11-24"}, 1),
]


def records() -> int:
    """Create the example records once; returns how many were added."""
    if db.session.execute(select(Record.id).limit(1)).first():
        return 0
    made = 0
    for code, username, values, signatures in EXAMPLES:
        spec = specs.get(code)
        user = db.session.execute(select(User).where(User.username == username)).scalar()
        if spec is None or user is None:
            continue
        md = MultiDict({k: v for k, v in values.items()})
        record = service.create(spec, user, md, "zh_CN")
        if signatures:
            # Demo shortcut: the demo password is known, so the example is signed like a user would.
            from .seed import DEMO_USERS
            pw = next(p for u, *_, p in DEMO_USERS if u == username)
            service.sign(record, user, pw)
        made += 1
    return made
