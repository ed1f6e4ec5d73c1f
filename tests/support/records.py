"""Steps of a record through the records service: fill a step's fields, sign it."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.records import service
from tests import factories as F


def sign(rec, user):
    service.sign(rec, user, F.PASSWORD)
    db.session.commit()
    return rec


def fill(rec, user, **values):
    service.update(rec, user, MultiDict(values), "zh_CN", rec.version)
    db.session.commit()
    return rec
