"""Demo records of the chain's first links (``make run``): for 0756-2216688 / 珠海海天贸易有限公司 a
business acceptance slip signed by the clerk, the number allocated by 交换传输室, and a complaint
about the line, so that ``/trace?q=0756-2216688`` shows one number end to end (the work orders, PBX
and works of the same number come from the other parts' demos). Called once by ``qms.demo.records``."""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..auth.models import User
from ..extensions import db
from ..records import service
from ..records import spec as specs
from .chain_forms import BIZ, NUM

PHONE, CUSTOMER = "0756-2216688", "珠海海天贸易有限公司"


def _user(username: str) -> User | None:
    return db.session.execute(select(User).where(User.username == username)).scalar()


def _signed(code: str, username: str, **values):
    """Create and sign as ``username``. Demo shortcut: the demo users' passwords are not checked
    again here (``sign_verified``), as a real signature would be."""
    user = _user(username)
    record = service.create(specs.get(code), user, MultiDict(values), "zh_CN")
    service.sign_verified(record, user)
    return record


def load() -> int:
    """Create the demo chain; returns how many records."""
    if any(specs.get(c) is None for c in (BIZ, NUM, "CS-INQ")) or any(_user(u) is None for u in ("clerk", "swt")):
        return 0
    slip = _signed(BIZ, "clerk", accepted_at="2026-11-16T09:40", customer_name=CUSTOMER, phone_number=PHONE,
                   contact_phone="13926981234", address="珠海市香洲区海天路88号海天大厦5楼", business_type="install",
                   request="新装商务电话一部（含来电显示），客户自备话机。", external_order_no="ZH-YY-20261116-0412")
    _signed(NUM, "swt", record=slip.number, customer_name=CUSTOMER, number=PHONE, exchange="香洲端局 C&C08",
            port="2框7槽16端口", line="海天大厦交接箱 HT-03 第12对", allocated_on="2026-11-17")
    complaint = _signed("CS-INQ", "clerk", received_at="2026-11-26T10:15", channel="phone", customer_name=CUSTOMER,
                        phone_number="0756 221 6688", category="fault", severity="general", place="客户服务部营业前台",
                        content="新装电话开通后来电显示不正常，要求尽快处理。", outcome="dispatch", cause="operator",
                        handling_department="TSD")
    return 3 if complaint else 2
