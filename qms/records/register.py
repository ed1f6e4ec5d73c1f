"""Registers: filter, search, sort and keyset pagination over one form's records.

No COUNT over the table and no OFFSET: a page is "the next N after this cursor", which costs
the same on page 1 and page 20,000. Filters on declared fields go through ``record_facets``.
"""
from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import exists, func, or_, select, tuple_
from sqlalchemy.orm import aliased

from ..extensions import db
from . import phones, policy, search
from .models import DRAFT, IN_PROGRESS, STATUSES, SUPERSEDED, Record, RecordFacet

SYSTEM_SORT = {"id": Record.id, "number": Record.number, "updated_at": Record.updated_at,
               "created_at": Record.created_at}


class BadQuery(ValueError):
    """A filter or cursor that cannot be understood: {param: [message]}."""

    def __init__(self, errors: dict):
        super().__init__(str(errors))
        self.errors = errors


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None
    sort: str
    desc: bool


def encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def decode_cursor(token: str) -> list:
    pad = "=" * (-len(token) % 4)
    return json.loads(base64.urlsafe_b64decode(token + pad))


def _parse_date(value: str, param: str, messages: dict) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadQuery({param: [messages["date"]]}) from None


# Below this many matches a filter is applied as "id IN (matching ids)"; above it, as a per-row
# EXISTS probe while walking the id index (matches are then dense enough to fill a page fast).
# Counting stops at the cap, so choosing costs at most one short index range scan.
IN_LIST_CAP = 10_000
# A date range is different: its matches sit together in time, so walking the id index from the
# newest (EXISTS) reaches a range in the past only after every newer record — a month of 2025 in a
# million work orders took 430 ms. A range is taken as an id list up to this many matches
# (27,000 ids, a month of that register: ~10 ms); a broader one still probes.
RANGE_IN_CAP = 100_000


# How many records matched a filter lately, per (form, field, filter): the choice below only
# picks a plan (never changes results), and a filter's selectivity moves slowly, so a count is
# reused for a minute instead of being taken again on every page (~1.5 ms per broad filter).
_matches: dict = {}
MATCHES_TTL = 60.0


def _facet_filter(spec, name: str, conds: list, key: tuple = (), cap: int = IN_LIST_CAP):
    """The cheapest way to apply one facet filter, chosen by how many records match it (up to ``cap``)."""
    base = [RecordFacet.form_code == spec.code, RecordFacet.field == name, *conds]
    ids = select(RecordFacet.record_id).where(*base)
    cache_key = (spec.code, name, key) if key else None
    hit = _matches.get(cache_key) if cache_key else None
    if hit is not None and time.monotonic() - hit[1] < MATCHES_TTL:
        matches = hit[0]
    else:
        matches = db.session.execute(
            select(func.count()).select_from(ids.limit(cap).subquery())).scalar()
        if cache_key:
            if len(_matches) > 4096:
                _matches.clear()
            _matches[cache_key] = (matches, time.monotonic())
    if matches < cap:
        return Record.id.in_(ids)
    return exists().where(RecordFacet.record_id == Record.id, RecordFacet.field == name, *conds)


def build_query(spec, user, args, messages: dict):
    """The filtered SELECT for ``spec``'s register as seen by ``user`` (department scope applied).

    ``args`` is a mapping of query parameters: ``q`` search, ``status``, ``department``,
    ``<field>`` equality filters, ``<field>_from``/``<field>_to`` date ranges.
    """
    return _query(spec, user, args, messages)[0]


def _query(spec, user, args, messages: dict, drive: bool = False):
    """:func:`build_query` and the column that holds the record id, for ordering and the keyset.

    With ``drive``, the first equality filter on a field is joined instead of probed, and the id is
    its facet's ``record_id``: ordered by that, both databases walk the facet index
    (form, field, value, record id) newest first and stop after one page, however many or few
    records match. Ordered by ``records.id``, a value in 1 % of a million records cost a 10k-id
    list or 5,000 probes per page (10 ms); walked this way, under 1 ms."""
    id_col = Record.id
    stmt = select(Record).where(Record.form_code == spec.code)
    if not policy.company_wide(user) and not spec.visible_to_all:
        stmt = stmt.where(Record.department_id == user.department_id)
    status = args.get("status")
    if status:
        if status not in STATUSES:
            raise BadQuery({"status": [messages["choice"]]})
        stmt = stmt.where(Record.status == status)
    else:
        # Superseded revisions are reached from their successor, not listed twice.
        stmt = stmt.where(Record.status != SUPERSEDED)
    dept = args.get("department")
    if dept:
        if not str(dept).isdigit() or len(str(dept)) > 9:
            raise BadQuery({"department": [messages["choice"]]})
        stmt = stmt.where(Record.department_id == int(dept))
    fields = spec.filter_fields  # a table's columns too, as table.column
    for name in spec.register_filters:
        f = fields.get(name)
        if f is None:
            continue
        if f.type in ("date", "datetime"):
            # A datetime filter is a range of days too: its facets hold '2026-11-30T18:00', so the
            # last day is everything before the next day's start.
            lo, hi = args.get(name + "_from"), args.get(name + "_to")
            conds = []
            if lo:
                conds.append(RecordFacet.value >= _parse_date(lo, name + "_from", messages).isoformat())
            if hi:
                last = _parse_date(hi, name + "_to", messages)
                conds.append(RecordFacet.value < (last + timedelta(days=1)).isoformat() if f.type == "datetime"
                             else RecordFacet.value <= last.isoformat())
            if conds and status in (IN_PROGRESS, DRAFT) and name == spec.due_field:
                # The due date is also a column (records.due_on, its day): for the records still
                # open — few, whatever the register's size — it is one range of the (status, due_on)
                # index. Closed ones are most of a register: their range goes by the facets below.
                day_lo = _parse_date(lo, name + "_from", messages) if lo else None
                day_hi = _parse_date(hi, name + "_to", messages) if hi else None
                stmt = stmt.where(*([Record.due_on >= day_lo] if day_lo else []),
                                  *([Record.due_on <= day_hi] if day_hi else []))
            elif conds:
                stmt = stmt.where(_facet_filter(spec, name, conds, ("range", lo, hi), RANGE_IN_CAP))
            continue
        value = args.get(name)
        if value:
            if f.choices and value not in {v for v, _ in f.choices}:
                raise BadQuery({name: [messages["choice"]]})
            if f.type == "phone":
                # The facets hold a phone number's digits (indexing.facet_value): compare the same.
                value = phones.digits(value[:100])
                if not value:
                    raise BadQuery({name: [messages["phone"]]})
            if drive and id_col is Record.id:
                # Facets hold one row per record and value (indexing.index_record): no duplicates.
                facet = aliased(RecordFacet, name="drive")
                stmt = stmt.join(facet, facet.record_id == Record.id).where(
                    facet.form_code == spec.code, facet.field == name, facet.value == value[:200])
                id_col = facet.record_id
                continue
            stmt = stmt.where(_facet_filter(spec, name, [RecordFacet.value == value[:200]], ("eq", value[:200])))
    q = str(args.get("q") or "").replace("\x00", "").strip().lower()  # PostgreSQL text holds no NUL
    if q:
        if len(q) > 100:
            raise BadQuery({"q": [messages["long"]]})
        stmt = stmt.where(_search(spec, q))
    return stmt, id_col


def _like(text: str):
    """``search_text LIKE %text%``, with LIKE's wildcards in ``text`` taken literally (``search.like``)."""
    return search.like(text)


def _search(spec, q: str, indexed: bool = True):
    """The search condition: the text as typed, or, when it is written like a phone number and the form
    searches a phone field, also its digits ("+86 756 221 2345" finds "0756-2212345").

    The stored search text holds each phone number's digits beside the value as typed
    (``indexing.search_text``; records saved before were given them by a data migration), so the
    query is folded, not the column. Each spelling is looked up on the search index
    (``search.contains``); ``indexed=False`` gives the plain LIKE it must agree with (the tests' oracle)."""
    number = phones.digits(q) if phones.looks_like_phone(q) and _searches_phones(spec) else ""
    terms = [q, number] if number and number != q else [q]
    conds = [search.contains(spec.code, t) if indexed else search.like(t) for t in terms]
    return or_(*conds) if len(conds) > 1 else conds[0]


def _searches_phones(spec) -> bool:
    """The form's search covers a phone field."""
    return any(spec.field_map[n].type == "phone" for n in spec.register_search if n in spec.field_map)


def _id(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31 else None


def _parse_cursor(token: str, sort: str) -> list | None:
    """The keyset position in a page link, checked strictly (links can be edited by hand)."""
    try:
        key = decode_cursor(token)
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(key, list) or len(key) != (1 if sort == "id" else 2) or _id(key[-1]) is None:
        return None
    if sort == "id":
        return key
    if sort in ("updated_at", "created_at"):
        if not isinstance(key[0], str):
            return None
        try:
            moment = datetime.fromisoformat(key[0])
        except ValueError:
            return None
        return [moment if moment.tzinfo else moment.replace(tzinfo=UTC), key[1]]
    return key if isinstance(key[0], str) and len(key[0]) <= 60 else None


def page(spec, user, args, messages: dict, size: int = 50) -> Page:
    """One page of the register after (or before) the cursor in ``args``."""
    sort = args.get("sort") or "id"
    if sort not in SYSTEM_SORT:
        raise BadQuery({"sort": [messages["choice"]]})
    desc = args.get("dir", "desc") != "asc"
    col = SYSTEM_SORT[sort]
    stmt, id_col = _query(spec, user, args, messages, drive=sort == "id")
    after, before = args.get("after"), args.get("before")
    backwards = bool(before) and not after
    token = after or before
    if token:
        key = _parse_cursor(token, sort)
        if key is None:
            raise BadQuery({"after" if after else "before": [messages["cursor"]]})
        forward_gt = (not desc) != backwards
        if sort == "id":
            stmt = stmt.where(id_col > key[0] if forward_gt else id_col < key[0])
        else:
            # Nulls (drafts have no number) are left out of a keyset walk over that column.
            stmt = stmt.where(col.is_not(None))
            pair = tuple_(col, Record.id)
            stmt = stmt.where(pair > tuple(key) if forward_gt else pair < tuple(key))
    order_desc = desc != backwards
    if sort == "id":
        stmt = stmt.order_by(id_col.desc() if order_desc else id_col.asc())
    else:
        if not token and sort == "number":
            stmt = stmt.where(col.is_not(None))
        stmt = stmt.order_by(*( (col.desc(), Record.id.desc()) if order_desc else (col.asc(), Record.id.asc())))
    # The page's ids first, then their rows: a sort the index cannot give (a range of due dates
    # ordered by id) then carries ids, not whole records with their JSON.
    ids = list(db.session.execute(stmt.with_only_columns(Record.id).limit(size + 1)).scalars())
    loaded = {r.id: r for r in db.session.execute(select(Record).where(Record.id.in_(ids))).scalars()} if ids else {}
    rows = [loaded[i] for i in ids if i in loaded]
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()

    def key_of(r):
        if sort == "id":
            return [r.id]
        v = getattr(r, sort)
        return [v.isoformat() if isinstance(v, datetime) else v, r.id]

    next_c = prev_c = None
    if rows:
        if backwards:
            next_c = encode_cursor(key_of(rows[-1]))
            prev_c = encode_cursor(key_of(rows[0])) if more else None
        else:
            next_c = encode_cursor(key_of(rows[-1])) if more else None
            prev_c = encode_cursor(key_of(rows[0])) if token else None
    return Page(rows=rows, next_cursor=next_c, prev_cursor=prev_c, sort=sort, desc=desc)


def iterate(spec, user, args, messages: dict, batch: int = 1000, limit: int = 100_000):
    """Every matching record in id order, in batches (exports); at most ``limit`` rows."""
    stmt, id_col = _query(spec, user, args, messages, drive=True)
    stmt = stmt.order_by(id_col.desc())
    last = None
    seen = 0
    while seen < limit:
        s = stmt if last is None else stmt.where(id_col < last)
        rows = db.session.execute(s.limit(batch)).scalars().all()
        if not rows:
            return
        for r in rows:
            yield r
        seen += len(rows)
        last = rows[-1].id
