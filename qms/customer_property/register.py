"""The customer-property register's service (CP-01, CP-02): kinds and states, registering an item
from the record that brings it in, moving its state, and the gate.

Published for the other parts of the package and for other procedures (the trace page, the
complaints' outage waiver): call these functions, never write the tables directly.

The gate (:func:`refusals`, :func:`check_item`) is the one place that says whether an item may be
connected to the public network or have service opened on it — S003 「不符合进网规定的通信终端产品,
均不能接入公众电信网络使用」, 「检验合格后,客户方可正式使用小交换机」, 「合格后才能准予开通业务」. Every form
that connects or opens service on an item asks it through its value and sign checks, so the web, the
API and the importer meet the same rule.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..core.i18n import tr
from ..core.timeutil import utcnow
from ..extensions import db
from ..records import phones
from .models import PropertyEvent, PropertyItem

# S003 顾客财产控制程序 4.0 「客户提供产品种类」: (1) 通信终端设备 ①电话机 ②用户终端设备 ③中继、专线终端设备;
# (2) 客户自建通信工程. {kind: (group, label)}.
KINDS = {
    "telephone": ("terminal", {"zh": "电话机", "en": "Telephone"}),
    "fax_g3": ("user_terminal", {"zh": "三类传真机", "en": "Group 3 fax"}),
    "isdn": ("user_terminal", {"zh": "ISDN终端", "en": "ISDN terminal"}),
    "user_other": ("user_terminal", {"zh": "其他用户终端(复印等)", "en": "Other user terminal (copier etc.)"}),
    "pbx": ("trunk_terminal", {"zh": "小交换机", "en": "PBX"}),
    "group_phone": ("trunk_terminal", {"zh": "集团电话", "en": "Group telephone system"}),
    "data_terminal": ("trunk_terminal", {"zh": "数据终端", "en": "Data terminal"}),
    "works": ("works", {"zh": "客户自建通信工程", "en": "Customer self-built works"}),
}
GROUPS = {
    "terminal": {"zh": "电话机", "en": "Telephones"},
    "user_terminal": {"zh": "用户终端设备", "en": "User terminals"},
    "trunk_terminal": {"zh": "中继、专线终端设备", "en": "Trunk and private-line terminals"},
    "works": {"zh": "客户自建通信工程", "en": "Self-built works"},
}

PENDING, ACCEPTED, IN_USE, MAINTENANCE = "pending", "accepted", "in_use", "maintenance"
RECTIFICATION, REJECTED, UNSUITABLE, RETURNED = "rectification", "rejected", "unsuitable", "returned"
STATES = {
    PENDING: {"zh": "登记待检", "en": "Registered, not yet checked"},
    ACCEPTED: {"zh": "检验/验收合格", "en": "Passed its check or acceptance"},
    IN_USE: {"zh": "在用", "en": "In use"},
    MAINTENANCE: {"zh": "代维中", "en": "Under maintenance agreement"},
    RECTIFICATION: {"zh": "整改中", "en": "In rectification"},
    REJECTED: {"zh": "检验不合格，不得接入", "en": "Failed its check: not to be connected"},
    UNSUITABLE: {"zh": "丢失/损坏/不适用", "en": "Lost, damaged or unsuitable"},
    RETURNED: {"zh": "已退还客户", "en": "Returned to the customer"},
}
# The states in which an item may be connected or have service opened on it (the gate).
PASSED = (ACCEPTED, IN_USE, MAINTENANCE)
CODE_PREFIX = "KC-"


def kind_label(kind: str, locale: str | None = None) -> str:
    """The kind's name in the reader's language."""
    return tr(KINDS[kind][1], locale) if kind in KINDS else kind


def state_label(state: str, locale: str | None = None) -> str:
    """The state's name in the reader's language."""
    return tr(STATES[state], locale) if state in STATES else state


def by_code(code: str | None) -> PropertyItem | None:
    """The item a printed or typed code names (``KC-000123``, any case, spaces ignored)."""
    text = "".join(str(code or "").split()).upper()
    if not text.startswith(CODE_PREFIX) or not text[len(CODE_PREFIX):].isdigit() or len(text) > 20:
        return None
    return db.session.execute(select(PropertyItem).where(PropertyItem.code == text)).scalar()


def items_of_record(record_id: int) -> list[PropertyItem]:
    """The items a record registered, in their order on it."""
    return list(db.session.execute(select(PropertyItem).where(PropertyItem.source_record_id == record_id)
                                   .order_by(PropertyItem.id)).scalars())


def items_of_phone(phone: str | None, limit: int = 200) -> list[PropertyItem]:
    """The items registered under a phone number typed any way, newest first."""
    key = phones.key(phone)
    if not key:
        return []
    return list(db.session.execute(select(PropertyItem).where(PropertyItem.phone_key == key)
                                   .order_by(PropertyItem.id.desc()).limit(limit)).scalars())


def register(record, *, kind: str, state: str = PENDING, source_key: str = "", customer_name: str = "",
             phone: str = "", model: str = "", licence_no: str = "", location: str = "", by=None,
             department_id: int | None = None, note: str = "") -> PropertyItem:
    """Register the item ``record`` brings in (idempotent per record and ``source_key``: a hook may
    run again), or bring its description up to date; its state moves through :func:`set_state`."""
    if kind not in KINDS:
        raise ValueError(f"unknown customer-property kind {kind!r}")
    item = db.session.execute(select(PropertyItem).where(PropertyItem.source_record_id == record.id,
                                                         PropertyItem.source_key == source_key)).scalar()
    described = {"kind": kind, "customer_name": (customer_name or "")[:200], "phone": (phone or "")[:100],
                 "phone_key": phones.key(phone) or None, "model": (model or "")[:120],
                 "licence_no": (licence_no or "")[:60], "location": (location or "")[:300]}
    if item is None:
        item = PropertyItem(code="", state=state, source_record_id=record.id, source_key=source_key,
                            department_id=department_id or record.department_id, state_record_id=record.id,
                            state_since=utcnow(), **described)
        db.session.add(item)
        db.session.flush()
        item.code = f"{CODE_PREFIX}{item.id:06d}"
        db.session.add(PropertyEvent(item_id=item.id, state_from=None, state_to=state, record_id=record.id,
                                     by_id=getattr(by, "id", None), note=note))
        return item
    for k, v in described.items():
        if getattr(item, k) != v:
            setattr(item, k, v)
    set_state(item, state, record, by, note)
    return item


def set_state(item: PropertyItem, state: str, record=None, by=None, note: str = "") -> bool:
    """Move ``item`` to ``state`` because of ``record`` (logged as an event); False when it was there."""
    if state not in STATES:
        raise ValueError(f"unknown customer-property state {state!r}")
    if item.state == state:
        return False
    db.session.add(PropertyEvent(item_id=item.id, state_from=item.state, state_to=state,
                                 record_id=getattr(record, "id", None), by_id=getattr(by, "id", None), note=note))
    item.state, item.state_since = state, utcnow()
    item.state_record_id = getattr(record, "id", item.state_record_id)
    return True


def events(item: PropertyItem) -> list[PropertyEvent]:
    """The item's history, oldest first."""
    return list(db.session.execute(select(PropertyEvent).where(PropertyEvent.item_id == item.id)
                                   .order_by(PropertyEvent.id)).scalars())


_STOPS = {
    PENDING: lambda: _("It has not passed its licence-mark and performance check or its acceptance yet."),
    RECTIFICATION: lambda: _("It failed its inspection or acceptance and is being rectified; it needs a passing "
                             "round first."),
    REJECTED: lambda: _("It failed its licence-mark or performance check and may not be connected."),
    UNSUITABLE: lambda: _("It is recorded as lost, damaged or unsuitable."),
    RETURNED: lambda: _("It was returned to the customer."),
}


def refusals(item: PropertyItem | None) -> list[str]:
    """Why ``item`` may not be connected or have service opened on it now; empty when it may (the gate)."""
    if item is None:
        return [_("No such customer-property item.")]
    if item.state in PASSED:
        return []
    stop = _STOPS.get(item.state)
    return [_("%(code)s may not be connected or have service opened: %(why)s", code=item.code,
              why=stop() if stop else item.state)]


def check_item(values: dict, field: str, kinds: tuple | None = None) -> dict:
    """The gate as a form's value check: ``field`` holds an item code; unknown, of another kind, or
    not passed → a message on the field (the page shows it beside the field, the API answers 422)."""
    raw = values.get(field)
    if raw in (None, ""):
        return {}
    item = by_code(str(raw))
    if item is None:
        return {field: [_("No customer-property item has this code.")]}
    if kinds and item.kind not in kinds:
        return {field: [_("%(code)s is a %(kind)s, not an item this form acts on.", code=item.code,
                          kind=kind_label(item.kind))]}
    why = refusals(item)
    return {field: why} if why else {}
