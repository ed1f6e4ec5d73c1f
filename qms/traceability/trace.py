"""The trace (IT-07): from a phone number (typed any way), a customer's name or any record of the
chain, every record behind it in the chain's order — business acceptance, number allocation, work
orders, their inspection, the equipment and facility state, service contracts — and beside them the
complaints, refunds and surveys about the same number, each with its signatures checked.

How records are gathered (one query per step, each an index range):
1. the seeds: the customer index (``records.customers``) rows of the number, or of the name, or the
   record named, limited to forms that declare a stage (``trace_stages``);
2. links both ways, repeated: the ``record`` fields of the records found (out), and the facets of
   the traced forms' ``record`` fields that point at them (in, ``records.links``' facet index), so a
   work order linked to a slip is found even when its number was typed differently;
3. the numbers the line's own records name (the slip, the allocation) are traced too;
4. forms with a stage but no ``customer:`` declaration (a month's refund list, a dozen a year) are
   read newest first, and a record naming the number in a phone field or column is kept.
Only numbered, live records the reader may view are shown, and only those are followed: the trace
shows what the reader could reach by opening the pages one by one.
"""
from __future__ import annotations

import functools
import json
import unicodedata
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import defer, selectinload

from ..auth.lookup import department_labels
from ..core.i18n import current_locale, tr
from ..core.timeutil import local
from ..customer_property import register as property_register
from ..extensions import db
from ..records import phones, policy
from ..records import spec as specs
from ..records.customers import CustomerEntry, has_letters, name_key
from ..records.links import LIVE
from ..records.lookup import as_id, record_by_text
from ..records.models import Record
from ..records.present import status_label
from ..records.register import BadQuery
from . import numbers, trace_stages

MAX_RECORDS = 300  # records on one trace (an auditor's page; more says "truncated")
MAX_NUMBERS = 5  # numbers traced at once (a slip's number, the one allocated, ...)
DEPTH = 6  # link hops followed from the seeds
PLAIN_SCAN = 240  # newest records read of a traced form without a customer declaration (20 years of a monthly list)


@dataclass
class Sig:
    """One live signature as the trace shows it."""

    step: str
    name: str
    at: object
    valid: bool


@dataclass
class Node:
    """One record on the trace."""

    record: Record
    spec: object
    stage: str
    department: str
    when: str  # the record's own date (see _when), ISO text: "2026-11-16T09:40" or "2026-11-16"
    title: str  # the form's title in the reader's language
    status: str  # the status as the reader reads it
    signatures: list = field(default_factory=list)
    links: list = field(default_factory=list)  # labels of the link fields pointing at other records shown
    step: str = ""  # a signed step shown as a stage of its own (trace: steps), else the whole record

    @property
    def key(self) -> str:
        return f"r{self.record.id}" + (f":{self.step}" if self.step else "")

    @property
    def valid(self) -> bool:
        """Every live signature still covers the content it signed."""
        return all(s.valid for s in self.signatures)


@dataclass
class Trace:
    """The whole chain of one query."""

    query: str
    kind: str  # phone | record | name
    numbers: list  # the phone keys traced
    nodes: list  # [Node] in chain order
    edges: list  # [(from key, to key, label)]
    items: list  # [Item]
    allocations: list  # [NumberAllocation] of the numbers, newest first
    truncated: bool = False

    @property
    def record_count(self) -> int:
        """The records on the trace (a step shown as a stage of its own is its record's, not another)."""
        return sum(1 for n in self.nodes if not n.step)

    def stages(self) -> list[tuple[str, str, list]]:
        """[(stage, heading, nodes)] for every stage, in order (an empty stage is shown as a gap)."""
        return [(s, str(label), [n for n in self.nodes if n.stage == s]) for s, label in trace_stages.STAGES.items()]

    @property
    def invalid(self) -> list:
        return [n for n in self.nodes if not n.valid]


def _bad(message: str) -> BadQuery:
    return BadQuery({"q": [message]})


def parse(q: str | None) -> tuple[str, str]:
    """("phone", digits), ("record", text) or ("name", folded name) of a query; BadQuery when it is
    empty, too long, holds control characters or a number with too few digits."""
    q = (q or "").strip()
    if not q:
        raise _bad(_("Enter a phone number, a customer's name or a record number."))
    if len(q) > 100:
        raise _bad(_("The search text is too long."))
    if any(unicodedata.category(c) == "Cc" for c in q):
        raise _bad(_("Contains characters that are not allowed."))
    if phones.phone_query(q):
        key = phones.key(q)
        if not key:
            raise _bad(_("Enter at least three digits of the phone number, or a name."))
        return "phone", key
    if q.startswith("#") or any(c.isdigit() for c in q) and "-" in q:
        return "record", q
    folded = name_key(q)
    if not has_letters(folded):
        raise _bad(_("Enter a phone number, a customer's name or a record number."))
    return "name", folded


def _entries(cond, codes) -> list[tuple[int, str | None]]:
    """(record id, phone key) of the customer index rows matching ``cond`` in the traced forms."""
    return list(db.session.execute(select(CustomerEntry.record_id, CustomerEntry.phone_key)
                                   .where(cond, CustomerEntry.form_code.in_(codes))
                                   .order_by(CustomerEntry.at.desc()).limit(MAX_RECORDS)).all())


def _phones_in(spec, values: dict) -> set[str]:
    """The numbers (``phones.key``) a record's phone fields and phone table columns hold."""
    found = set()
    for f in spec.fields:
        if f.type == "phone":
            found.add(phones.key(values.get(f.name)))
        elif f.type == "table":
            cols = [c.name for c in f.columns if c.type == "phone"]
            found.update(phones.key(row.get(c)) for row in values.get(f.name) or [] if isinstance(row, dict)
                         for c in cols)
    return found - {""}


def _searched(keys, codes_without_customer) -> set[int]:
    """Records of traced forms without a customer declaration (a month's refund list: a dozen a year)
    that name one of the numbers in a phone field or a phone column: the form's newest PLAIN_SCAN
    records, compared by their digits (a table's cells are in the search text only as typed)."""
    found: set[int] = set()
    wanted = set(keys)
    for code in codes_without_customer:
        spec = specs.get(code)
        rows = db.session.execute(select(Record.id, Record.data, Record.form_revision_id).where(
            Record.form_code == code, Record.status.in_(LIVE), Record.number.is_not(None))
            .order_by(Record.id.desc()).limit(PLAIN_SCAN)).all()
        for rid, data, revision in rows:
            if _phones_in(specs.by_revision(revision) if revision != spec.revision_id else spec,
                          json.loads(data or "{}")) & wanted:
                found.add(rid)
    return found


def _load(ids, codes) -> list[Record]:
    """The numbered, live records of the traced forms among ``ids``, with their signatures."""
    if not ids:
        return []
    return list(db.session.execute(select(Record).where(
        Record.id.in_(ids), Record.form_code.in_(codes), Record.status.in_(LIVE), Record.number.is_not(None))
        .options(defer(Record.search_text), selectinload(Record.all_signatures))).scalars())


def _link_fields(codes) -> dict[str, list]:
    """{form code: [record FieldSpec]} of the traced forms."""
    out = {}
    for code in codes:
        spec = specs.get(code)
        fields = [f for f in spec.fields if f.type == "record"] if spec else []
        if fields:
            out[code] = fields
    return out


def _linking(ids, pairs) -> set[int]:
    """Records whose traced link fields point at one of ``ids`` (the facet index, one statement)."""
    if not ids or not pairs:
        return set()
    params = {"v": [str(i) for i in ids], "n": MAX_RECORDS * 2}
    for i, (code, name) in enumerate(pairs):
        params[f"c{i}"], params[f"f{i}"] = code, name
    return set(db.session.execute(_linking_sql(len(pairs)), params).scalars())


@functools.lru_cache(maxsize=16)
def _linking_sql(n: int):
    """An index range of ``record_facets`` per (form, link field) pair, in one statement; plain SQL
    built once (composing the OR of ``n`` pairs per call cost more than running it)."""
    parts = " UNION ALL ".join(f"SELECT record_id FROM record_facets WHERE form_code = :c{i} AND field = :f{i} "
                               f"AND value IN :v" for i in range(n))
    return text(f"SELECT DISTINCT record_id FROM ({parts}) AS linking LIMIT :n").bindparams(
        bindparam("v", expanding=True))


class _Gather:
    """The breadth-first walk from the seeds through the index and the links (see the module docstring)."""

    def __init__(self, user):
        self.user = user
        self.traced = trace_stages.traced()
        self.codes = list(self.traced)
        self.links = _link_fields(self.codes)
        self.pairs = [(code, f.name) for code, fields in self.links.items() for f in fields]
        self.plain = [c for c in self.codes if not (specs.get(c) and specs.get(c).customer)]
        self.keys: list[str] = []
        self.seen: set[int] = set()
        self.shown: dict[int, tuple] = {}  # id -> (record, spec)
        self.truncated = False

    def add_keys(self, keys) -> set[int]:
        new = [k for k in dict.fromkeys(keys) if k and k not in self.keys][:MAX_NUMBERS - len(self.keys)]
        self.keys += new
        if not new:
            return set()
        ids = {rid for rid, _k in _entries(CustomerEntry.phone_key.in_(new), self.codes)}
        return ids | _searched(new, self.plain)

    def walk(self, seeds: set[int]) -> None:
        frontier = set(seeds)
        for _hop in range(DEPTH):
            frontier -= self.seen
            if not frontier:
                return
            if len(self.seen) + len(frontier) > MAX_RECORDS:
                frontier = set(sorted(frontier)[:max(0, MAX_RECORDS - len(self.seen))])
                self.truncated = True
            self.seen |= frontier
            found = []
            for record in _load(frontier, self.codes):
                spec = specs.by_revision(record.form_revision_id)
                if policy.can(self.user, "view", spec, record):
                    values = record.values  # decoded once per record
                    self.shown[record.id] = (record, spec, values)
                    found.append((record, spec, values))
            out = {as_id(values.get(f.name)) for record, _s, values in found
                   for f in self.links.get(record.form_code, ())}
            line = [phones.key(values.get(spec.customer.get("phone"))) for record, spec, values in found
                    if self.traced.get(record.form_code) in trace_stages.LINE_STAGES and spec.customer
                    and spec.customer.get("phone")]
            frontier = (out - {None}) | _linking([r.id for r, _s, _v in found], self.pairs) | self.add_keys(line)


def _seeds(kind: str, value: str, g: _Gather) -> set[int]:
    if kind == "phone":
        return g.add_keys([value])
    if kind == "record":
        record = record_by_text(value)
        if record is None:  # not a number after all: a name written with a dash and digits
            return _seeds("name", name_key(value), g)
        entry = db.session.execute(select(CustomerEntry.phone_key).where(CustomerEntry.record_id == record.id)).scalar()
        return {record.id} | (g.add_keys([entry]) if entry else set())
    rows = _entries(CustomerEntry.name_key == value, g.codes)
    return {rid for rid, _k in rows} | g.add_keys([k for _r, k in rows if k])


def _when(record, spec, values: dict) -> str:
    """The record's own date: its form's first date or datetime field that holds one (accepted at,
    allocated on, received at...), else when it was made (local time)."""
    for f in spec.fields:
        if f.type in ("date", "datetime") and values.get(f.name):
            return str(values[f.name])[:16]
    return local(record.created_at).strftime("%Y-%m-%dT%H:%M")


def _node(record, spec, values, stage, depts, loc, only_step: str = "") -> Node:
    sigs = []
    for s in record.signatures:
        if only_step and s.step != only_step:
            continue
        step = spec.step(s.step)
        sigs.append(Sig(tr(step.label, loc) if step else s.step, s.printed_name, s.signed_at,
                        s.is_valid(record, spec)))
    when = local(sigs[-1].at).strftime("%Y-%m-%dT%H:%M") if only_step and sigs else _when(record, spec, values)
    return Node(record, spec, stage, depts.get(record.department_id, ""), when,
                tr(spec.title, loc), status_label(record.status, loc), sigs, step=only_step)


def _step_nodes(shown: dict, depts, loc) -> list[Node]:
    """The signed steps that are stages of their own (the work order's inspection: 工单检查)."""
    out = []
    for r, s, v in shown.values():
        for step, stage in trace_stages.step_stages(s).items():
            if any(sig.step == step for sig in r.signatures):
                out.append(_node(r, s, v, stage, depts, loc, only_step=step))
    return out


@dataclass
class Item:
    """A customer-property item of a traced number, its state and history in the reader's language."""

    item: object  # customer_property.models.PropertyItem
    kind: str
    state: str
    events: list  # [(PropertyEvent, from label, to label)]


def _item(item) -> Item:
    loc = current_locale()
    label = property_register.state_label
    return Item(item, property_register.kind_label(item.kind, loc), label(item.state, loc),
                [(e, label(e.state_from, loc) if e.state_from else "", label(e.state_to, loc))
                 for e in property_register.events(item)])


def build(q: str | None, user) -> Trace:
    """The trace of ``q`` for ``user``; BadQuery ({"q": [message]}) when ``q`` cannot be traced."""
    kind, value = parse(q)
    g = _Gather(user)
    g.walk(_seeds(kind, value, g))
    loc = current_locale()
    depts = department_labels(loc)
    nodes = [_node(r, s, v, g.traced[r.form_code], depts, loc) for r, s, v in g.shown.values()]
    nodes += _step_nodes(g.shown, depts, loc)
    nodes.sort(key=lambda n: (trace_stages.ORDER[n.stage], n.when, n.record.id))
    edges = []
    for n in nodes:
        if n.step:  # the record's step: linked to the record it belongs to
            edges.append((n.key, f"r{n.record.id}", tr(n.spec.title, loc)))
            continue
        values = g.shown[n.record.id][2]
        for f in g.links.get(n.record.form_code, ()):
            target = as_id(values.get(f.name))
            if target in g.shown:
                edges.append((n.key, f"r{target}", tr(f.label, loc)))
                n.links.append(tr(f.label, loc))
    items = []
    for key in g.keys:
        for item in property_register.items_of_phone(key):
            items.append(_item(item))
            if item.source_record_id in g.shown:
                edges.append((f"r{item.source_record_id}", f"p{item.id}", str(trace_stages.STAGES["property"])))
    allocations = [a for key in g.keys for a in numbers.history(key)]
    return Trace((q or "").strip(), kind, list(g.keys), nodes, edges, items, allocations, g.truncated)
