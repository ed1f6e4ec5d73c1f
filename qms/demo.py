"""Example records for the demo (only when the demo has none yet)."""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from .analysis import demo_indicators, demo_meetings, demo_survey, demo_techniques
from .auth.models import Department, User
from .complaints import demo_fees, demo_intake, demo_keycust, demo_month, demo_network, demo_rewards
from .customer_property import demo_register, demo_workorders, demo_works
from .extensions import db
from .records import service
from .records import spec as specs
from .records.models import Record
from .seed import DEMO_USERS
from .traceability import demo_chain, demo_facilities

# The complaints package's parts, each with its own demo records (their load() returns how many).
COMPLAINT_DEMOS = (demo_intake, demo_fees, demo_keycust, demo_network, demo_rewards, demo_month)
# The traceability chain of 0756-2216688 (issue #14): each part's demo records, before the work orders.
TRACE_DEMOS = (demo_chain,)
# The customer-property package's parts (issue #14), each with its own demo records.
PROPERTY_DEMOS = (demo_register, demo_works, demo_workorders)
# The data-analysis package's parts (issue #15), each with its own demo records, after the others (they read them).
ANALYSIS_DEMOS = (demo_meetings, demo_survey, demo_techniques, demo_indicators)

EXAMPLES = [
    ("CS-INQ", "clerk", {"received_at": "2026-11-20T09:15", "channel": "phone", "customer_name": "陈建国",
                         "phone_number": "0756-2212345", "category": "billing", "severity": "general",
                         "content": "客户反映本月长话费异常偏高，要求核查长话清单。", "place": "电话查询台",
                         "outcome": "dispatch", "cause": "operator", "handling_department": "BIL"}, 1),
    ("CS-INQ", "clerk", {"received_at": "2026-11-21T14:40", "channel": "counter", "customer_name": "林晓梅",
                         "phone_number": "13800138000", "category": "fault", "severity": "minor",
                         "content": "宽带频繁掉线，已转终端服务部。", "place": "营业前台",
                         "outcome": "dispatch", "cause": "operator", "handling_department": "TSD"}, 0),
]


# Nonconformities: (username, department code, values, CAPA steps to sign: None = no CAPA yet).
NONCONFORMITIES = [
    ("quality", "CSD", {"source": "identification", "severity": "general", "found_on": "2026-11-18",
                        "description": "第二营业厅服务指引牌缺失，业务办理流程标识与现行资费不符。",
                        "requirement": "《服务过程的标识和可追溯性细则》营业场所标识要求"}, ("quality", "head")),
    ("clerk", "CSD", {"source": "complaint", "severity": "minor", "found_on": "2026-11-20",
                      "description": "客户投诉查询单超过 24 小时未答复。"}, None),
    ("tech", "TDD", {"source": "calibration", "severity": "serious", "found_on": "2026-11-21",
                     "description": "数字万用表 FLUKE-17B 送检不合格，检定前已用于 3 次线路测试。"}, None),
]


def _user(username: str) -> User | None:
    return db.session.execute(select(User).where(User.username == username)).scalar()


def _sign(record, username: str) -> None:
    # Demo shortcut: the demo password is known, so the example is signed like a user would.
    pw = next(p for u, *_, p in DEMO_USERS if u == username)
    service.sign(record, _user(username), pw)


def records() -> int:
    """Create the example records once; returns how many were added."""
    if db.session.execute(select(Record.id).limit(1)).first():
        return 0
    made = 0
    for code, username, values, signatures in EXAMPLES:
        spec = specs.get(code)
        user = _user(username)
        if spec is None or user is None:
            continue
        record = service.create(spec, user, MultiDict(values), "zh_CN")
        if signatures:
            _sign(record, username)
        made += 1
    made += demo_facilities.load()  # IT-01, IT-04, IT-05: objects, facilities, materials
    return made + _nonconformities() + _instruments() + sum(m.load() for m in COMPLAINT_DEMOS + TRACE_DEMOS
                                                             + PROPERTY_DEMOS + ANALYSIS_DEMOS)


def _nonconformities() -> int:
    """A few nonconformities at different stages, one with its CAPA record accepted."""
    made = 0
    for username, dept, values, capa_signers in NONCONFORMITIES:
        user = _user(username)
        if user is None:
            continue
        dept_id = Department.id_of(dept)
        nc = service.create(specs.get("CA-NC"), user, MultiDict(values), "zh_CN", department_id=dept_id)
        _sign(nc, username)
        made += 1
        if capa_signers:
            capa = service.create(specs.get("CA-CAPA"), _user(capa_signers[0]), MultiDict({
                "nonconformity": f"#{nc.id}", "finding": values["description"],
                "requirement": values.get("requirement", ""), "reply_due_on": "2026-11-30",
                "verify_after_days": "30"}), "zh_CN", department_id=dept_id)
            for signer in capa_signers:
                _sign(capa, signer)
            made += 1
    return made


INSTRUMENTS = [
    {"asset_no": "TDD-YB-0001", "name": "数字万用表", "model": "FLUKE-17B", "serial_no": "F17B-20240311",
     "maker": "福禄克", "range_accuracy": "DC 1000 V ±0.5%", "category": "public", "custodian_department": "TDD",
     "location": "技术发展部仪表室", "intake_on": "2025-01-06", "calibrated_on": "2025-12-20", "interval_months": "24"},
    {"asset_no": "TDD-YB-0002", "name": "光功率计", "model": "JW3208", "category": "public",
     "custodian_department": "TDD", "location": "技术发展部仪表室", "intake_on": "2023-03-01",
     "calibrated_on": "2024-10-15", "interval_months": "24"},
    {"asset_no": "SWT-YB-0001", "name": "误码测试仪", "model": "MP1570A", "category": "dedicated",
     "custodian_department": "SWT", "location": "交换传输室机房", "intake_on": "2024-06-01",
     "calibrated_on": "2025-01-10", "interval_months": "24"},
]


def _instruments() -> int:
    """Three registered instruments (one overdue for calibration, so the gate shows a refusal),
    a routine maintenance in the first one's usage file, the overdue one away at the metrology
    station, and a switch of 交换传输室 waiting for this month's billing-accuracy test."""
    made = 0
    for values in INSTRUMENTS:
        record = service.create(specs.get("INS-INTAKE"), _user("tech"), MultiDict(values), "zh_CN")
        _sign(record, "tech")
        made += 1
    steps = [
        ("INS-MAINT", "tech", MultiDict([("instrument", "TDD-YB-0001"), ("maintained_on", "2026-11-16"),
                                         ("work", "power_on"), ("work", "dust"), ("result", "normal")])),
        ("INS-SENDOUT", "tech", MultiDict({"agency": "市通信计量站", "sent_on": "2026-11-18",
                                           "expected_back_on": "2026-12-10", "asset_nos": "TDD-YB-0002",
                                           "carrier": "李强"})),
        ("INS-SWITCH", "swt", MultiDict({"name": "香洲端局 C&C08", "switch_type": "program_controlled",
                                         "model": "C&C08", "location": "香洲机楼三楼", "in_service_on": "2018-05-01"})),
    ]
    for code, username, data in steps:
        if code == "INS-MAINT":  # the instrument is named by its intake number, as a scan gives it
            inst = db.session.execute(select(Record).where(Record.form_code == "INS-INTAKE")
                                      .order_by(Record.id).limit(1)).scalar()
            data["instrument"] = inst.number
        record = service.create(specs.get(code), _user(username), data, "zh_CN")
        _sign(record, username)
        made += 1
    return made
