"""After-change hooks (same transaction): the desk row in step with its nonconformity, rounds and
actions (CA-03), and the next round when a CAPA was verified not effective (CA-05)."""
from __future__ import annotations

from ..auth.models import User
from ..extensions import db
from ..records.lookup import record_of
from ..records.models import CLOSED, Record
from . import desk
from .queries import next_rounds
from .service import draft_round


def nc_changed(record, spec, new: bool = False) -> None:
    """A nonconformity changed: its desk row follows."""
    desk.refresh(record.id)


def capa_changed(record, spec, new: bool = False) -> None:
    """A round changed: open the next one if it was not effective; the desk row follows."""
    if record.status == CLOSED and record.values.get("effective") == "no":
        _next_round(record)
    desk.refresh(record.values.get("nonconformity"))


def action_changed(record, spec, new: bool = False) -> None:
    """An action changed: its nonconformity's desk row follows (open actions, next due date)."""
    capa = record_of(record.values, "capa")
    if capa is not None:
        desk.refresh(capa.values.get("nonconformity"))


def _next_round(capa: Record) -> Record | None:
    """Verified not effective: the nonconformity reopens with a new round, drafted for the verifier
    to issue (the finding carried over). Once only."""
    if next_rounds(capa.id):
        return None
    verifier = db.session.get(User, capa.signatures[-1].user_id)
    values = capa.values
    return draft_round(db.session.get(Record, values["nonconformity"]), verifier, values.get("finding") or "",
                       values.get("requirement") or "", int(values.get("verify_after_days") or 30), previous=capa)
