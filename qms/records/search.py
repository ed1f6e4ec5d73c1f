"""The register's text search on an index (issue #12 item 6, REC-02): a rare term never reads every record.

What a search finds is defined by :func:`like`: ``search_text LIKE '%term%'``, the term's ``%``, ``_``
and ``\\`` taken literally (the search text and the term are both lower case: ``indexing.search_text``
and ``register.build_query``). Every plan below returns exactly those records; the index only
narrows down which rows LIKE has to look at (``tests/records/test_search_index.py`` compares them on
a few hundred generated terms, both databases).

**PostgreSQL**: a ``pg_trgm`` GIN index on ``search_text`` (migration ``e5a1c3f7b920``); the planner
uses it for the LIKE of a rare term of three or more characters, and rechecks. A shorter term has no
trigram (pg_trgm would read its whole index), and a term dense in the form (below) matches most of
the index: both are matched against an expression the index does not cover, so the register's own
index walk answers (fast for a common term; a rare short one reads the form's rows, as before).

**SQLite**: ``records_fts``, a contentless FTS5 table with the trigram tokenizer over each record's
search text followed by two U+0001 (:data:`PAD`), kept by triggers on ``records``. For one form:

* when the term is *dense* in the form (in at least :data:`DENSE_HITS` of its newest
  :data:`PROBE_ROWS` records), LIKE while walking the register's own index, which fills a page at
  once (the old plan, the fastest for a common term);
* else the *candidates*: the records holding every trigram of the term (three or more
  characters), or, for one or two characters, any trigram that *begins* with it (listed from the
  index's vocabulary, ``records_fts_terms``: the padding makes every short part of a text begin a
  trigram). Fewer than :data:`CAP` of them: LIKE checks only those (a rare term: a few index reads);
* else (a term common in other forms, or beginning more than :data:`TERMS_MAX` trigrams): LIKE
  over the form's rows, as before the index.

The candidate count and the density are remembered for a minute per database; they choose a plan
and never change a result. The trigrams a short term begins are listed again on every request.
"""
from __future__ import annotations

import time

from flask import has_request_context, request
from sqlalchemy import and_, false, literal, literal_column, select, table, text

from ..extensions import db
from .models import Record

FTS = "records_fts"
TERMS = "records_fts_terms"  # the fts5vocab table: one row per distinct trigram
PAD = "\x01\x01"  # after every indexed text (the migration's char(1, 1))
PROBE_ROWS = 1_000
DENSE_HITS = 5
CAP = 10_000  # at most this many candidates are listed; more: the scan plan
TERMS_MAX = 300  # at most this many trigrams begin a short term; more: the scan plan
TTL = 60.0
PG = "pg_trgm"  # planned(): PostgreSQL's own trigram index answers the LIKE

_plans: dict = {}


def index_objects(name: str) -> bool:
    """The database objects of the search index (not models): Alembic's autogenerate leaves them out."""
    return name.startswith(FTS) or name == "ix_records_search_trgm"


def like(term: str):
    """``search_text LIKE '%term%'`` with LIKE's wildcards in ``term`` taken literally: what a search finds."""
    return Record.search_text.like(_pattern(term), escape="\\")


def contains(form_code: str | None, term: str):
    """The condition "the search text contains ``term``" for records of ``form_code`` (None: any
    form), on the index when it narrows the search (see the module docstring)."""
    exact = like(term)
    if not term:
        return exact
    lite = db.engine.dialect.name == "sqlite"
    # The register's own index walk, LIKE on each row. On PostgreSQL the column is hidden from the
    # trigram index (an expression it does not cover): pg_trgm finds no trigram in one or two
    # characters and would read its whole index, and a common term's trigrams match most rows.
    walk = exact if lite else (Record.search_text + "").like(_pattern(term), escape="\\")
    known = _memo().get(term)
    if known is not None and (known[0] is None or known[1] >= CAP):
        return walk  # already found too broad to list in this request (the header's search)
    if not lite and len(term) < 3:
        return walk
    if form_code is not None and dense(form_code, term):
        return walk  # a common term: the walk fills a page at once
    if not lite:
        return exact
    match, count = planned(term)
    if match is None or count >= CAP:
        return exact
    if match is False:
        return false()
    return and_(Record.id.in_(candidates(match)), exact)


def _memo() -> dict:
    """The plans worked out in this request (none outside a request)."""
    return request.environ.setdefault("qms.search.plans", {}) if has_request_context() else {}


def planned(term: str) -> tuple:
    """(the FTS5 query of ``term`` (see ``_match``), how many records match it, counted up to CAP).
    Worked out once per request: a short term's query lists trigrams from the index, so it is not
    kept longer (a new record may add one)."""
    memo = _memo()
    if term not in memo:
        if db.engine.dialect.name != "sqlite":
            # The trigram index is the planner's; a short term has no trigram to look up.
            match = None if len(term) < 3 else PG
            count = _remembered(("count", term), lambda: _count_like(term)) if match else CAP
        else:
            match = _match(term)
            count = _remembered(("count", match), lambda: _count(match)) if isinstance(match, str) else 0
        memo[term] = (match, count)
    return memo[term]


def broad(term: str) -> bool:
    """The term has so many candidates that a search over forms where it is rare reads their rows."""
    if not term:
        return False
    match, count = planned(term)
    return match is None or count >= CAP


def forms_with_candidates(terms: list[str]) -> set | None:
    """The forms holding a candidate record for any of ``terms`` (a superset of the forms with a
    hit), or None when that cannot be told cheaply (a broad term)."""
    found: set = set()
    for term in terms:
        match, count = planned(term)
        if match is None or count >= CAP:
            return None
        if match is not False:
            cond = like(term) if match is PG else Record.id.in_(candidates(match))
            found |= set(db.session.execute(select(Record.form_code).where(cond).distinct()).scalars())
    return found


def _count_like(term: str) -> int:
    """How many records contain ``term`` (PostgreSQL, on its trigram index), counted up to CAP."""
    sub = select(Record.id).where(like(term)).limit(CAP).subquery()
    return db.session.execute(select(literal_column("count(*)")).select_from(sub)).scalar()


def dense(form_code: str, term: str) -> bool:
    """``term`` is in at least DENSE_HITS of the form's newest PROBE_ROWS records (remembered)."""
    return _remembered(("dense", form_code, term), lambda: _dense(form_code, term))


def candidates(match: str):
    """SELECT the ids of the records whose index entry matches the FTS5 query ``match``."""
    return select(literal_column("rowid")).select_from(table(FTS)).where(
        literal_column(FTS).op("MATCH")(literal(match)))


def _quoted(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def _match(term: str) -> str | bool | None:
    """The FTS5 query whose matches include every record containing ``term``; False when no record
    can; None when the term begins too many trigrams to name them."""
    if len(term) >= 3:
        # Trigrams that cover the term without overlapping, and its last one: enough to narrow the
        # candidates (LIKE confirms each), and each trigram read is a posting list walked.
        grams = sorted({term[i:i + 3] for i in range(0, len(term) - 2, 3)} | {term[-3:]})
        return " AND ".join(_quoted(g) for g in grams)
    terms = _starting_with(term)
    if terms is None:
        return None
    return " OR ".join(_quoted(t) for t in terms) if terms else False


def _starting_with(prefix: str) -> list[str] | None:
    """The indexed trigrams that begin with ``prefix`` (at most TERMS_MAX; None when more)."""
    upper = _next_text(prefix)
    cond = "term >= :lo" + (" AND term < :hi" if upper else "")
    rows = db.session.execute(text(f"SELECT term FROM {TERMS} WHERE {cond} LIMIT :n"),
                              {"lo": prefix, "hi": upper, "n": TERMS_MAX + 1}).scalars().all()
    found = [t for t in rows if t.startswith(prefix)]
    return None if len(rows) > TERMS_MAX else found


def _next_text(prefix: str) -> str | None:
    """The smallest text after every text that begins with ``prefix`` (code point order, which is
    how SQLite orders UTF-8 terms), or None when there is none."""
    code = ord(prefix[-1]) + 1
    if 0xD800 <= code <= 0xDFFF:
        code = 0xE000  # surrogates cannot be stored
    if code > 0x10FFFF:
        return _next_text(prefix[:-1]) if len(prefix) > 1 else None
    return prefix[:-1] + chr(code)


def _count(match: str) -> int:
    """How many records match ``match``, counted up to CAP."""
    sub = candidates(match).limit(CAP).subquery()
    return db.session.execute(select(literal_column("count(*)")).select_from(sub)).scalar()


def _dense(form_code: str, term: str) -> bool:
    """``term`` is in at least DENSE_HITS of the form's newest PROBE_ROWS records."""
    newest = (select(Record.search_text).where(Record.form_code == form_code)
              .order_by(Record.id.desc()).limit(PROBE_ROWS).subquery())
    hits = (select(literal(1)).select_from(newest)
            .where(newest.c.search_text.like(_pattern(term), escape="\\")).limit(DENSE_HITS).subquery())
    return db.session.execute(select(literal_column("count(*)")).select_from(hits)).scalar() >= DENSE_HITS


def _pattern(term: str) -> str:
    """The LIKE pattern for "contains ``term``", its wildcards and the escape character taken literally."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _remembered(key: tuple, compute):
    """``compute()``, remembered for TTL seconds per database and key (a plan choice, never a result)."""
    key = (str(db.engine.url), *key)
    hit = _plans.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[1] < TTL:
        return hit[0]
    if len(_plans) > 4096:
        _plans.clear()
    value = compute()
    _plans[key] = (value, now)
    return value
