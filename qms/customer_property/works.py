"""Customer self-built works (CP-05, CP-02): the acceptance-or-maintenance agreement (CP-WORKS), its
acceptance rounds (CP-WORKS-ACC) until one passes, the rectification letter of a failed round, and
the gate on opening service.

S003 顾客财产控制程序 4.0 检验过程(3): 「客户服务部与客户签订《客户自建通信工程验收或管理维护协议》,客户需向本公司
提供设计文件和施工单位测试报告,由技术发展部组织相关部门按国家通信标准…若验收不合格,向客户致函要求整改,整改后再次
验收,合格后才能准予开通业务。」

The register keeps the works' state (``register``): signing the agreement registers it (pending); a
closed round moves it to accepted or rectification; the agreement's 开通业务 step asks the gate
(``register.check_item``) and, once signed, puts it in use. Rounds are records of their own, linked
to the agreement by their ``agreement`` field; one round at a time, none after a pass.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.models import User
from ..core.i18n import record_language
from ..core.timeutil import local
from ..extensions import db
from ..records import spec as specs
from ..records.links import LIVE, linked
from ..records.lookup import record_of
from ..records.models import CLOSED, DRAFT, IN_PROGRESS, VOIDED, Attachment, Record
from . import register

WORKS, ROUND = "CP-WORKS", "CP-WORKS-ACC"
SIGN, OPENED = "sign", "opened"  # CP-WORKS steps
INSPECT = "inspect"  # CP-WORKS-ACC's first step
SOURCE_KEY = "works"  # the register row a works agreement brings in
PASS, FAIL, OPEN = "pass", "fail", "open"  # CP-WORKS-ACC's result
# The two documents S003 requires before acceptance: {kind: file-name prefix}. An attachment counts
# when its name starts with the prefix (the record page's two upload buttons name them so).
DOCUMENTS = {"design": "设计文件", "report": "测试报告"}
DEFAULT_RECTIFICATION_DAYS = 30  # lookups.works_settings of CP-WORKS-ACC overrides it


# -- reads ------------------------------------------------------------------------------------

def works_item(agreement: Record | None):
    """The register item the agreement brought in (None before it is signed)."""
    if agreement is None:
        return None
    return next((i for i in register.items_of_record(agreement.id) if i.source_key == SOURCE_KEY), None)


def rounds_of(agreement_id) -> list[Record]:
    """The agreement's live acceptance rounds (drafts included), the first one first."""
    return linked(ROUND, "agreement", agreement_id, statuses=LIVE)


def documents(agreement: Record) -> dict:
    """{kind: [attachments]} of the documents S003 requires, by their names' prefixes."""
    rows = db.session.execute(select(Attachment).where(Attachment.record_id == agreement.id)
                              .order_by(Attachment.id)).scalars().all()
    return {kind: [a for a in rows if a.filename.startswith(prefix)] for kind, prefix in DOCUMENTS.items()}


def document_label(kind: str) -> str:
    """The document's name in the reader's language."""
    return {"design": _("design documents"), "report": _("the contractor's test report")}[kind]


def rectification_days() -> int:
    """The days a failed round gives the customer (CP-WORKS-ACC ``lookups.works_settings``)."""
    spec = specs.get(ROUND)
    for row in ((spec.lookups or {}).get("works_settings") or {}).get("rows", ()) if spec else ():
        if row.get("name") == "rectification_days":
            try:
                return int(row.get("value"))
            except (TypeError, ValueError):
                break
    return DEFAULT_RECTIFICATION_DAYS


def default_checklist() -> list[dict]:
    """The rows a new round starts with: CP-WORKS-ACC ``lookups.checklist`` (the company's list)."""
    spec = specs.get(ROUND)
    rows = ((spec.lookups or {}).get("checklist") or {}).get("rows", ()) if spec else ()
    return [{"item": str(r.get("item") or ""), "standard": str(r.get("standard") or "")} for r in rows]


def _earlier(agreement: Record, record: Record | None) -> list[Record]:
    return [r for r in rounds_of(agreement.id) if record is None or r.id < record.id]


def round_refusal(agreement: Record, record: Record | None = None) -> str | None:
    """Why an acceptance round of ``agreement`` may not be opened (or kept) now; None when it may:
    the agreement signed with the customer, both documents attached, every earlier round signed
    and none of them passed."""
    if agreement.status not in (DRAFT, IN_PROGRESS, CLOSED):
        return _("Agreement %(number)s is voided.", number=agreement.display_number)
    if not any(s.step == SIGN for s in agreement.signatures):
        return _("Agreement %(number)s is not signed by customer service and the customer yet.",
                 number=agreement.display_number)
    missing = [document_label(k) for k, found in documents(agreement).items() if not found]
    if missing:
        return _("Acceptance cannot start: agreement %(number)s lacks %(docs)s. Attach them to the agreement "
                 "(file names starting with 设计文件 / 测试报告) first.",
                 number=agreement.display_number, docs="、".join(missing))
    earlier = _earlier(agreement, record)
    waiting = next((r for r in earlier if r.status != CLOSED), None)
    if waiting is not None:
        return _("Round %(n)s (%(number)s) is not signed yet: finish it (or void it) before a new round.",
                 n=waiting.values.get("round_no") or "?", number=waiting.display_number)
    passed = next((r for r in earlier if r.values.get("result") == PASS), None)
    if passed is not None:
        return _("The works passed in round %(n)s (%(number)s): no further round.",
                 n=passed.values.get("round_no") or "?", number=passed.display_number)
    return None


# -- the round: checks, derived values --------------------------------------------------------

def draft_round(record, values, user) -> dict:
    """A round is opened only when :func:`round_refusal` allows it (message on the agreement field)."""
    agreement = record_of(values, "agreement", WORKS)
    why = round_refusal(agreement, record) if agreement is not None else None
    return {"agreement": [why]} if why else {}


def sign_round(record, spec, step, user) -> str | None:
    """The round is signed when every checklist item is judged pass or fail."""
    if step.name != INSPECT or record.values.get("result") != OPEN:
        return None
    rows = [str(n) for n, row in enumerate(record.values.get("items") or [], 1) if not row.get("result")]
    return _("Mark every checklist item pass or fail before signing (rows %(rows)s).", rows=", ".join(rows))


def failed_rows(values: dict) -> list[dict]:
    """The checklist rows judged 不合格."""
    return [row for row in values.get("items") or [] if row.get("result") == FAIL]


def derive_round(record, values, user) -> dict:
    """Round number, the customer and works copied from the agreement, and a failed round's
    rectification deadline (accepted_on + the admin's days)."""
    agreement = record_of(values, "agreement", WORKS)
    if agreement is None:
        return {}
    v = agreement.values
    out = {"round_no": len(_earlier(agreement, record)) + 1, "customer_name": v.get("customer_name"),
           "phone_number": v.get("phone_number"), "works_name": v.get("works_name"), "rectify_by": None}
    on = str(values.get("accepted_on") or "")[:10]
    if failed_rows(values) and on:
        out["rectify_by"] = (date.fromisoformat(on) + timedelta(days=rectification_days())).isoformat()
    return out


# -- the agreement: the gate on opening service ------------------------------------------------

def check_agreement(record, values, user) -> dict:
    """开通业务 names the works' register code: it must be this agreement's works, and the gate must
    let it through (a passing acceptance round)."""
    if record is None or not values.get("works_item"):
        return {}
    refused = register.check_item(values, "works_item", kinds=("works",))
    if refused:
        return refused
    item = works_item(record)
    if item is None or register.by_code(values["works_item"]).id != item.id:
        return {"works_item": [_("Not the register code of this agreement's works (%(code)s).",
                                 code=item.code if item else "—")]}
    return {}


def sign_opened(record, spec, step, user) -> str | None:
    """Service is opened only on works that passed acceptance (S003 「合格后才能准予开通业务」)."""
    if step.name != OPENED:
        return None
    why = register.refusals(works_item(record))
    return " ".join(why) if why else None


# -- after a change ---------------------------------------------------------------------------

def _signer(record: Record, step: str | None = None) -> User | None:
    sigs = [s for s in record.signatures if step is None or s.step == step]
    return db.session.get(User, sigs[-1].user_id) if sigs else None


def agreement_changed(record, spec, new: bool = False) -> None:
    """Signed with the customer: the works on the register (pending). Service opened: in use."""
    if record.status not in (IN_PROGRESS, CLOSED) or not any(s.step == SIGN for s in record.signatures):
        return
    item = works_item(record)
    if item is None:
        v = record.values
        with record_language():
            note = _("Works agreement signed")
        item = register.register(record, kind="works", source_key=SOURCE_KEY, customer_name=v.get("customer_name"),
                                 phone=v.get("phone_number"), model=v.get("works_name"),
                                 location=v.get("works_address"), by=_signer(record, SIGN), note=note)
    if record.status == CLOSED and item.state == register.ACCEPTED:
        with record_language():
            note = _("Service opened")
        register.set_state(item, register.IN_USE, record, _signer(record, OPENED), note)


def round_changed(record, spec, new: bool = False) -> None:
    """A closed round: the works accepted, or in rectification (its letter is printable). A closed
    round voided: the works go back to the state it found them in, if nothing moved them since."""
    item = works_item(record_of(record.values, "agreement", WORKS))
    if record.status == VOIDED and item is not None and item.state_record_id == record.id:
        last = register.events(item)[-1]
        with record_language():
            note = _("Acceptance round %(number)s voided", number=record.display_number)
        register.set_state(item, last.state_from or register.PENDING, record, None, note)
        return
    if record.status != CLOSED:
        return
    if item is None or item.state not in (register.PENDING, register.RECTIFICATION):
        return
    passed = record.values.get("result") == PASS
    with record_language():
        note = (_("Acceptance round %(n)s passed (%(number)s)", n=record.values.get("round_no"), number=record.number)
                if passed else _("Acceptance round %(n)s failed (%(number)s): rectification letter %(letter)s",
                                 n=record.values.get("round_no"), number=record.number, letter=letter_number(record)))
    register.set_state(item, register.ACCEPTED if passed else register.RECTIFICATION, record, _signer(record), note)


# -- the rectification letter -----------------------------------------------------------------

def letter_number(record: Record) -> str:
    """The rectification letter's number: ZG- and its round's (gapless) number."""
    return f"ZG-{record.number}" if record.number else ""


def letter_ready(record: Record) -> bool:
    """A failed round, closed: its letter may be printed."""
    return record.form_code == ROUND and record.status == CLOSED and record.values.get("result") == FAIL


def letter(record: Record) -> dict:
    """What the letter prints (plain data): number, date, customer, works, the failed items, deadline."""
    v = record.values
    agreement = record_of(v, "agreement", WORKS)
    a = agreement.values if agreement else {}
    closed = local(record.signatures[-1].signed_at).date() if record.signatures else None
    return {"number": letter_number(record),
            "issued_on": f"{closed.year}年{closed.month}月{closed.day}日" if closed else "",
            "round_no": v.get("round_no"),
            "round_number": record.number, "accepted_on": v.get("accepted_on"), "rectify_by": v.get("rectify_by"),
            "customer_name": a.get("customer_name") or v.get("customer_name"),
            "contact_person": a.get("contact_person"), "phone_number": a.get("phone_number") or v.get("phone_number"),
            "works_name": a.get("works_name"), "works_address": a.get("works_address"),
            "agreement_number": agreement.number if agreement else "", "failed": failed_rows(v),
            "conclusion": v.get("conclusion") or "", "item": getattr(works_item(agreement), "code", "")}

