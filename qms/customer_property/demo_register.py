"""Demo records of the customer-property register (CP-01, CP-04, CP-07), so ``make run`` shows it: the
PBX of 珠海海天贸易有限公司 (0756-2216688, the number traced end to end) that failed its on-site
inspection, passed a re-inspection round and was approved for formal use; a PBX in rectification
after a failed inspection; one whose inspection is still to come; one that passed and was then
damaged, with the loss report the customer signed.

Signed with ``sign_verified``: a demo has no one to type the password (the demo users' passwords are
the app layer's, ``qms.seed``). Dates are relative to today, so the demo runs on any day."""
from __future__ import annotations

import io
from datetime import timedelta

from werkzeug.datastructures import MultiDict

from ..auth.models import User
from ..core.timeutil import today
from ..records import customer_sign, service
from ..records import spec as specs
from ..records.demo_support import ink
from ..records.demo_support import user as _user
from ..records.models import Record
from .loss import LOSS as LOSS_FORM
from .pbx_hooks import item_of
from .pbx_rounds import PBX, PBX_RE

LICENCE = b"%PDF-1.4\n% demo: a scan of the network-access licence\n"
PBXS = [  # (values, inspection: None = not yet, "pass" / "fail"; rounds after a fail; approved)
    ({"customer_name": "珠海海天贸易有限公司", "contact_phone": "0756-2216688", "device_model": "HJD-8100",
      "licence_no": "02-5678-991234", "capacity_lines": "96", "switching_system": "程控数字", "connection_mode": "中继",
      "power_supply": "-48V 直流", "auxiliary_equipment": "话务台 1 台,计费终端 1 台", "trunks_needed": "8",
      "install_address": "珠海市香洲区海天大厦 3 楼机房"}, "fail", ("pass",), True),
    ({"customer_name": "港湾实业有限公司", "contact_phone": "0756-3318888", "device_model": "SX-2000",
      "licence_no": "02-1122-334455", "capacity_lines": "120", "switching_system": "程控数字",
      "connection_mode": "中继", "power_supply": "-48V 直流", "auxiliary_equipment": "录音设备 1 套",
      "trunks_needed": "10", "install_address": "珠海市港湾大道 8 号"}, "fail", ("fail",), False),
    ({"customer_name": "香洲电子厂", "contact_phone": "0756-3312345", "device_model": "HJD-4800",
      "licence_no": "02-9988-776655", "capacity_lines": "48", "trunks_needed": "4",
      "install_address": "珠海市香洲区工业区 12 栋"}, None, (), False),
    ({"customer_name": "拱北口岸酒店", "contact_phone": "0756-8881234", "device_model": "NEC SL1000",
      "licence_no": "02-4455-667788", "capacity_lines": "64", "trunks_needed": "6",
      "install_address": "珠海市拱北迎宾南路 1 号"}, "pass", (), False),
]
LOSS = {"what": "damaged", "description": "现场检验后搬运话务台时跌落,外壳破裂,按键失灵。", "told_how": "phone",
        "customer_answer": "客户同意由我司送修,修复后重新检验。", "disposition": "送厂家维修,费用由我司承担。"}




def _day(n: int) -> str:
    return (today() - timedelta(days=n)).isoformat()


def _ink() -> bytes:
    return ink([(40, 150), (160, 60), (280, 140), (400, 50), (560, 120)])


def _application(head: User, clerk: User, values: dict, inspection: str | None, rounds: tuple,
                 approved: bool) -> tuple[int, Record]:
    """One application (accepted by the head, inspected and re-inspected by the clerk): records made, it."""
    rec = service.create(specs.get(PBX), head, MultiDict({**values, "applied_on": _day(40)}), "zh_CN")
    service.attach(rec, head, io.BytesIO(LICENCE), "设备入网证.pdf")
    service.sign_verified(rec, head)
    made = 1
    if inspection is None:
        return made, rec
    service.update(rec, clerk, MultiDict({
        "installed_on": _day(30), "inspected_on": _day(28), "inspection_departments": ["CSD", "TSD", "SWT"],
        "inspection_result": inspection,
        "inspection_notes": "中继接口阻抗不符,话务台无进网标志。" if inspection == "fail" else "各项指标合格。"}),
        "zh_CN", rec.version)
    service.sign_verified(rec, clerk)
    for n, result in enumerate(rounds):
        rnd = service.create(specs.get(PBX_RE), clerk, MultiDict({
            "application": rec.number, "customer_name": values["customer_name"],
            "contact_phone": values["contact_phone"], "rectification": "更换中继接口板,话务台换用有进网标志的型号。",
            "inspected_on": _day(20 - 5 * n), "inspection_departments": ["CSD", "SWT"], "result": result,
            "notes": "复检合格。" if result == "pass" else "中继接口仍有杂音,继续整改。"}), "zh_CN")
        service.sign_verified(rnd, clerk)
        made += 1
    if approved:
        service.sign_verified(rec, head)
    return made, rec


def _loss(clerk: User, rec: Record) -> int:
    """The loss report on the PBX of ``rec``, told to and signed by the customer."""
    item = item_of(rec)
    if item is None:
        return 0
    report = service.create(specs.get(LOSS_FORM), clerk, MultiDict({
        **LOSS, "item_code": item.code, "customer_name": item.customer_name, "contact_phone": item.phone,
        "found_on": _day(7), "told_on": _day(6)}), "zh_CN")
    service.sign_verified(report, clerk)
    customer_sign.capture_drawn(report, clerk, "李经理", _ink())
    service.sign_verified(report, clerk)
    return 1


def load() -> int:
    """Create the demo records (the demo users exist); returns how many were made."""
    head, clerk = _user("head"), _user("clerk")
    if head is None or clerk is None or specs.get(PBX) is None:
        return 0
    made, last = 0, None
    for row in PBXS:
        n, last = _application(head, clerk, *row)
        made += n
    return made + _loss(clerk, last)
