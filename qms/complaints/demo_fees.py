"""Demo records of the fee complaints (``make run``): one TS-FEE record per flow TS-003..TS-008 at
different stages (a cash refund signed by the customer, a repricing, a transfer waiting for 核算室's
Thursday batch, a top-up waiting for 数据班...), and November's refund and repricing summaries and
orphan Monternet register drafted from them. The demo signs as its own users with no password typed
(``service.sign_verified``, as the importer does after checking it once); never run on live data."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from werkzeug.datastructures import MultiDict

from ..core.timeutil import today
from ..records import customer_sign, service
from ..records import spec as specs
from ..records.demo_support import ink_data_url
from ..records.demo_support import user as _user
from .fees_forms import FEE, SUMMARIES
from .fees_month import draft_summary

BASE = {"channel": "counter", "repeat": "first", "handling_department": "CSD"}
FOUND = {"cause": "operator", "responsible_department": "CSD", "responsible_person": "王静"}
REPLY = {"reply_method": "face", "reply_content": "已向客户说明处理结果"}

# (values per step in order, who signs each step: "clerk"/"head"; a "customer" entry signs on screen first)
FLOWS = [
    # TS-003 → TS-002 cash refund: an unrequested feature, the clerk bears it; the customer signs.
    ([{**BASE, "received_at": "2026-11-23T09:20", "customer_name": "陈建国", "phone_number": "13902221234",
       "flow": "ts003", "dispute_type": "service", "disputed_amount": "30.00",
       "content": "客户称未订制彩铃业务却被收取功能费,要求退还。"},
      {**FOUND, "findings": "营业员误为客户开通彩铃", "error_type": "unrequested", "error_components": "feature",
       "correct_charge": "0", "wrong_charge": "30", "liability": "clerk"},
      {"route": "refund", "solution": "退还误收彩铃功能费", "resolved_on": "2026-11-23", "refund_kind": "refund",
       "refund_amount": "30.00", "receipts": "charges", "refund_method": "cash"},
      {"receipts_collected": "y", "paid_at": "2026-11-23T10:05", "customer": "陈建国"},
      {**REPLY, "replied_at": "2026-11-23T10:10"}], ["clerk", "clerk", "clerk", "clerk", "clerk"]),
    # TS-003, explanation rejected, the customer insists → the head approves → TS-001 repricing.
    ([{**BASE, "received_at": "2026-11-24T14:00", "customer_name": "林晓梅", "phone_number": "13800138000",
       "flow": "ts003", "dispute_type": "tariff", "disputed_amount": "25.00",
       "content": "客户对新套餐长途资费有异议,认为宣传与收费不符。"},
      {"findings": "按套餐资费计收无误", "cause": "special", "customer_insists": "y"},
      {"approval_decision": "granted", "approval_note": "同意按二次批价给予优惠"},
      {"route": "reprice", "solution": "下月二次批价冲减长途费", "resolved_on": "2026-11-24",
       "reprice_item": "长途资费优惠补差", "reprice_amount": "15.00"},
      {**REPLY, "replied_at": "2026-11-24T16:30"}], ["clerk", "clerk", "head", "clerk", "clerk"]),
    # TS-004: a top-up to a number never issued; the serial number only; waits for 数据班.
    ([{**BASE, "received_at": "2026-11-25T10:00", "customer_name": "黄志强", "phone_number": "13926660001",
       "flow": "ts004", "dispute_type": "usage", "disputed_amount": "100.00", "card_serial": "1300221155660",
       "topped_up_number": "13926660010", "content": "客户用缴费卡充值时输错号码,要求转入本机。"},
      {"findings": "华为智能网查询:所充号码未正式投放", "cause": "customer", "evidence": "充值记录显示号码输入错误",
       "number_state": "invalid", "correct_number": "13926660001"},
      {"route": "data", "solution": "派数据班将充值金额转入正确号码", "resolved_on": "2026-11-25"}],
     ["clerk", "clerk", "clerk"]),
    # TS-005: boundary roaming, repriced; the places reported.
    ([{**BASE, "received_at": "2026-11-25T15:00", "customer_name": "吴海燕", "phone_number": "13702223344",
       "flow": "ts005", "dispute_type": "roaming", "disputed_amount": "18.60", "roaming_places": "斗门白蕉与中山交界",
       "content": "客户在本地通话却被收取漫游费。"},
      {**FOUND, "responsible_department": "SWT", "responsible_person": "网优值班员",
       "findings": "清单显示两地周期性变换", "roaming_confirmed": "yes"},
      {"route": "reprice", "solution": "建议下月冲减漫游费", "resolved_on": "2026-11-25",
       "reprice_item": "边界漫游话费冲减", "reprice_amount": "18.60"},
      {**REPLY, "replied_at": "2026-11-25T16:00", "roaming_reported": "y"}], ["clerk", "clerk", "clerk", "clerk"]),
    # TS-006: an orphan Monternet record on a cancelled number; unpaid, so held.
    ([{**BASE, "received_at": "2026-11-26T09:00", "customer_name": "郑丽", "phone_number": "13612345678",
       "flow": "ts006", "dispute_type": "service", "disputed_amount": "8.00", "monternet_service": "某SP短信点播",
       "account_state": "cancelled", "content": "客户已销户,仍被收取梦网信息费。"},
      {**FOUND, "responsible_department": "ACC", "responsible_person": "吴雅丽", "findings": "销户后仍有代收费话单",
       "orphan_condition": "y"},
      {"route": "hold", "solution": "客户未缴费,按话费挂帐处理", "resolved_on": "2026-11-26"},
      {**REPLY, "replied_at": "2026-11-26T11:00"}], ["clerk", "clerk", "clerk", "clerk"]),
    # TS-007: ultra-short records offset by transfer; waits for 核算室's Thursday batch.
    ([{**BASE, "received_at": "2026-11-26T10:30", "customer_name": "何建华", "phone_number": "13531110000",
       "flow": "ts007", "dispute_type": "usage", "disputed_amount": "2.40", "short_call_count": "4",
       "content": "清单上有4条3秒以内的长途话费。"},
      {**FOUND, "responsible_department": "SWT", "responsible_person": "交换值班员",
       "findings": "确有4条3秒以内长途话单", "short_calls_confirmed": "y"},
      {"route": "refund", "solution": "冲减超短话单长途费", "resolved_on": "2026-11-26", "refund_kind": "reduce",
       "refund_amount": "2.40", "refund_method": "transfer", "transfer_number": "13531110001"},
      {"transferred_at": "2026-11-26T11:00"}], ["clerk", "clerk", "clerk", "clerk"]),
    # TS-008: a failed collection's late fee, waived after the head's instruction, in cash.
    ([{**BASE, "received_at": "2026-11-27T09:40", "customer_name": "梁伟", "phone_number": "13823456789",
       "flow": "ts008", "dispute_type": "tariff", "disputed_amount": "5.40", "collection_account": "6222000188880000",
       "collection_applied_on": "2026-10-08", "content": "已办托收仍被收滞纳金。"},
      {**FOUND, "responsible_person": "李丽", "findings": "客服录入托收帐号错误"},
      {"route": "refund", "solution": "更正托收帐号,减免滞纳金", "resolved_on": "2026-11-27", "refund_kind": "waive",
       "refund_amount": "5.40", "receipts": "late_fee", "refund_method": "cash"},
      {"refund_instruction": "同意减免滞纳金并退现"},
      {"receipts_collected": "y", "paid_at": "2026-11-27T10:30", "customer": "梁伟"},
      {**REPLY, "replied_at": "2026-11-27T10:40", "collection_notes_told": "y"}],
     ["clerk", "clerk", "clerk", "head", "clerk", "clerk"]),
    # TS-003 just accepted: on the 24-hour clock, waiting for the investigation.
    ([{**BASE, "received_at": "2026-12-02T16:00", "customer_name": "冯晓东", "phone_number": "13790001111",
       "flow": "ts003", "dispute_type": "usage", "disputed_amount": "46.80",
       "content": "客户认为本月数据流量费与实际使用不符。"}], ["clerk"]),
]




def _ink() -> str:
    """A customer's signature as the pad draws it (a PNG data URL)."""
    return ink_data_url([(40, 140), (150, 50), (260, 150), (380, 60), (540, 130)])


def _run(steps: list[dict], signers: list[str]) -> None:
    first = _user(signers[0])
    record = service.create(specs.get(FEE), first, MultiDict(steps[0]), "zh_CN")
    service.sign_verified(record, first)
    for values, who in zip(steps[1:], signers[1:], strict=True):
        user = _user(who)
        values = dict(values)
        customer = values.pop("customer", None)
        if customer:
            customer_sign.capture_drawn(record, user, customer, _ink())
        service.update(record, user, MultiDict(values), "zh_CN", record.version)
        service.sign_verified(record, user)


_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$")


def _moved(value, days: int):
    """``value`` (a step's values, or one of them) with its dates and times moved by ``days``."""
    if isinstance(value, dict):
        return {k: _moved(v, days) for k, v in value.items()}
    if isinstance(value, str) and _MOMENT.match(value):
        if "T" in value:
            return (datetime.fromisoformat(value) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")
        return (date.fromisoformat(value) + timedelta(days=days)).isoformat()
    return value


def _latest() -> date:
    return max(date.fromisoformat(v[:10]) for steps, _ in FLOWS for values in steps for v in values.values()
               if isinstance(v, str) and _MOMENT.match(v))


def load() -> int:
    """Create the fee-complaint examples (the demo's users must exist); returns how many were made.
    On a clock before the examples' dates (a test's), they move back so nothing is in the future."""
    clerk = _user("clerk")
    if clerk is None or _user("head") is None:
        return 0
    days = min(0, (today() - _latest()).days - 1)  # a day more: times of the last day may be later than now
    for steps, signers in FLOWS:
        _run([_moved(values, days) for values in steps], signers)
    for code in SUMMARIES:  # November's refund list, repricing summary and orphan register, reported
        service.sign_verified(draft_summary(code, clerk, "2026-11"), clerk)
    return len(FLOWS) + len(SUMMARIES)
