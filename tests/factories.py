"""Test factories: users in departments, logged-in clients, records through the services."""
from __future__ import annotations

import itertools
import re

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from qms.admin import service as admin_service
from qms.auth.models import Department, User
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs

PASSWORD = "correct-horse-42"
_seq = itertools.count(1)


def dept(code: str) -> Department:
    return db.session.execute(select(Department).where(Department.code == code)).scalar_one()


def user(role: str = "clerk", dept_code: str = "CSD", name: str | None = None, password: str = PASSWORD) -> User:
    """A committed user with a unique username."""
    n = next(_seq)
    u = admin_service.create_user(None, username=f"{role}{n}", full_name=name or f"{role} {n}",
                                  department_id=dept(dept_code).id, role=role, password=password,
                                  email=f"{role}{n}@example.test")
    db.session.commit()
    return u


def login(client, u: User, password: str = PASSWORD):
    """Log ``u`` in through the real login form (CSRF included)."""
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    resp = client.post("/login", data={"username": u.username, "password": password, "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return client


def csrf_from(html: str) -> str:
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert m, "no csrf token in page"
    return m.group(1)


def csrf(client, path: str = "/") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


INQ = {
    "received_at": "2026-11-20T09:15", "channel": "phone", "customer_name": "陈建国",
    "phone_number": "0756-2212345", "category": "billing", "severity": "general",
    "content": "话费异常偏高", "place": "电话查询台", "outcome": "dispatch", "cause": "operator",
    "handling_department": "CSD",
}


# The engine tests' mock form (tests/records/forms/TEST-REC.yaml): the same kind of values.
REC = {
    "received_at": "2026-11-20T09:15", "channel": "phone", "customer_name": "陈建国",
    "phone_number": "0756-2212345", "category": "billing", "severity": "general",
    "content": "话费异常偏高", "reply_due_on": "2026-11-21",
}
DEFAULTS = {"CS-INQ": INQ, "TEST-REC": REC}


def record(u: User, code: str = "CS-INQ", **values):
    """A draft created through the service layer (CS-INQ and TEST-REC start from their sample values)."""
    data = {**DEFAULTS.get(code, {}), **values}
    r = service.create(specs.get(code), u, MultiDict(data), "zh_CN")
    db.session.commit()
    return r


def handled(rec, u, text: str = "已核查长话清单，答复客户。"):
    """CS-INQ (or TEST-REC) second step: ``u`` fills 处理过程及结果 and signs it."""
    from qms.extensions import db as _db
    service.update(rec, u, MultiDict({"handling": text, "customer_informed": "y", "told_how": "phone",
                                      "told_at": "2026-11-20T16:00"}), "zh_CN", rec.version)
    service.sign(rec, u, PASSWORD)
    _db.session.commit()
    return rec
