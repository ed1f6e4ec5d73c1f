"""Helpers of the reports and review pack tests (DA-01..DA-04): people, reports through the service, and
other procedures' records stored in the shapes the services write (values, status, facets, a signature),
so a test can lay out a period of records and count them itself."""
from __future__ import annotations

from datetime import datetime

from werkzeug.datastructures import MultiDict

from qms.auth.models import Department
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from qms.records.indexing import index_values
from qms.records.models import Record, Signature
from tests import factories as F
from tests.support.clock import at
from tests.support.records import sign

_seq = [0]


class People:
    """企业管理部's clerk, quality manager and head; the general manager."""

    def __init__(self):
        self.clerk = F.user("clerk", "EMD", name="李娜")
        self.quality = F.user("quality_manager", "EMD", name="陈芳")
        self.head = F.user("department_head", "EMD", name="赵刚")
        self.gm = F.user("general_manager", "LDR", name="孙总")


def report(user, kind: str, period: str, **values):
    """A DA-REPORT draft through the service."""
    data = {"kind": kind, "period": period, "sent_to": ["bureau", "zone"], **values}
    md = MultiDict()
    for k, v in data.items():
        for item in (v if isinstance(v, list) else [v]):
            md.add(k, item)
    rec = service.create(specs.get("DA-REPORT"), user, md, "zh_CN")
    db.session.commit()
    return rec


def approved(rec, compiler, approver):
    """Sign a report's two steps."""
    sign(rec, compiler)
    sign(rec, approver)
    return rec


def stored(code: str, values: dict, *, status: str = "closed", dept: str = "EMD", signed: tuple = (),
           user=None) -> Record:
    """A record of ``code`` as the services leave it: numbered, ``status``, its facets indexed, and a live
    signature per (step, aware moment) in ``signed``."""
    spec = specs.get(code)
    _seq[0] += 1
    author = user or F.user("clerk", dept)
    rec = Record(form_code=code, form_revision_id=spec.revision_id, status=status, department_id=Department.id_of(dept),
                 created_by_id=author.id, number=f"T-{code}-{_seq[0]:05d}", year=2026, seq=_seq[0],
                 current_step=None if status == "closed" else spec.workflow[-1].name)
    rec.values = values
    index_values(rec, spec, values, fresh=True)  # before the first flush: a closed record's columns are locked
    db.session.add(rec)
    db.session.flush()
    for step, moment in signed:
        db.session.add(Signature(record_id=rec.id, step=step, meaning="approval", user_id=author.id,
                                 printed_name=author.full_name, signed_at=moment, content_hash="0" * 64))
    db.session.commit()
    return rec


def moment(month: int, day: int) -> datetime:
    """Ten o'clock Shanghai time in 2026."""
    return at(month, day)
