"""Links between records, read through the indexed facets (every link field is indexed).

One place for "records of form X whose field F points at this record" in both directions, so a
procedure package never writes a query on ``RecordFacet`` by hand (a CAPA's actions, the loans of
an instrument, the calibrations that came back with a send-out, what links to a record page).
"""
from __future__ import annotations

import functools

from sqlalchemy import select, text
from sqlalchemy.orm import aliased, selectinload

from ..extensions import db
from . import policy
from . import spec as specs
from .models import Record, RecordFacet, Status

LINKED_MAX = 20  # records listed as linking here on a record page, newest first
LIVE = (Status.DRAFT, Status.IN_PROGRESS, Status.CLOSED)  # not voided, not superseded
SUBMITTED = (Status.IN_PROGRESS, Status.CLOSED)  # live and signed at least once


def others_holding(form_code: str, record, pairs: dict, *, statuses: tuple = SUBMITTED,
                   limit: int | None = None) -> list[Record]:
    """The other records of ``form_code`` in ``statuses`` whose indexed fields hold every value of
    ``pairs`` ({field: value}; ``record`` itself and the one it amends left out), oldest first: the
    checks "one per month", "one per type and month" (the fields must be register filters)."""
    stmt = select(Record).where(Record.form_code == form_code, Record.status.in_(statuses))
    for name, value in pairs.items():
        fa = aliased(RecordFacet)
        stmt = stmt.join(fa, fa.record_id == Record.id).where(fa.form_code == form_code, fa.field == name,
                                                              fa.value == str(value))
    if record is not None:
        stmt = stmt.where(Record.id != record.id)
        if record.amended_from_id:
            stmt = stmt.where(Record.id != record.amended_from_id)
    return list(db.session.execute(stmt.order_by(Record.id).limit(limit)).scalars())


def holder(form_code: str, record, pairs: dict, *, statuses: tuple = SUBMITTED) -> str | None:
    """The number (a draft: ``#id``) of the first of :func:`others_holding`, or None: what a "one per
    period" refusal names."""
    found = others_holding(form_code, record, pairs, statuses=statuses, limit=1)
    return (found[0].number or f"#{found[0].id}") if found else None


def linked_ids(form_code: str, field: str, value) -> list[int]:
    """Ids of records of ``form_code`` whose indexed field ``field`` holds ``value`` (a record id or
    any indexed value), in id order."""
    return list(db.session.execute(select(RecordFacet.record_id).where(
        RecordFacet.form_code == form_code, RecordFacet.field == field,
        RecordFacet.value == str(value)).order_by(RecordFacet.record_id)).scalars())


def linked(form_code: str, field: str, record_id, *, statuses: tuple | None = None,
           numbered: bool = False) -> list[Record]:
    """Records of ``form_code`` whose link field ``field`` points at ``record_id``, oldest first;
    only those in ``statuses`` when given, only submitted (numbered) ones with ``numbered``. One
    statement: the facet index range, then each record by its key."""
    if record_id in (None, ""):
        return []
    facets = select(RecordFacet.record_id).where(
        RecordFacet.form_code == form_code, RecordFacet.field == field, RecordFacet.value == str(record_id))
    stmt = select(Record).where(Record.id.in_(facets))
    if statuses is not None:
        stmt = stmt.where(Record.status.in_(statuses))
    if numbered:
        stmt = stmt.where(Record.number.is_not(None))
    return list(db.session.execute(stmt.order_by(Record.id)).scalars())


def linked_from(record, user) -> list[Record]:
    """The newest records (at most LINKED_MAX) whose link fields point at ``record`` and that
    ``user`` may see: e.g. the nonconformities a complaint raised."""
    pairs = tuple((other.code, f.name) for other in specs.all_specs() for f in other.fields
                  if f.type == "record" and f.form in (None, record.form_code))
    if not pairs:
        return []
    params = {"v": str(record.id), "n": LINKED_MAX}
    for i, (code, name) in enumerate(pairs):
        params[f"c{i}"], params[f"f{i}"] = code, name
    ids = db.session.execute(_linked_sql(len(pairs)), params).scalars().all()
    # One query, signatures included: the permission check reads them for other departments' records.
    rows = db.session.execute(select(Record).where(Record.id.in_(ids)).options(selectinload(Record.all_signatures))
                              .order_by(Record.id.desc())).scalars().all() if ids else []
    return [r for r in rows if policy.can(user, "view", specs.by_revision(r.form_revision_id), r)]


@functools.lru_cache(maxsize=64)
def _linked_sql(n: int):
    """The newest records whose link field (one of ``n`` form/field pairs) holds :v: an index range
    per pair, in one statement. Plain SQL, built once: composing it per page cost more than running it."""
    parts = " UNION ALL ".join(
        f"SELECT record_id FROM (SELECT record_id FROM record_facets WHERE form_code = :c{i} AND field = :f{i} "
        f"AND value = :v ORDER BY record_id DESC LIMIT :n) AS p{i}" for i in range(n))
    return text(f"SELECT DISTINCT record_id FROM ({parts}) AS linked ORDER BY record_id DESC LIMIT :n")
