"""Helpers for the indicator tests: records of the source forms through the records service, and the
test's own count of an indicator from the records (independent of the kept counters)."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from qms.core import timeutil
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from tests import factories as F
from tests.capa.helpers import add_action, implement, issue_capa
from tests.support.clock import at
from tests.support.records import fill, sign

NC = {"source": "audit", "severity": "general", "found_on": "2026-11-05", "description": "工单未按规定签字"}


def complaint(user, **values):
    """A submitted CS-INQ complaint (created and its first step signed)."""
    return sign(F.record(user, "CS-INQ", **values), user)


def nonconformity(user, **values):
    """A submitted CA-NC nonconformity."""
    rec = service.create(specs.get("CA-NC"), user, MultiDict({**NC, **values}), "zh_CN")
    db.session.commit()
    return sign(rec, user)


def close_nc(nc, p, day: int, month: int = 11):
    """The whole CAPA of ``nc`` on one day (the verification period set to one day), then 企业管理部
    closes it the next day, ``month``/``day`` + 1 (tests.capa.helpers' steps; ``p``: its People)."""
    timeutil.set_clock(at(month, day))
    capa_rec = issue_capa(nc, p.quality, reply_due_on=f"2026-{month:02d}-{day + 1:02d}", verify_after_days="1")
    when = f"2026-{month:02d}-{day:02d}"
    sign(capa_rec, p.head)
    fill(capa_rec, p.clerk, correction="当日补贴临时标识", corrected_on=when)
    sign(capa_rec, p.clerk)
    fill(capa_rec, p.head, why_1="标识脱落未发现", why_2="无定期巡查", cause_category="method", root_cause="缺少巡查制度")
    sign(capa_rec, p.head)
    action = add_action(capa_rec, p.head, p.clerk, due=when)
    sign(capa_rec, p.head)
    implement(action, p.clerk, done=when)
    fill(capa_rec, p.head, implemented_on=when, implementation_summary="措施已全部实施")
    sign(capa_rec, p.head)
    timeutil.set_clock(at(month, day + 1))
    nxt = f"2026-{month:02d}-{day + 1:02d}"
    fill(capa_rec, p.quality, verified_on=nxt, effective="yes", verification_note="复查无缺失")
    sign(capa_rec, p.quality)
    fill(nc, p.quality, close_note="措施有效,关闭")
    return sign(nc, p.quality)


def void(rec, user, reason="录入错误"):
    service.void(rec, user, reason, F.PASSWORD)
    db.session.commit()
    return rec
