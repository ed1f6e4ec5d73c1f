"""Steps of a complaint/inquiry (CS-INQ) through the records service, for the intake tests."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from tests import factories as F

BASE = {"received_at": "2026-12-01T09:00", "channel": "counter", "customer_name": "陈建国",
        "phone_number": "0756-2212345", "category": "complaint", "severity": "general",
        "content": "营业员态度差", "place": "光大营业厅", "outcome": "dispatch", "cause": "operator",
        "handling_department": "BIL"}


def receive(user, **values):
    """A complaint drafted by ``user`` (BASE values, overridden)."""
    data = {k: v for k, v in {**BASE, **values}.items() if v is not None}
    rec = service.create(specs.get("CS-INQ"), user, MultiDict(data), "zh_CN")
    db.session.commit()
    return rec


def sign(rec, user):
    service.sign(rec, user, F.PASSWORD)
    db.session.commit()
    return rec


def fill(rec, user, **values):
    service.update(rec, user, MultiDict(values), "zh_CN", rec.version)
    db.session.commit()
    return rec


def handle(rec, user, **values):
    """The handling department handles it and tells the customer the result."""
    data = {"handling": "已核查并更正", "told_how": "phone", "told_at": "2026-12-01T15:00", **values}
    return sign(fill(rec, user, **data), user)


def review(rec, head, satisfaction="satisfied"):
    return sign(fill(rec, head, satisfaction=satisfaction, complete="y"), head)


def submitted(user, **values):
    """Received and signed by ``user`` (the first responder)."""
    return sign(receive(user, **values), user)
