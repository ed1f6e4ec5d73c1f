"""Demo records of key customers, terminal service and customer contact (CS-04, CS-05, CS-09), so
``make run`` shows each flow: two customers on the key-customer list; a service request sent in
writing to two departments, one finished in time and one overdue (its nonconformity opened as the
scheduler would); a terminal service signed by the customer and one waiting for the signature;
a satisfied questionnaire and a dissatisfied callback (its nonconformity opened on signing).

Signed with ``sign_verified``: a demo has no one to type the password (the demo users' passwords are
the app layer's, ``qms.seed``)."""
from __future__ import annotations

from datetime import timedelta

from werkzeug.datastructures import MultiDict

from ..auth.models import User
from ..core.timeutil import local, utcnow
from ..records import customer_sign, service
from ..records import spec as specs
from ..records.demo_support import ink
from ..records.demo_support import user as _user
from ..records.links import linked
from . import keycust

LIST = [
    {"customer_name": "港湾实业有限公司", "phone_number": "0756-3318888", "account": "ZH-DK-0001",
     "since": "2025-03-01", "notes": "客户经理:王静;专线 2 条,分机 120 门。"},
    {"customer_name": "珠海市人民医院", "phone_number": "0756-2222570", "account": "ZH-DK-0002",
     "since": "2024-07-15", "notes": "急救中心专线,故障当日修复。"},
]
KEY = {"customer_name": "港湾实业有限公司", "phone_number": "0756-3318888", "request_type": "install",
       "request": "新增 30 门分机及 2 条中继线,需同步开通计费。", "target_department": "TSD", "also_notify": ["TDD"]}
TERM = {"customer_name": "珠海市人民医院", "phone_number": "0756-2222570",
        "terminal": "华为 MA5620 数据终端 SN2201-0457", "request": "急救中心数据终端无法上网,上门检修。"}
VISITS = [
    {"method": "questionnaire", "customer_name": "珠海市人民医院", "phone_number": "0756-2222570",
     "content": "年度服务调查表:对故障修复速度满意。", "score": "5", "satisfaction": "satisfied"},
    {"method": "callback", "customer_name": "港湾实业有限公司", "phone_number": "0756-3318888",
     "content": "回访分机安装:客户反映技术发展部开通中继线拖延,多次催促无答复。",
     "score": "2", "satisfaction": "dissatisfied", "improvement": "重点客户中继线开通纳入日跟踪。"},
]




def _new(code: str, user: User, values: dict, sign: bool = True):
    record = service.create(specs.get(code), user, MultiDict(values), "zh_CN")
    if sign:
        service.sign_verified(record, user)
    return record


def _ink() -> bytes:
    return ink([(40, 140), (150, 50), (260, 150), (380, 60), (540, 130)])


def load() -> int:
    """Create the demo records (the demo users exist); returns how many were made."""
    clerk, tsd = _user("clerk"), _user("tsd")
    if clerk is None or tsd is None:
        return 0
    made = 0
    for values in LIST:
        _new("CS-KEYCUST", clerk, values)
        made += 1
    # Dates relative to today (the demo may run on any day): the notice went out six days ago, so the
    # 5-day installation limit has passed for the department that has not finished.
    now = local(utcnow()).replace(second=0, microsecond=0)
    sent = (now - timedelta(days=6)).replace(hour=10, minute=0)
    first = _new("CS-KEY", clerk, {**KEY, "notified_at": sent.strftime("%Y-%m-%dT%H:%M")})
    made += 1 + len(linked("CS-KEY", "notice_of", first.id))
    service.update(first, tsd, MultiDict({"completed_at": (sent + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
                                          "result": "分机已安装调试完毕,客户验收。"}), "zh_CN", first.version)
    service.sign_verified(first, tsd)
    made += keycust.open_overdue(utcnow())  # the 技术发展部 notice is past its 5 days
    day = (now - timedelta(days=2)).date().isoformat()
    done = _new("CS-TERM", tsd, {**TERM, "service_on": day})
    service.update(done, tsd, MultiDict({"completion": "更换电源模块,测试上网正常。", "completed_on": day}),
                   "zh_CN", done.version)
    customer_sign.capture_drawn(done, tsd, "刘主任", _ink())
    service.sign_verified(done, tsd)
    _new("CS-TERM", tsd, {**TERM, "terminal": "中兴 ZXV10 终端", "request": "门诊楼终端迁移",
                          "service_on": now.date().isoformat()})
    made += 2
    # The callback follows up the 技术发展部 notice: its nonconformity goes to that department.
    late = next((r.number for r in linked("CS-KEY", "notice_of", first.id)), "")
    for values in VISITS:
        about = late if values["method"] == "callback" else ""
        _new("CS-VISIT", clerk, {**values, "contacted_on": now.date().isoformat(), "about": about})
        made += 1
    return made
