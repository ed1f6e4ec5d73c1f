"""One search over every register a person may read (issue #12 item 6, REC-02): the search box in the
page header (``search_views``) and ``GET /api/v1/search``.

Each form is searched exactly as its register searches: ``register.build_query`` with ``q`` (the same
department scope, the same phone folding, the same index, ``records.search``), newest first, a few
hits per form, grouped by form. So a record number, a phone number typed any way, a customer's name,
an asset number or words of the free text find what the register's search box would, in every form
whose register the person may open, and nothing they may not read.

A term so common that the index cannot list its records (``search.broad``) is looked for in the
newest :data:`WIDE_ROWS` records of each form, so that one broad word does not read every form's
rows; the page says so, and each form's register (the "more" link) searches all of it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from . import phones, policy, register, search
from . import spec as specs
from .models import Record
from .present import cell, prefetch_links

PER_FORM = 5  # hits shown per form
MAX_PER_FORM = 50
WIDE_ROWS = 2_000
NOT_SUMMARY = ("number", "status", "created_at", "updated_at")  # shown apart, or not telling
DATES = ("date", "datetime")
SUMMARY_COLUMNS = 4
SUMMARY_CELL = 40


@dataclass
class Hit:
    record: Record
    summary: str  # the register's first columns, as people read them


@dataclass
class Group:
    spec: object
    hits: list[Hit] = field(default_factory=list)
    more: bool = False  # the register has more hits than shown
    partial: bool = False  # a broad term: only the form's newest WIDE_ROWS records were searched


@dataclass
class Found:
    q: str
    groups: list[Group]
    broad: bool  # some forms were searched in their newest records only


def checked_query(args, messages: dict) -> str:
    """The search text of a request, or BadQuery naming ``q`` (nothing to search for, or too long)."""
    q = str(args.get("q") or "").replace("\x00", "").strip()  # as the register reads it
    if not q:
        raise register.BadQuery({"q": [messages["empty"]]})
    if len(q) > 100:
        raise register.BadQuery({"q": [messages["long"]]})
    return q


def everywhere(user, q: str, messages: dict, per_form: int = PER_FORM, locale: str | None = None) -> Found:
    """The records matching ``q`` in every register ``user`` may read, grouped by form (forms without a
    hit are left out), each group newest first with at most ``per_form`` hits."""
    term = q.strip().lower()
    wide = search.broad(term)
    number = phones.digits(term) if phones.looks_like_phone(term) else ""
    # Forms with no candidate at all are passed over without a query (a rare term: most forms).
    forms = search.forms_with_candidates([term, number] if number and number != term else [term])
    groups = []
    for spec in specs.all_specs():
        if (forms is not None and spec.code not in forms) or not policy.can(user, "view", spec):
            continue
        stmt = register.build_query(spec, user, {"q": q}, messages)
        if wide:
            stmt = stmt.where(Record.id >= _newest_floor(spec.code))  # a number: the planner sees the range
        rows = db.session.execute(stmt.order_by(Record.id.desc()).limit(per_form + 1)).scalars().all()
        # The register's scope already limits the rows; each one is checked again as its page would be.
        shown = [r for r in rows[:per_form] if policy.can(user, "view", specs.by_revision(r.form_revision_id), r)]
        if shown:
            groups.append(Group(spec, _hits(spec, shown, locale), more=len(rows) > per_form, partial=wide))
    return Found(q, groups, broad=wide)


def _newest_floor(form_code: str) -> int:
    """The id of the form's WIDE_ROWS-th newest record (0 when it has fewer)."""
    nth = db.session.execute(select(Record.id).where(Record.form_code == form_code).order_by(Record.id.desc())
                             .offset(WIDE_ROWS - 1).limit(1)).scalar()
    return nth or 0


def _hits(spec, rows: list, locale: str | None) -> list[Hit]:
    """Each record with its summary: the register's first columns, then the fields searched (so the
    words that matched show), dates left out, each cut at SUMMARY_CELL characters."""
    fields = spec.field_map
    wanted = [c for c in spec.register_columns if c not in NOT_SUMMARY] + list(spec.register_search)
    columns = list(dict.fromkeys(c for c in wanted if not (c in fields and fields[c].type in DATES)))[:SUMMARY_COLUMNS]
    _linked = prefetch_links(spec, rows, columns)  # noqa: F841  (held while the cells read them)
    out = []
    for r in rows:
        values = r.values
        texts = [cell(spec, r, c, locale, values) for c in columns]
        out.append(Hit(r, " · ".join(_cut(t) for t in texts if t)))
    return out


def _cut(text: str) -> str:
    return text if len(text) <= SUMMARY_CELL else text[:SUMMARY_CELL - 1] + "…"
