"""Reads of the procedure's records: a nonconformity's CAPA rounds and a round's actions."""
from __future__ import annotations

from ..records.links import LIVE, linked
from ..records.models import Record
from .forms import ACTION, CAPA


def rounds_of(nc_id: int) -> list[Record]:
    """The CAPA rounds of a nonconformity, voided and superseded ones left out, oldest first."""
    return linked(CAPA, "nonconformity", nc_id, statuses=LIVE)


def actions_of(capa_id: int) -> list[Record]:
    """The actions of a CAPA round, voided and superseded ones left out, oldest first."""
    return linked(ACTION, "capa", capa_id, statuses=LIVE)


def next_rounds(capa_id: int) -> list[Record]:
    """The rounds opened because round ``capa_id`` was verified not effective."""
    return linked(CAPA, "previous_capa", capa_id)
