"""Demo history for the computed indicators (``make run``; DA-01): January to November 2026, a few records a
month on each source form, each taken through its steps at the moments it happened (the clock set to each
step, as ``complaints.demo_network`` does): complaints received, dispatched, handled and evaluated (a serious
one now and then through 企业管理部); fee disputes settled within 24 hours or not; nonconformities with their
CAPA verified and closed (one late); key-customer services; the switch's monthly billing-accuracy test (one
below the threshold); calibrations (one past its due day); install work orders (one late). The counts are
kept by the hooks as the records are signed. The demo signs as its own users with no password typed
(``service.sign_verified``, as the other demo modules do); never run on live data."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..auth.models import Department
from ..core import timeutil
from ..extensions import db
from ..records import customer_sign, service
from ..records import spec as specs
from ..records.demo_support import ink_data_url
from ..records.demo_support import user as _user
from ..records.models import Record

FMT = "%Y-%m-%dT%H:%M"
DEPTS = (("SWT", "swt"), ("TDD", "tech"), ("BIL", "bil"), ("OMD", "omd"), ("TSD", "tsd"))
CATEGORIES = ("complaint", "billing", "fault", "inquiry")
GRADES = ("general", "minor", "major")
CERTIFICATE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_today = date.max  # the real day the demo is loaded on (set by load())
NEEDED = ("clerk", "head", "quality", "tech", "tdhead", "swt", "swthead", "bil", "omd", "tsd")


def _at(moment: datetime) -> None:
    timeutil.set_clock(moment.replace(tzinfo=timeutil.tz()))


def _create(code: str, username: str, values: dict, department: str | None = None) -> Record:
    dept_id = Department.id_of(department) if department else None
    return service.create(specs.get(code), _user(username), MultiDict(values), "zh_CN", department_id=dept_id)


def _step(record: Record, username: str, **values) -> None:
    """Fill the waiting step as ``username`` and sign it (no password: the demo's shortcut)."""
    user = _user(username)
    if values:
        service.update(record, user, MultiDict(values), "zh_CN", record.version)
    service.sign_verified(record, user)


def _complaints(m: int) -> int:
    """Three CS-INQ complaints of month ``m``, dispatched, handled the same day and evaluated."""
    for i, day in enumerate((4, 12, 20)):
        t = datetime(2026, m, day, 9, 30)
        dept, who = DEPTS[(m + i) % len(DEPTS)]
        serious = i == 0 and m % 3 == 0
        _at(t)
        rec = _create("CS-INQ", "clerk", {
            "received_at": t.strftime(FMT), "channel": "counter", "place": "客户服务部营业前台",
            "customer_name": f"示例客户{m:02d}{i}", "phone_number": f"0756-22{m:02d}{day:02d}{i}",
            "category": CATEGORIES[(m + i) % 4], "severity": "serious" if serious else GRADES[(m + i) % 3],
            "content": "客户反映问题,要求尽快处理。", "outcome": "dispatch", "cause": "operator",
            "handling_department": dept})
        _step(rec, "clerk")
        if serious:
            _at(t + timedelta(hours=1))
            _step(rec, "quality", coordination="企业管理部协调处理部门当日处理并回访。")
        _at(t + timedelta(hours=5))
        _step(rec, who, handling="已核查并处理,电话告知客户结果。", told_how="phone",
              told_at=(t + timedelta(hours=5)).strftime(FMT))
        _at(t + timedelta(hours=6))
        _step(rec, "head", satisfaction="satisfied" if i else "fair", complete="y")
    return 3


def _fees(m: int) -> int:
    """Two fee disputes: one settled the same day, the other (every other month) after two days."""
    for i, (day, hours) in enumerate(((6, 4), (16, 50 if m % 2 else 6))):
        t = datetime(2026, m, day, 10, 0)
        _at(t)
        rec = _create("TS-FEE", "clerk", {
            "received_at": t.strftime(FMT), "channel": "counter", "repeat": "first", "flow": "ts003",
            "customer_name": f"费用客户{m:02d}{i}", "phone_number": f"139022{m:02d}{day:02d}{i}",
            "dispute_type": ("tariff", "service")[i], "disputed_amount": "20.00",
            "content": "客户对本月话费有异议。", "handling_department": "CSD"})
        _step(rec, "clerk")
        _step(rec, "clerk", findings="按资费标准计收无误", cause="special")
        done = t + timedelta(hours=hours)
        _at(done)
        _step(rec, "clerk", route="explain", solution="向客户解释计费依据", resolved_on=done.date().isoformat())
        _step(rec, "clerk", replied_at=done.strftime(FMT), reply_method="phone", reply_content="已向客户解释")
    return 2


def _nonconformity(m: int) -> int:
    """A nonconformity found on the 8th, its CAPA through to verified, closed by 企业管理部: in time,
    except in May (40 days later)."""
    found = datetime(2026, m, 8, 9, 0)
    _at(found)
    nc = _create("CA-NC", "clerk", {"source": "audit", "severity": "general", "found_on": found.date().isoformat(),
                                    "description": "营业厅服务指引标识缺失",
                                    "requirement": "《服务过程的标识和可追溯性细则》"})
    _step(nc, "clerk")
    work = found + timedelta(days=40 if m == 5 else 10)
    if work.date() >= _today:
        return 1
    _at(work)
    day = work.date().isoformat()
    capa = _create("CA-CAPA", "quality", {"nonconformity": f"#{nc.id}", "finding": "标识缺失",
                                          "reply_due_on": day, "verify_after_days": "1"}, department="CSD")
    _step(capa, "quality")
    _step(capa, "head")
    _step(capa, "clerk", correction="当日补贴临时标识", corrected_on=day)
    _step(capa, "head", why_1="标识脱落未发现", why_2="无定期巡查", cause_category="method",
          root_cause="缺少标识巡查制度")
    action = _create("CA-ACTION", "head", {"capa": f"#{capa.id}", "kind": "corrective",
                                           "description": "补齐全部营业厅标识",
                                           "owner": str(_user("clerk").id), "due_on": day})
    _step(action, "head")
    _step(capa, "head")
    _step(action, "clerk", done_on=day, evidence="已补齐并拍照")
    _step(capa, "head", implemented_on=day, implementation_summary="措施已全部实施")
    _at(work + timedelta(days=1))
    nxt = (work + timedelta(days=1)).date().isoformat()
    _step(capa, "quality", verified_on=nxt, effective="yes", verification_note="复查无缺失")
    _step(nc, "quality", close_note="措施有效,关闭")
    return 4


def _key_service(m: int) -> int:
    """A key-customer installation notified on the 10th, done in two days (in August a fault done late)."""
    t = datetime(2026, m, 10, 10, 0)
    late = m == 8
    _at(t)
    rec = _create("CS-KEY", "clerk", {"customer_name": "港湾实业有限公司", "phone_number": "0756-3318888",
                                      "request_type": "fault" if late else "install", "request": "企业专线扩容",
                                      "target_department": "TSD", "notified_at": t.strftime(FMT)})
    _step(rec, "clerk")
    done = t + timedelta(days=2)
    _at(done + timedelta(hours=1))
    _step(rec, "tsd", completed_at=done.strftime(FMT), result="已完成,客户确认。")
    return 1


def _billing(m: int, switch: Record) -> int:
    """The switch's test of month ``m`` (in June below 99.99 %)."""
    t = datetime(2026, m, 3, 10, 0)
    _at(t)
    rec = _create("INS-BILLING", "swt", {"switch": switch.number, "test_month": f"2026-{m:02d}",
                                         "tested_on": t.date().isoformat(), "calls_tested": "20000",
                                         "calls_correct": "19990" if m == 6 else "19999"})
    _step(rec, "swt")
    _step(rec, "swthead")
    return 1


def _calibration(m: int, n: int) -> int:
    """An instrument registered with its last calibration two years (in October: 25 months) before
    month ``m``, calibrated again on the 15th and reviewed with its certificate."""
    on = date(2026, m, 15)
    before = date(2024, m - 1, 15) if m == 10 else date(2024, m, 20)
    _at(datetime(2026, m, 15, 9, 0))
    intake = _create("INS-INTAKE", "tech", {
        "asset_no": f"TDD-YB-1{n:03d}", "name": "选频电平表", "model": "JH5012", "category": "public",
        "custodian_department": "TDD", "location": "技术发展部仪表室", "intake_on": "2024-01-05",
        "calibrated_on": before.isoformat(), "interval_months": "24"})
    _step(intake, "tech")
    cal = _create("INS-CAL", "tech", {"instrument": f"#{intake.id}", "agency": "市通信计量站",
                                      "sent_on": on.isoformat(), "returned_on": on.isoformat(),
                                      "calibrated_on": on.isoformat(), "certificate_no": f"JL-2026-{n:03d}",
                                      "result": "pass"})
    _step(cal, "tech")
    service.attach(cal, _user("tech"), io.BytesIO(CERTIFICATE), "certificate.pdf")
    _step(cal, "tdhead")
    return 2


def _work_order(m: int) -> int:
    """An install accepted on the 18th and done in two days (in March after 30 days: past its 28)."""
    t = datetime(2026, m, 18, 9, 0)
    _at(t)
    slip = _create("IT-BIZ", "clerk", {"accepted_at": t.strftime(FMT), "customer_name": f"装机客户{m:02d}",
                                       "phone_number": f"0756-26{m:02d}1800", "contact_phone": "13902216688",
                                       "address": "珠海市香洲区示例路 1 号", "business_type": "install",
                                       "request": "新装电话一部"})
    _step(slip, "clerk")
    _at(t + timedelta(minutes=30))
    wo = _create("CP-WO", "clerk", {"biz_slip": f"#{slip.id}", "area": "urban",
                                    "issued_at": (t + timedelta(minutes=30)).strftime(FMT), "instructions": "新装电话"})
    _step(wo, "clerk")
    done = t + timedelta(days=30 if m == 3 else 2)
    if done.date() >= _today:
        return 2
    _at(done + timedelta(hours=1))
    device = {"kind": "telephone", "model": "步步高 HCD007", "licence_mark": "yes", "licence_no": f"02-5711-0{m:05d}",
              "performance": "pass", "connected": "yes"}
    _step(wo, "tsd", completed_at=done.strftime(FMT), work_done="装机完毕,拨测正常",
          **{f"devices-0-{k}": v for k, v in device.items()})
    service.update(wo, _user("tsd"), MultiDict({"eval_attitude": "satisfied", "eval_time_limit": "satisfied"}),
                   "zh_CN", wo.version)
    customer_sign.capture_drawn(wo, _user("tsd"), f"装机客户{m:02d}",
                                ink_data_url([(40, 150), (130, 40), (230, 160), (330, 50), (450, 150)]))
    service.sign_verified(wo, _user("tsd"))
    _step(wo, "quality", inspection_result="pass", inspection_note="设备登记齐全")
    return 2


def load() -> int:
    """A year of records behind the indicators (January to the last month ended); how many records made."""
    if any(_user(u) is None for u in NEEDED) or specs.get("CS-INQ") is None:
        return 0
    switch = db.session.execute(select(Record).where(Record.form_code == "INS-SWITCH", Record.number.is_not(None))
                                .order_by(Record.id).limit(1)).scalar()
    global _today
    now, made, _today = timeutil.utcnow(), 0, timeutil.today()  # today before the clock is moved
    try:
        for m in range(1, 12):
            if date(2026, m, 28) >= _today:  # every step of a month's records lies in the past
                break
            made += _complaints(m) + _fees(m) + _nonconformity(m) + _key_service(m) + _work_order(m)
            if switch is not None:
                made += _billing(m, switch)
            if m in (2, 4, 7, 10):
                made += _calibration(m, m)
    finally:  # the clock as it was: real time, or QMS_FAKE_NOW's fixed moment
        timeutil.set_clock(now if current_app.config.get("QMS_FAKE_NOW") else None)
    return made
