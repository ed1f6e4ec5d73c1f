"""Actions decided at the monthly meetings and the management review (DA-03), tracked as DA-ACTION records.

When a DA-MEETING or DA-REVIEW record closes (the chair signs), each row of its ``actions`` table is
opened as one DA-ACTION record (``source`` = the meeting or review), owned by the row's owner, due on
the row's ``due_on``; the owner records completion and signs. Opened once: a record that changes again
after closing, or an amendment that closes with the same rows, opens nothing twice (only rows that are
new under the amendment). A late action climbs the corrective actions' ladder (rule
``da03-action-due`` in :mod:`qms.analysis.reminders`).

Published (other parts and procedures call these): :func:`open_actions`, :func:`open_actions_of`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..auth.models import User
from ..core.timeutil import today
from ..extensions import db
from ..records import service
from ..records import spec as specs
from ..records.links import LIVE, linked
from ..records.models import CLOSED, DRAFT, IN_PROGRESS, Record, RecordFacet

ACTION = "DA-ACTION"
MEETING = "DA-MEETING"
REVIEW = "DA-REVIEW"
SOURCES = (MEETING, REVIEW)  # the forms whose ``actions`` table opens DA-ACTION records


def open_actions_of(record: Record) -> list[Record]:
    """The live DA-ACTION records opened from ``record`` (a meeting or review) and from the revisions
    it amends, oldest first."""
    out: list[Record] = []
    for rid in _chain(record):
        out.extend(linked(ACTION, "source", rid, statuses=LIVE))
    return sorted(out, key=lambda r: r.id)


def open_actions(record: Record) -> list[Record]:
    """One DA-ACTION per row of ``record``'s ``actions`` table, made once, when ``record`` is closed
    (before that nothing is made); returns the record's actions. A row an earlier revision already
    opened (same title, owner and due day) is not opened again."""
    have = open_actions_of(record)
    if record.status != CLOSED or record.form_code not in SOURCES:
        return have
    made = {_key(a.values) for a in have}
    spec = specs.get(ACTION)
    for i, row in enumerate(record.values.get("actions") or (), start=1):
        if _key(row) in made:
            continue
        owner = db.session.get(User, int(row["owner"]))
        values = {"source": record.id, "row": i, "title": row.get("title"), "owner": owner.id,
                  "due_on": str(row.get("due_on"))}
        have.append(service.create_automatic(spec, values, owner.department_id or record.department_id,
                                             cause_record=record))
        made.add(_key(row))
    return have


def source_changed(record: Record, spec, new: bool = False) -> None:
    """``on_change`` of DA-MEETING and DA-REVIEW: closed, its actions open (once)."""
    if record.status == CLOSED:
        open_actions(record)


@dataclass(frozen=True)
class ActionState:
    """One action as the meeting page lists it."""

    record: Record
    owner: str
    due_on: date | None
    done_on: date | None
    state: str  # "done", "done_late", "open", "late"


def states(record: Record, now: date | None = None) -> list[ActionState]:
    """The actions of a meeting or review with their state: done (late or in time), open, late."""
    now = now or today()
    out = []
    people = {}
    for a in open_actions_of(record):
        due, done = _day(a.values.get("due_on")), _day(a.values.get("done_on"))
        oid = a.values.get("owner")
        if oid not in people:
            user = db.session.get(User, int(oid)) if oid else None
            people[oid] = user.full_name if user is not None else "—"
        if a.status == CLOSED:
            state = "done_late" if due and done and done > due else "done"
        else:
            state = "late" if due and due < now else "open"
        out.append(ActionState(a, people[oid], due, done, state))
    return out


def open_counts(records: list[Record], now: date | None = None) -> dict[int, tuple[int, int]]:
    """For each meeting or review: (its actions still open, of them past their due day), as
    :func:`states` counts them, for a page of many records in one query over the actions' ``source``."""
    now = now or today()
    owner_of = {rid: rec.id for rec in records for rid in _chain(rec)}
    out = {rec.id: [0, 0] for rec in records}
    if owner_of:
        rows = db.session.execute(
            select(RecordFacet.value, Record.due_on).join(Record, Record.id == RecordFacet.record_id).where(
                RecordFacet.form_code == ACTION, RecordFacet.field == "source",
                RecordFacet.value.in_([str(i) for i in owner_of]), Record.status.in_((DRAFT, IN_PROGRESS))))
        for source, due in rows:
            counts = out[owner_of[int(source)]]
            counts[0] += 1
            counts[1] += due is not None and due < now
    return {k: (v[0], v[1]) for k, v in out.items()}


def _chain(record: Record) -> list[int]:
    """``record`` and the revisions it amends (an amendment keeps the actions its original opened)."""
    ids, rec = [], record
    while rec is not None and rec.id not in ids:
        ids.append(rec.id)
        rec = db.session.get(Record, rec.amended_from_id) if rec.amended_from_id else None
    return ids


def _key(row: dict) -> tuple:
    return (str(row.get("title") or "").strip(), str(row.get("owner") or ""), str(row.get("due_on") or "")[:10])


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
