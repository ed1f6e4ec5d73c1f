"""Demo work orders (``make run``; CP-03, IT-03) for the chain's demo number 0756-2216688 (珠海海天贸易有限公司):
a new line accepted on a signed business acceptance slip, its install work order completed with a telephone
and a fax checked and connected, signed by the customer on screen and inspected; and a repair of that
telephone finished past the regulator's 48 hours, which opened its outage fee waiver by itself and waits for
its inspection. Times are counted back from now, so the demo is never in the future. The demo signs as its
own users with no password typed (``service.sign_verified``, as the importer does); never run on live data."""
from __future__ import annotations

from datetime import timedelta

from werkzeug.datastructures import MultiDict

from ..core.timeutil import local, utcnow
from ..records import customer_sign, service
from ..records import spec as specs
from ..records.demo_support import ink_data_url
from ..records.demo_support import user as _user
from . import register as reg
from .workorders_rules import BIZ, WO

PHONE, CUSTOMER = "0756-2216688", "珠海海天贸易有限公司"
ADDRESS = "珠海市香洲区海天路 8 号海天大厦 1206 室"
TELEPHONE = {"kind": "telephone", "model": "步步高 HCD007(6082)TSD", "licence_mark": "yes",
             "licence_no": "02-5711-041326", "performance": "pass", "connected": "yes"}
FAX = {"kind": "fax_g3", "model": "松下 KX-FT872CN", "licence_mark": "yes", "licence_no": "02-6221-052217",
       "performance": "pass", "connected": "yes"}




def _ink() -> str:
    """The customer's signature as the pad draws it (a PNG data URL)."""
    return ink_data_url([(40, 150), (130, 40), (230, 160), (330, 50), (450, 150), (560, 70)])


def _rows(*devices) -> dict:
    return {f"devices-{i}-{k}": v for i, row in enumerate(devices) for k, v in row.items()}


def _save(record, user, values: dict) -> None:
    service.update(record, user, MultiDict(values), "zh_CN", record.version)


def _t(base, hours: float = 0) -> str:
    """``hours`` after ``base``, as the forms store a datetime."""
    return (base + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def _order(clerk, base, business_type: str, request: str, area: str = "urban"):
    """A slip accepted at ``base`` and signed, and the work order issued from it half an hour later."""
    slip = service.create(specs.get(BIZ), clerk, MultiDict({
        "accepted_at": _t(base), "customer_name": CUSTOMER, "phone_number": PHONE, "contact_phone": "13902216688",
        "address": ADDRESS, "business_type": business_type, "request": request}), "zh_CN")
    service.sign_verified(slip, clerk)
    wo = service.create(specs.get(WO), clerk, MultiDict({"biz_slip": f"#{slip.id}", "area": area,
                                                         "issued_at": _t(base, 0.5), "instructions": request}), "zh_CN")
    service.sign_verified(wo, clerk)
    return wo


def load() -> int:
    """The two work orders (and their slips, the devices on the register, the waiver); how many records made."""
    clerk, lineman, quality = _user("clerk"), _user("tsd"), _user("quality")
    if None in (clerk, lineman, quality) or specs.get(WO) is None or specs.get(BIZ) is None:
        return 0
    now = local(utcnow()).replace(tzinfo=None, second=0, microsecond=0)
    start = (now - timedelta(days=8)).replace(hour=9, minute=0)
    install = _order(clerk, start, "install", "新装商务电话一部，并接客户自备传真机一台")
    _save(install, lineman, {"completed_at": _t(start, 30), "work_done": "入户布线，装机两部，拨测正常",
                             **_rows(TELEPHONE, FAX)})
    service.sign_verified(install, lineman)
    _save(install, lineman, {"eval_attitude": "satisfied", "eval_time_limit": "satisfied",
                             "eval_comment": "师傅准时上门，讲解清楚"})
    customer_sign.capture_drawn(install, lineman, "李海天", _ink())
    service.sign_verified(install, lineman)
    _save(install, quality, {"inspection_result": "pass", "inspection_note": "设备登记齐全，客户签名、评价完整"})
    service.sign_verified(install, quality)

    # The repair: reported four days later, fixed after 74 hours (the town's limit is 48).
    phone_item = reg.items_of_record(install.id)[0]
    reported = start + timedelta(days=4)
    repair = _order(clerk, reported, "repair", "客户报话机无拨号音，传真正常")
    _save(repair, lineman, {"completed_at": _t(reported, 74), "work_done": "更换入户线及话机模块，拨测正常",
                            **_rows({"item_code": phone_item.code, "licence_mark": "yes", "performance": "pass",
                                     "connected": "yes"})})
    service.sign_verified(repair, lineman)
    _save(repair, lineman, {"eval_attitude": "satisfied", "eval_time_limit": "fair", "eval_comment": "修得有点慢"})
    customer_sign.capture_drawn(repair, lineman, "李海天", _ink())
    service.sign_verified(repair, lineman)
    return 5  # two slips, two work orders, the waiver
