"""Finding a customer in the index (``records.customers``) and listing every record about them,
in the reader's permission scope (IT-07, CS-12).

The scope is the register's (``register.build_query``): the forms the reader's role may view, and,
unless they are company-wide, their own department's records (or every department's for a form
``visible_to_all``). It is applied in SQL, and every record listed is checked again with
``policy.can(user, "view", ...)``, so a record the reader cannot open is never shown.

A customer is a key: the national digits of a phone number ("07562212345"), ``n:<name>`` (every
record under that folded name) or ``a:<account>``. A search ``q`` written only with what a number is
written with is a phone search (exact, or the number's first or last digits when four or more are
typed: "2212345" finds "0756-2212345"); anything else is a name, found by its beginning ("陈" finds
陈建国 and 陈丽梅; "陈建国" finds exactly him and 陈建国华) — or an account typed in full. A name
written in Latin letters only is also looked up as the pinyin of Chinese names, from its beginning:
"chenjianguo", "chen jian" and the initials "cjg" find 陈建国 (``customers.pinyin_keys``).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.orm import defer

from ..extensions import db
from . import phones, policy
from . import spec as specs
from .customers import CustomerEntry, has_letters, name_key, pinyin_query
from .models import Record
from .register import BadQuery, decode_cursor, encode_cursor

SEARCH_ROWS = 500  # index rows read per search condition (the results show at most `limit` customers)
KINDS = {"phone": CustomerEntry.phone_key, "name": CustomerEntry.name_key, "account": CustomerEntry.account_key}
PREFIX = {"name": "n:", "account": "a:"}


@dataclass
class Customer:
    """One customer as the pages show them: their key, what they are called and how many records."""

    key: str
    kind: str  # phone | name | account
    value: str  # the folded phone digits, name or account
    phones: list = field(default_factory=list)  # as typed on their records (a few)
    names: list = field(default_factory=list)
    records: int = 0  # records in the reader's scope
    last_at: datetime | None = None


def key_of(kind: str, value: str) -> str:
    """The URL key of a customer."""
    return PREFIX.get(kind, "") + value


def _control(text: str) -> bool:
    """Holds a control character (NUL and the like: no name or number does; PostgreSQL refuses NUL)."""
    return any(unicodedata.category(c) == "Cc" for c in text)


def parse_key(key: str) -> tuple[str, str] | None:
    """(kind, folded value) of a URL key, or None when it is not one."""
    key = (key or "")[:130]
    if _control(key):
        return None
    for kind, prefix in PREFIX.items():
        if key.startswith(prefix):
            value = name_key(key[len(prefix):])
            return (kind, value) if has_letters(value) else None
    number = phones.key(key) if phones.phone_query(key) else ""
    return ("phone", number) if number else None


def parse_query(q: str | None) -> tuple[str, str]:
    """("phone", digits) or ("name", folded name) of a search; BadQuery ({"q": [message]}) when it is
    empty, too long, or normalises to nothing ("---", "+86", "！")."""
    q = (q or "").strip()
    if not q:
        raise BadQuery({"q": [_("Enter a phone number or a name.")]})
    if len(q) > 100:
        raise BadQuery({"q": [_("The search text is too long.")]})
    if _control(q):
        raise BadQuery({"q": [_("Contains characters that are not allowed.")]})
    if phones.phone_query(q):
        number = phones.key(q)
        if not number:
            raise BadQuery({"q": [_("Enter at least three digits of the phone number, or a name.")]})
        return "phone", number
    folded = name_key(q)
    if not has_letters(folded):
        raise BadQuery({"q": [_("Enter a phone number or a name.")]})
    return "name", folded


def _viewable(user) -> tuple[list, list]:
    """(form codes the reader may view that declare a customer, those of them visible to all)."""
    mine = [s for s in specs.all_specs() if s.customer and policy.can(user, "view", s)]
    return [s.code for s in mine], [s.code for s in mine if s.visible_to_all]


def _scoped(stmt, user):
    """``stmt`` over CustomerEntry limited to the reader's scope (the register's)."""
    codes, everyone = _viewable(user)
    stmt = stmt.where(CustomerEntry.form_code.in_(codes))
    if not policy.company_wide(user):
        stmt = stmt.where(or_(CustomerEntry.department_id == user.department_id,
                              CustomerEntry.form_code.in_(everyone)))
    return stmt


def _prefix(col, text: str):
    """``col`` starts with ``text``: an index range (the key columns compare bytes)."""
    return (col >= text) & (col < text + "\U0010ffff")


def _conditions(kind: str, value: str, accounts: bool) -> list:
    """Each an index range, run on its own (an OR of ranges may be planned as a scan). Accounts are
    looked up only when a form the reader may view declares one (an index holding nothing but NULLs
    is planned as a scan)."""
    acct = CustomerEntry.account_key
    account = [(acct, acct.is_not(None) & (acct == value))] if accounts else []
    if kind == "phone":
        conds = [(CustomerEntry.phone_key, CustomerEntry.phone_key == value), *account]
        if len(value) >= 4:
            conds += [(CustomerEntry.phone_key, _prefix(CustomerEntry.phone_key, value)),
                      (CustomerEntry.phone_rev, _prefix(CustomerEntry.phone_rev, value[::-1]))]
        return conds
    conds = [(CustomerEntry.name_key, _prefix(CustomerEntry.name_key, value)), *account]
    letters = pinyin_query(value)
    if letters:  # a Chinese name typed in pinyin: chenjianguo, chen jianguo, or its initials cjg
        for col in (CustomerEntry.pinyin_key, CustomerEntry.initials_key):
            conds.append((col, col.is_not(None) & _prefix(col, letters)))
    return conds


def search(q: str | None, user, limit: int = 20) -> list[Customer]:
    """The customers a search finds, in the reader's scope: exact matches first, then by key."""
    kind, value = parse_query(q)
    found: dict[str, Customer] = {}
    if kind == "name":
        exact = db.session.execute(_scoped(select(CustomerEntry.id), user)
                                   .where(CustomerEntry.name_key == value).limit(1)).first()
        if exact:
            found[key_of("name", value)] = Customer(key_of("name", value), "name", value)
    accounts = any(s.customer.get("account") for s in specs.all_specs() if s.customer)
    for order, cond in _conditions(kind, value, accounts):
        if len(found) >= limit:
            break
        rows = db.session.execute(_scoped(select(CustomerEntry.phone_key, CustomerEntry.name_key,
                                                 CustomerEntry.account_key), user)
                                  .where(cond).order_by(order).limit(SEARCH_ROWS)).all()
        for phone_key, nkey, akey in rows:
            if kind == "phone" and akey == value and phone_key != value:
                c_kind, c_value = "account", akey
            elif phone_key:
                c_kind, c_value = "phone", phone_key
            elif nkey:
                c_kind, c_value = "name", nkey
            else:
                c_kind, c_value = "account", akey
            k = key_of(c_kind, c_value)
            if k not in found and len(found) < limit:
                found[k] = Customer(k, c_kind, c_value)
    customers = list(found.values())
    _fill(customers, user)
    exact_first = [c for c in customers if c.value == value]
    return exact_first + [c for c in customers if c.value != value]


def _fill(customers: list[Customer], user) -> None:
    """Count each customer's records in scope, and the names and numbers they go by."""
    for kind, col in KINDS.items():
        mine = {c.value: c for c in customers if c.kind == kind}
        if not mine:
            continue
        stmt = _scoped(select(col, func.count(), func.max(CustomerEntry.at)), user).where(col.is_not(None))
        for value, n, last in db.session.execute(stmt.where(col.in_(mine)).group_by(col)).all():
            mine[value].records, mine[value].last_at = n, last
        seen = _scoped(select(col, CustomerEntry.name, CustomerEntry.phone), user).where(col.in_(mine))
        for value, name, phone in db.session.execute(seen.distinct().limit(50 * len(mine))).all():
            c = mine[value]
            if name and name not in c.names and len(c.names) < 5:
                c.names.append(name)
            if phone and phone not in c.phones and len(c.phones) < 5:
                c.phones.append(phone)


@dataclass
class CustomerPage:
    """One page of a customer's records: who they are, the records, the link to the next page."""

    customer: Customer
    rows: list  # [(Record, spec)] newest first
    next_cursor: str | None


def _cursor(token: str) -> tuple[datetime, int] | None:
    """The keyset position in a page link, checked strictly (links can be edited by hand)."""
    try:
        key = decode_cursor(token)
        moment = datetime.fromisoformat(key[0])
    except (ValueError, TypeError, KeyError, IndexError, UnicodeDecodeError):
        return None
    rid = key[1] if isinstance(key, list) and len(key) == 2 else None
    if not isinstance(rid, int) or isinstance(rid, bool) or not 0 < rid < 2**31:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), rid


def customer_page(key: str, user, after: str | None = None, size: int = 50) -> CustomerPage | None:
    """Every record about the customer ``key`` the reader may view, newest first, one keyset page
    after ``after``; None when ``key`` is not a customer key. BadQuery for a bad cursor."""
    parsed = parse_key(key)
    if parsed is None:
        return None
    kind, value = parsed
    col = KINDS[kind]
    customer = Customer(key_of(kind, value), kind, value)
    _fill([customer], user)
    stmt = _scoped(select(CustomerEntry.at, Record).join(Record, Record.id == CustomerEntry.record_id)
                   .options(defer(Record.data), defer(Record.search_text)), user)  # the list shows neither
    stmt = stmt.where(col.is_not(None), col == value)
    if after:
        position = _cursor(after)
        if position is None:
            raise BadQuery({"after": [_("This page link is no longer valid.")]})
        stmt = stmt.where(tuple_(CustomerEntry.at, CustomerEntry.record_id) < position)
    stmt = stmt.order_by(CustomerEntry.at.desc(), CustomerEntry.record_id.desc()).limit(size + 1)
    found = db.session.execute(stmt).all()
    more = len(found) > size
    rows = []
    for _at, record in found[:size]:
        spec = specs.by_revision(record.form_revision_id)
        if policy.can(user, "view", spec, record):  # the SQL scope is the register's; this is the rule
            rows.append((record, spec))
    nxt = None
    if more and found:
        at, last = found[size - 1]
        nxt = encode_cursor([at.isoformat(), last.id])
    return CustomerPage(customer, rows, nxt)


def customer_of(record: Record) -> Customer | None:
    """The customer ``record`` is indexed under (its phone, else its name, else its account)."""
    e = db.session.execute(select(CustomerEntry).where(CustomerEntry.record_id == record.id)).scalar()
    if e is None:
        return None
    kind, value = (("phone", e.phone_key) if e.phone_key else ("name", e.name_key) if e.name_key
                   else ("account", e.account_key))
    return Customer(key_of(kind, value), kind, value, phones=[e.phone] if e.phone else [],
                    names=[e.name] if e.name else [])
