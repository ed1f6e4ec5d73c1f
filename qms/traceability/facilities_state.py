"""A facility's status (IT-04), moved only by the verbs here, each called by a hook when the record
that causes it is signed; each verb writes a line of the facility's history.

S003: 「设备和设施处于检修时,在该设备或设施上设置检修状态标识,并做好记录,设备和设施修复后,应立即撤去
不正常状态标识。」 The first signature of a maintenance record (IT-FACMAINT ``start``) sets the status
检修; its repair signature (the record closes) clears it. The records are the truth (see
:mod:`.facilities_models`); :func:`rebuild` makes the read model again from them.
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, func, select

from ..auth.models import Department
from ..core.timeutil import tz, utcnow
from ..extensions import db
from ..records.lookup import as_id
from ..records.models import CLOSED, IN_PROGRESS, Record
from .facilities_models import Facility, FacilityEvent
from .facilities_models import FacilityStatus as S

FACILITY, MAINT = "IT-FACILITY", "IT-FACMAINT"
KEEPER = "OMD"  # 运行维护部 keeps the facilities (S003 运维部)
LIVE = frozenset({S.IN_SERVICE, S.MAINTENANCE})

# verb: (the statuses it moves from, the status it leaves the facility in)
TRANSITIONS = {
    "start": (frozenset({S.IN_SERVICE}), S.MAINTENANCE),  # a maintenance record's start signed
    "repaired": (frozenset({S.MAINTENANCE}), S.IN_SERVICE),  # its repair signed: the label comes off
    "retire": (LIVE, S.RETIRED),  # the facility's registration voided or superseded
}


def move(fac: Facility, verb: str) -> bool:
    """Apply ``verb`` if the facility's status allows it; True when it moved."""
    sources, target = TRANSITIONS[verb]
    if fac.status not in sources:
        return False
    fac.status, fac.updated_at = target, utcnow()
    return True


def stored_moment(value) -> datetime | None:
    """A form's stored local datetime ('YYYY-MM-DDTHH:MM') as an aware UTC datetime."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value)[:16]).replace(tzinfo=tz()).astimezone(UTC)
    except ValueError:
        return None


def _event(fac: Facility, kind: str, record: Record, at: datetime | None, summary: str = "") -> None:
    """One history line, once per record and kind (a hook runs after every change of its record)."""
    db.session.flush()
    if db.session.execute(select(FacilityEvent.id).where(FacilityEvent.record_id == record.id,
                                                         FacilityEvent.kind == kind)).first():
        return
    db.session.add(FacilityEvent(facility_id=fac.id, kind=kind, record_id=record.id, number=record.number or "",
                                 occurred_at=at or utcnow(), summary=(summary or "")[:300]))


def register(record: Record) -> Facility | None:
    """The facility a closed IT-FACILITY record registers (made once, refreshed from the record);
    a voided or superseded registration retires it. Returns the facility, or None."""
    fac = db.session.get(Facility, record.id)
    if record.status != CLOSED:
        if fac is not None and move(fac, "retire"):
            _event(fac, "retired", record, utcnow())
        return fac
    v = record.values
    if fac is None:
        fac = Facility(id=record.id, status=S.IN_SERVICE,
                       department_id=Department.id_of(KEEPER) or record.department_id)
        db.session.add(fac)
    fac.number, fac.name = record.number or "", (v.get("name") or "")[:120]
    fac.facility_type, fac.location = v.get("facility_type") or "other", (v.get("location") or "")[:200]
    fac.updated_at = utcnow()
    _event(fac, "registered", record, utcnow(), fac.name)
    return fac


def facility_of(values: dict) -> Facility | None:
    """The facility a maintenance record's values name (None when it names none)."""
    fid = as_id(values.get("facility"))
    return db.session.get(Facility, fid) if fid else None


def _started(fac: Facility, record: Record) -> None:
    if fac.maint_record_id in (None, record.id) and move(fac, "start"):
        fac.maint_record_id, fac.since_at = record.id, stored_moment(record.values.get("started_at")) or utcnow()
        _event(fac, "maintenance_started", record, fac.since_at, record.values.get("reason", ""))


def _ended(fac: Facility, record: Record) -> None:
    if fac.maint_record_id == record.id and move(fac, "repaired"):
        fac.maint_record_id, fac.since_at = None, None
        if record.status == CLOSED:
            v = record.values
            _event(fac, "repaired", record, stored_moment(v.get("repaired_at")), v.get("work_done", ""))


def _has_event(record: Record, kind: str) -> bool:
    db.session.flush()
    return db.session.execute(select(FacilityEvent.id).where(FacilityEvent.record_id == record.id,
                                                             FacilityEvent.kind == kind)).first() is not None


def maintenance(record: Record) -> Facility | None:
    """Follow one maintenance record: its start signed sets the facility 检修; its repair signed
    (closed) or its voiding clears the status it set. A closed record never seen before (a rebuild,
    an amendment) is followed through both. Returns the facility it concerns."""
    fac = facility_of(record.values)
    if fac is None:
        return None
    if record.status == IN_PROGRESS:
        _started(fac, record)
    elif record.status == CLOSED and not _has_event(record, "maintenance_started"):
        _started(fac, record)
        _ended(fac, record)
    else:
        _ended(fac, record)
    return fac


def under_maintenance() -> list[Facility]:
    """Facilities under maintenance now, the longest first (the dashboard's order)."""
    return list(db.session.execute(select(Facility).where(Facility.status == S.MAINTENANCE)
                                   .order_by(Facility.since_at, Facility.id)).scalars())


def history(facility_id: int) -> list[FacilityEvent]:
    """A facility's history lines, newest first."""
    return list(db.session.execute(select(FacilityEvent).where(FacilityEvent.facility_id == facility_id)
                                   .order_by(FacilityEvent.occurred_at.desc(), FacilityEvent.id.desc())).scalars())


def rebuild() -> int:
    """Make the read model again from the records: emptied, then the registrations followed, then the
    maintenance records in the order they were made. Returns the facilities kept."""
    db.session.execute(delete(FacilityEvent))
    db.session.execute(delete(Facility))
    for code, follow in ((FACILITY, register), (MAINT, maintenance)):
        for rec in db.session.execute(select(Record).where(Record.form_code == code).order_by(Record.id)).scalars():
            follow(rec)
    db.session.flush()
    return db.session.execute(select(func.count(Facility.id))).scalar() or 0
