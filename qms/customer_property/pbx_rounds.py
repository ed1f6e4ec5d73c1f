"""A PBX application's inspection and its re-inspection rounds, read from the records (CP-04):
what the first inspection found, the rounds linked to the application, whether the PBX has passed.

S003 4.0(2) 「检验合格后,客户方可正式使用小交换机」: the application (CP-PBX) holds the first on-site
inspection; a failed one is followed by rounds of CP-PBX-RE, each its own signed record linked to the
application, until one passes.
"""
from __future__ import annotations

from ..records.links import LIVE, linked
from ..records.models import Record, Status

PBX, PBX_RE = "CP-PBX", "CP-PBX-RE"
PASS, FAIL = "pass", "fail"
INSPECT = "inspect"  # the application's inspection step (and a round's only step)


def inspected(application: Record) -> bool:
    """The application's on-site inspection is signed."""
    return any(s.step == INSPECT for s in application.signatures)


def rounds_of(application: Record) -> list[Record]:
    """The live re-inspection rounds of ``application`` (drafts too), oldest first."""
    return linked(PBX_RE, "application", application.id, statuses=LIVE)


def passed_round(application: Record) -> Record | None:
    """The signed round that passed the PBX, if any."""
    return next((r for r in rounds_of(application)
                 if r.status == Status.CLOSED and r.values.get("result") == PASS), None)


def passed(application: Record) -> bool:
    """The PBX passed: its inspection was signed as a pass, or a signed round passed it."""
    if not inspected(application):
        return False
    return application.values.get("inspection_result") == PASS or passed_round(application) is not None


def last_inspected_on(application: Record, exclude: tuple = ()) -> str | None:
    """The date (ISO) of the application's latest signed inspection or round, leaving out ``exclude`` ids."""
    days = [application.values.get("inspected_on")] if inspected(application) else []
    days += [r.values.get("inspected_on") for r in rounds_of(application)
             if r.status == Status.CLOSED and r.id not in exclude]
    days = [d for d in days if d]
    return max(days) if days else None
