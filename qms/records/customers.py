"""One customer index across forms (issue #12 item 5; IT-07 "from a phone number reach the whole
chain", CS-12 repeat complaints).

A form declares which of its fields name the customer (``customer: {phone, name, account}`` in its
YAML, ``spec.customer``). Every record of such a form is indexed here from its submission (its first
signature, or an automatic submission: the moment it has a number) by the normalised phone number
(``phones.key``: spaces, dashes, brackets, "+86"/"0086", full-width digits), the folded name
(:func:`name_key`) and the account, so that a lookup is an index range, never a scan.

Which side is the truth: the record's values and the form's *current* declaration. This table is a
read model kept by :func:`keep` (called by ``service._changed`` after every change of a record:
create, update, sign, send back, void, amend, supersede) and rebuilt for a form by :func:`rebuild`
(``qms init`` when a declaration changes: :func:`refresh`; the migration that created it).

Decisions: a record is indexed while it has a number and is neither voided nor superseded. A voided
record *leaves* the index (it was often voided because it named the wrong customer; its page still
shows it, the customer's page does not). An amendment is indexed from its first signature beside
its original; when it is approved the original, superseded, leaves. The customer of a record is the
current revision's declaration applied to the record's values, so declaring ``customer:`` on a form
indexes its old records too.

Forms that declare the same ``group`` (the complaint forms: ``complaint``) chain the entries of one
phone number: each entry's ``prev_at`` is when that customer's previous entry of the group was made
(None for the first). "Customers who came back within N days" is then the range ``prev_at >= since``
of a small partial index, not a grouping of every entry of N days (:func:`relink` keeps the chain
through submissions, voids and amendments; :func:`relink_all` after a rebuild).
"""
from __future__ import annotations

import json
import re
import unicodedata

from pypinyin import Style, lazy_pinyin
from sqlalchemy import ForeignKey, Index, String, Text, delete, insert, select, text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime
from ..extensions import db
from . import phones
from . import spec as specs
from .models import SUPERSEDED, VOIDED, Record

# Byte order on PostgreSQL too, so that a name prefix is an index range whatever the database's
# collation (SQLite compares bytes already).
KeyText = String(120).with_variant(String(120, collation="C"), "postgresql")


class CustomerEntry(db.Model):
    """One indexed record: who the customer is, in the forms the lookups compare."""

    __tablename__ = "customer_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), unique=True)  # the record indexed
    form_code: Mapped[str] = mapped_column(String(40))  # its form (the reader's scope is per form)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))  # its owning department
    at = mapped_column(UTCDateTime)  # the record's creation: the customer page lists newest first
    phone_key: Mapped[str | None] = mapped_column(KeyText)  # national digits of the first number
    phone_rev: Mapped[str | None] = mapped_column(KeyText)  # the same reversed: a number typed without its area code
    name_key: Mapped[str | None] = mapped_column(KeyText)  # the name folded (name_key)
    account_key: Mapped[str | None] = mapped_column(KeyText)  # the account folded
    pinyin_key: Mapped[str | None] = mapped_column(KeyText)  # a Chinese name in pinyin: chenjianguo
    initials_key: Mapped[str | None] = mapped_column(KeyText)  # its initials: cjg
    phone: Mapped[str | None] = mapped_column(String(100))  # the phone number as typed
    name: Mapped[str | None] = mapped_column(String(200))  # the name as typed
    # When this customer's previous entry of the form's `group` was made (None: the first, or no group).
    prev_at = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        Index("ix_customer_entries_phone", "phone_key", "at", "record_id"),
        Index("ix_customer_entries_phone_rev", "phone_rev"),
        Index("ix_customer_entries_name", "name_key", "at", "record_id"),
        # A form's customers of the last days (repeat complaints on the complaints desk, CS-07).
        Index("ix_customer_entries_form_at", "form_code", "at", "phone_key", "department_id"),
        # Partial: most forms declare no account, and an index of NULLs is planned as a scan.
        Index("ix_customer_entries_account", "account_key", "at", "record_id",
              sqlite_where=text("account_key IS NOT NULL"), postgresql_where=text("account_key IS NOT NULL")),
        Index("ix_customer_entries_pinyin", "pinyin_key",
              sqlite_where=text("pinyin_key IS NOT NULL"), postgresql_where=text("pinyin_key IS NOT NULL")),
        Index("ix_customer_entries_initials", "initials_key",
              sqlite_where=text("initials_key IS NOT NULL"), postgresql_where=text("initials_key IS NOT NULL")),
        # Customers who came back within the last days (the complaints desk): only chained entries.
        Index("ix_customer_entries_prev", "prev_at", "form_code", "phone_key",
              sqlite_where=text("prev_at IS NOT NULL"), postgresql_where=text("prev_at IS NOT NULL")),
    )


class CustomerForm(db.Model):
    """The declaration each form's index rows were built with, so that ``qms init`` rebuilds a form's
    rows when its ``customer:`` declaration changes (:func:`refresh`)."""

    __tablename__ = "customer_forms"
    form_code: Mapped[str] = mapped_column(String(40), primary_key=True)  # the form
    declaration: Mapped[str] = mapped_column(Text)  # its `customer:` mapping as JSON (sorted keys)


_SPACE = re.compile(r"\s+")
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uf900-\ufaff])\s+|\s+(?=[\u3000-\u9fff\uf900-\ufaff])")


def name_key(text: str | None) -> str:
    """A name as the index compares it: full-width and half-width forms folded (NFKC), trimmed, no
    space inside Chinese ("陈 建国" is "陈建国"), other runs of spaces as one, case folded ("Chen
    Jianguo" finds "chen  jianguo"). At most 120 characters."""
    folded = phones.fold(str(text or "")).strip()
    folded = _CJK_GAP.sub("", _SPACE.sub(" ", folded))
    return folded.casefold()[:120]


# Surnames read otherwise than their characters' first reading (曾 is zeng in 曾丽梅, ceng in 曾经):
# the first character of a name is read by this table. A company whose name starts with one of them
# (乐华 is lehua) is then found by its surname reading only; its Chinese name finds it as ever.
SURNAMES = {"曾": "zeng", "单": "shan", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao", "查": "zha",
            "盖": "ge", "乐": "yue", "覃": "qin", "翟": "zhai", "缪": "miao", "种": "chong", "柏": "bai",
            "召": "shao", "员": "yun", "尉": "yu", "秘": "bi", "繁": "po", "句": "gou", "宓": "mi"}
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def pinyin_keys(name: str | None) -> tuple[str, str]:
    """A name holding Chinese characters as typed in pinyin without tones: ("zenglimei", "zlm") for
    曾丽梅; ü as v (吕 is lv), other letters and digits kept, punctuation dropped. ("", "") for a name
    with no Chinese character (it is found by its own letters)."""
    key = name_key(name)
    if not _HAN.search(key):
        return "", ""
    words = [w.casefold() for w in lazy_pinyin(key, style=Style.NORMAL)]
    if key[0] in SURNAMES:
        words[0] = SURNAMES[key[0]]
    words = ["".join(c for c in w if c.isalnum()) for w in words]
    words = [w for w in words if w]
    return "".join(words)[:120], "".join(w[0] for w in words)[:120]


def pinyin_query(value: str) -> str:
    """A search written in Latin letters only (spaces allowed), as the pinyin keys hold it; "" otherwise."""
    letters = value.replace(" ", "")
    return letters if len(letters) >= 2 and letters.isascii() and letters.isalpha() else ""


def has_letters(key: str) -> bool:
    """The folded text holds a letter or a digit (a name to look for, not only punctuation)."""
    return any(unicodedata.category(c)[0] in "LN" for c in key)


def declaration(code: str) -> dict | None:
    """The ``customer:`` declaration of form ``code``'s current revision (None: not indexed)."""
    spec = specs.get(code)
    return spec.customer if spec is not None else None


def indexable(record: Record) -> bool:
    """Submitted (it has a number), and neither voided nor superseded."""
    return bool(record.number) and record.status not in (VOIDED, SUPERSEDED)


def entry_values(record: Record, decl: dict, values: dict | None = None) -> dict | None:
    """The index row of ``record`` under ``decl`` (None when it names no customer at all)."""
    values = record.values if values is None else values
    phone = values.get(decl["phone"]) if decl.get("phone") else None
    name = values.get(decl["name"]) if decl.get("name") else None
    account = values.get(decl["account"]) if decl.get("account") else None
    pkey = phones.key(phone) if phone not in (None, "") else ""
    nkey = name_key(name) if name not in (None, "") else ""
    akey = name_key(str(account)) if account not in (None, "") else ""
    nkey = nkey if has_letters(nkey) else ""
    akey = akey if has_letters(akey) else ""
    if not (pkey or nkey or akey):
        return None
    full, initials = pinyin_keys(nkey) if nkey else ("", "")
    return {"record_id": record.id, "form_code": record.form_code, "department_id": record.department_id,
            "at": record.created_at, "phone_key": pkey or None, "phone_rev": pkey[::-1] or None,
            "name_key": nkey or None, "account_key": akey or None,
            "pinyin_key": full or None, "initials_key": initials or None,
            "phone": str(phone)[:100] if pkey else None, "name": str(name).strip()[:200] if nkey else None}


def keep(record: Record, spec, new: bool = False) -> None:
    """Bring ``record``'s index row in step with it (``service._changed``, same transaction).
    Forms that declare no customer cost nothing here."""
    decl = declaration(record.form_code)
    if decl is None:
        return
    row = entry_values(record, decl) if indexable(record) else None
    existing = db.session.execute(select(CustomerEntry).where(CustomerEntry.record_id == record.id)).scalar()
    old_phone = existing.phone_key if existing is not None else None
    if row is None:
        if existing is not None:
            db.session.delete(existing)
    elif existing is None:
        db.session.add(CustomerEntry(**row))
    else:
        for k, v in row.items():
            if getattr(existing, k) != v:
                setattr(existing, k, v)
    group = decl.get("group")
    if group:
        for phone in {old_phone, row["phone_key"] if row else None} - {None}:
            relink(phone, group)


def group_forms(group: str) -> list[str]:
    """The codes of the forms whose current declaration is in ``group``."""
    return [s.code for s in specs.all_specs() if s.customer and s.customer.get("group") == group]


def relink(phone_key: str, group: str) -> None:
    """Chain one phone number's entries of ``group`` again, oldest first (a handful of rows: its
    index range)."""
    db.session.flush()
    rows = db.session.execute(
        select(CustomerEntry).where(CustomerEntry.phone_key == phone_key,
                                    CustomerEntry.form_code.in_(group_forms(group)))
        .order_by(CustomerEntry.at, CustomerEntry.record_id)).scalars().all()
    prev = None
    for e in rows:
        if e.prev_at != prev:
            e.prev_at = prev
        prev = e.at


def relink_statement(forms: list[str]) -> str:
    """The SQL that chains every entry of ``forms`` (one group) in one statement (also run by the
    benchmark's bulk loader)."""
    codes = ", ".join(f"'{c}'" for c in forms if re.fullmatch(r"[A-Za-z0-9_.-]+", c))
    return (f"UPDATE customer_entries SET prev_at = (SELECT max(e.at) FROM customer_entries e "
            f"WHERE e.phone_key = customer_entries.phone_key AND e.form_code IN ({codes}) "
            f"AND (e.at < customer_entries.at "
            f"OR (e.at = customer_entries.at AND e.record_id < customer_entries.record_id))) "
            f"WHERE form_code IN ({codes}) AND phone_key IS NOT NULL")


def relink_all(forms: list[str]) -> None:
    """Chain every entry of ``forms`` (one group): after a rebuild."""
    if forms:
        db.session.execute(text(relink_statement(forms)))


BATCH = 1000


def rebuild(code: str) -> int:
    """Index every record of form ``code`` again under its current declaration (none: its rows go).
    Returns the number of records indexed."""
    db.session.execute(delete(CustomerEntry).where(CustomerEntry.form_code == code))
    decl = declaration(code)
    if decl is None:
        return 0
    done, last = 0, 0
    while True:
        rows = db.session.execute(
            select(Record).where(Record.form_code == code, Record.id > last, Record.number.is_not(None),
                                 Record.status.not_in((VOIDED, SUPERSEDED)))
            .order_by(Record.id).limit(BATCH)).scalars().all()
        if not rows:
            return done
        last = rows[-1].id
        entries = [e for r in rows if (e := entry_values(r, decl)) is not None]
        if entries:
            db.session.execute(insert(CustomerEntry), entries)
        done += len(entries)


def _stamp(decl: dict | None) -> str:
    return json.dumps(decl or {}, sort_keys=True)


def refresh() -> list[str]:
    """After the declarations are loaded (``qms init``): rebuild the index of every form whose
    ``customer:`` declaration is not the one its rows were built with. Returns messages."""
    built = {c.form_code: c for c in db.session.execute(select(CustomerForm)).scalars()}
    out, regroup = [], set()
    for spec in specs.all_specs():
        stamp = _stamp(spec.customer)
        have = built.pop(spec.code, None)
        if (have.declaration if have else _stamp(None)) == stamp:
            continue
        n = rebuild(spec.code)
        if spec.customer is None:
            db.session.delete(have)
        elif have is None:
            db.session.add(CustomerForm(form_code=spec.code, declaration=stamp))
        else:
            have.declaration = stamp
        out.append(f"customer index of {spec.code}: {n} records")
        regroup.update(g for g in ((spec.customer or {}).get("group"), old_group(have)) if g)
    for gone in built.values():  # a form no longer loaded: its rows stay readable history, unindexed
        db.session.execute(delete(CustomerEntry).where(CustomerEntry.form_code == gone.form_code))
        db.session.delete(gone)
        regroup.update(g for g in (old_group(gone),) if g)
    db.session.flush()
    for group in sorted(regroup):  # rebuilt rows start unchained; chain the group's members again
        relink_all(group_forms(group))
    return out


def old_group(built) -> str | None:
    """The group a form's rows were built under (its stored declaration)."""
    return json.loads(built.declaration).get("group") if built is not None else None


def records_about(phone: str | None = None, name: str | None = None, form_code: str | None = None,
                  limit: int = 200) -> list[int]:
    """Ids of the indexed records about a customer, newest first, for procedures' own rules (a repeat
    complaint, CS-12): by phone number as typed, else by name; optionally of one form. No reader's
    scope: pages go through ``customers_search``, which applies it."""
    key = phones.key(phone) if phone else ""
    if key:
        cond = CustomerEntry.phone_key == key
    elif name and has_letters(name_key(name)):
        cond = CustomerEntry.name_key == name_key(name)
    else:
        return []
    stmt = select(CustomerEntry.record_id).where(cond)
    if form_code:
        stmt = stmt.where(CustomerEntry.form_code == form_code)
    stmt = stmt.order_by(CustomerEntry.at.desc(), CustomerEntry.record_id.desc()).limit(limit)
    return list(db.session.execute(stmt).scalars())
