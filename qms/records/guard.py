"""The flush guard: signed content never changes, whoever attempts it.

The records service refuses such changes first; this listener refuses them again at flush time,
so even code that bypasses the service (a script, a bug) cannot alter a signed or closed record,
change a step already signed, renumber a draft sent back to its author, or delete any record,
signature or attachment.
"""
from __future__ import annotations

import json

from flask_babel import gettext as _
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from ..core.errors import LockedRecord
from . import spec as specs
from .models import DRAFT, IN_PROGRESS, SUPERSEDED, VOIDED, Attachment, Record, Signature, SignatureReturn

# Fields of a record that may change after it is signed (lifecycle bookkeeping only).
_MUTABLE_WHEN_LOCKED = {"status", "current_step", "superseded_by_id", "void_reason", "voided_at",
                        "updated_at", "version"}


def _guard_draft(state, changed: set) -> None:
    """Drafts are editable and submitting sets the number; a draft sent back to its author
    (:func:`send_back`) keeps the number it was given."""
    number = state.attrs.number.history
    if number.deleted and number.deleted[0] and changed & {"number", "year", "seq"}:
        raise LockedRecord(_("This record is signed or closed and cannot be changed."))


@event.listens_for(Session, "before_flush")
def _guard_flush(session, flush_context, instances):
    """Refuse any change to a signed or closed record's content, whoever attempts it."""
    for obj in session.dirty:
        if not isinstance(obj, Record):
            continue
        state = inspect(obj)
        hist = state.attrs.status.history
        old_status = hist.deleted[0] if hist.deleted else obj.status
        columns = state.mapper.column_attrs.keys()
        changed = {k for k in columns if state.attrs[k].history.has_changes()}
        if old_status == DRAFT:
            _guard_draft(state, changed)
            continue
        if old_status == IN_PROGRESS and changed <= _MUTABLE_WHEN_LOCKED | {"data", "search_text", "due_on"}:
            # Only the fields of the step awaiting its signature may change.
            spec = specs.by_revision(obj.form_revision_id)
            hist = state.attrs.data.history
            if hist.has_changes():
                if hist.deleted:
                    stored = hist.deleted[0]
                else:  # the old value was never loaded (expired): read what the database holds
                    with session.no_autoflush:
                        stored = session.execute(select(Record.data).where(Record.id == obj.id)).scalar()
                before, after = json.loads(stored or "{}"), json.loads(obj.data or "{}")
                moved = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
                current = state.attrs.current_step.history
                step = current.deleted[0] if current.deleted else obj.current_step
                if not moved <= set(spec.step_field_names(step)):
                    raise LockedRecord(_("This record is signed or closed and cannot be changed."))
            continue
        if old_status in (VOIDED, SUPERSEDED) and changed - {"version"}:
            raise LockedRecord(_("This record is voided or superseded and cannot be changed."))
        if changed - _MUTABLE_WHEN_LOCKED:
            raise LockedRecord(_("This record is signed or closed and cannot be changed."))
    for obj in session.deleted:
        if isinstance(obj, (Record, Signature, SignatureReturn, Attachment)):
            raise LockedRecord(_("Records are never deleted; void them with a reason."))
