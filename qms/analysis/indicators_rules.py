"""Which records count for each computed indicator (DA-01), in which month, under which department,
and whether each is in the numerator: one function per source form, ``record -> [Part]``.

The rules in words are ``indicators_defs.DEFINITIONS[*].words``. Common to all: a record counts while
submitted (in progress or closed; closed only where the words say reviewed); drafts, voided and
superseded records count nowhere; an amendment counts in place of its original once it closes (the
original, superseded then, counts until that moment: never both, never neither).
Form values are local times ('2026-11-20T09:15'), so the month is the value's first seven characters.
The time limits are the reminder rules' own (``reminders.engine.deadline_for_record``), so a number
and the reminder that chased it never disagree.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from sqlalchemy import select

from ..auth.models import Department
from ..core.timeutil import local, tz
from ..extensions import db
from ..records import spec as specs
from ..records.links import linked
from ..records.lookup import as_id, record_of
from ..records.models import CLOSED, IN_PROGRESS, Record
from ..reminders.engine import deadline_for_record
from ..reminders.rules import by_id
from ..reminders.workcal import add_months
from .indicators_defs import NC_CLOSE_DAYS

SUBMITTED = (IN_PROGRESS, CLOSED)
FEE_CLOCK = "cs10-fee-24h"  # forms/TS-FEE.yaml: 24 hours from receipt
KEY_CLOCK = "cs04-key-customer"  # forms/CS-KEY.yaml: the request type's days from the notice
CAL_KEPT = ("pass", "restricted")  # a calibration result that renews the validity (instruments.state)


class Part(NamedTuple):
    """One record's contribution to one number."""

    indicator: str
    month: str
    department: str
    bucket: str
    numerator: int
    denominator: int


class Context:
    """What the rules look up once per run: department codes by id."""

    def __init__(self):
        self._codes: dict[int, str] | None = None

    def code(self, department_id: int | None) -> str:
        """The code of department ``department_id`` ('' when unknown)."""
        if self._codes is None:
            self._codes = dict(db.session.execute(select(Department.id, Department.code)).all())
        return self._codes.get(department_id, "") if department_id else ""


def _month(raw) -> str | None:
    s = str(raw or "")
    return s[:7] if len(s) >= 7 and s[4] == "-" else None


def _local_dt(raw) -> datetime | None:
    """A form's local datetime value as an aware datetime (None when empty or unreadable)."""
    try:
        s = str(raw)
        return datetime.fromisoformat(s).replace(tzinfo=tz()) if "T" in s else None
    except (TypeError, ValueError):
        return None


def _date(raw) -> date | None:
    try:
        return date.fromisoformat(str(raw)[:10]) if raw else None
    except ValueError:
        return None


def _signed_at(record: Record, step: str) -> datetime | None:
    """When the live signature of ``step`` was given (the last, if it was signed again)."""
    got = [s.signed_at for s in record.signatures if s.step == step]
    return got[-1] if got else None


def _deadline(rule_id: str, values: dict) -> datetime | None:
    rule = by_id().get(rule_id)
    return deadline_for_record(rule, values) if rule is not None else None


# -- complaints: CS-INQ, TS-FEE, CS-NET ----------------------------------------------------------

def complaint(record: Record, ctx: Context, *, category: str, grade: str | None) -> list[Part]:
    """A submitted complaint counts once in its month of receipt, under its handling department, with
    its category and grade buckets; a serious one counts in ``complaints_serious`` too."""
    v = record.values
    month = _month(v.get("received_at"))
    if record.status not in SUBMITTED or not month:
        return []
    dept = v.get("handling_department") or ctx.code(record.department_id)
    cat = v.get(category) or "unknown"
    parts = [Part("complaints", month, dept, "", 1, 1), Part("complaints", month, dept, f"category:{cat}", 1, 1)]
    if grade is not None:
        level = v.get(grade) or "unknown"
        parts.append(Part("complaints", month, dept, f"grade:{level}", 1, 1))
        parts.append(Part("complaints_serious", month, dept, "", int(level == "serious"), 1))
    else:
        parts.append(Part("complaints", month, dept, "grade:unknown", 1, 1))
    return parts


def inquiry(record: Record, ctx: Context) -> list[Part]:
    """CS-INQ: a complaint (category, severity)."""
    return complaint(record, ctx, category="category", grade="severity")


def network(record: Record, ctx: Context) -> list[Part]:
    """CS-NET: a complaint (category, severity)."""
    return complaint(record, ctx, category="category", grade="severity")


def fee(record: Record, ctx: Context) -> list[Part]:
    """TS-FEE: a complaint (dispute type, no grade), and the 24-hour settlement unless complex."""
    parts = complaint(record, ctx, category="dispute_type", grade=None)
    v = record.values
    if not parts or v.get("complex_case") in (True, "True", "true", "1", "y"):
        return parts
    due = _deadline(FEE_CLOCK, v)
    done = _signed_at(record, "resolve")
    settled = int(due is not None and done is not None and done <= due)
    return [*parts, Part("fee_disputes_24h", parts[0].month, parts[0].department, "", settled, 1)]


# -- key customers: CS-KEY -----------------------------------------------------------------------

def key_service(record: Record, ctx: Context) -> list[Part]:
    """CS-KEY: on time when completed (signed) by the end of the limit day."""
    v = record.values
    month = _month(v.get("notified_at"))
    if record.status not in SUBMITTED or not month:
        return []
    dept = v.get("target_department") or ctx.code(record.department_id)
    due, done = _deadline(KEY_CLOCK, v), _local_dt(v.get("completed_at"))
    ok = int(record.status == CLOSED and due is not None and done is not None and done <= due)
    return [Part("keycust_on_time", month, dept, "", ok, 1)]


# -- instruments: INS-BILLING, INS-CAL -----------------------------------------------------------

def billing(record: Record, ctx: Context) -> list[Part]:
    """INS-BILLING, reviewed: passed when the accuracy reaches the switch type's threshold."""
    v = record.values
    month = _month(v.get("test_month"))
    if record.status != CLOSED or not month:
        return []
    tested, correct = as_id(v.get("calls_tested")), as_id(v.get("calls_correct"))
    thresholds = specs.by_revision(record.form_revision_id).extensions.get("thresholds") or {}
    switch = record_of(v, "switch")
    kind = (switch.values.get("switch_type") if switch is not None else None) or v.get("switch_type")
    limit = thresholds.get(kind, thresholds.get("other"))
    try:
        ok = bool(tested) and correct is not None and limit is not None and \
            Decimal(100) * correct / tested >= Decimal(str(limit))
    except InvalidOperation:
        ok = False
    return [Part("billing_passed", month, ctx.code(record.department_id), "", int(ok), 1)]


def calibration_due(record: Record) -> date | None:
    """The day ``record``'s instrument was due for this calibration: its previous pass or restricted
    calibration (reviewed, live) before this one, else the intake's calibration date, plus its interval."""
    v = record.values
    on = _date(v.get("calibrated_on"))
    intake = record_of(v, "instrument")
    if on is None or intake is None:
        return None
    iv = intake.values
    months = as_id(iv.get("interval_months")) or 24
    others = linked("INS-CAL", "instrument", intake.id, statuses=(CLOSED,))
    before = [_date(r.values.get("calibrated_on")) for r in others
              if r.id != record.id and r.values.get("result") in CAL_KEPT]
    before = [d for d in before if d is not None and d < on]
    last = max(before) if before else _date(iv.get("calibrated_on"))
    return add_months(last, months) if last else None


def calibration(record: Record, ctx: Context) -> list[Part]:
    """INS-CAL, reviewed: on time when calibrated on or before the due day."""
    v = record.values
    month = _month(v.get("calibrated_on"))
    if record.status != CLOSED or not month:
        return []
    due, on = calibration_due(record), _date(v.get("calibrated_on"))
    ok = int(due is None or (on is not None and on <= due))  # no earlier date known: its first, on time
    return [Part("calibration_on_time", month, ctx.code(record.department_id), "", ok, 1)]


# -- nonconformities: CA-NC ----------------------------------------------------------------------

def nc_due(record: Record) -> date | None:
    """A nonconformity's due day: the declared due date, else ``NC_CLOSE_DAYS`` after it was found."""
    if record.due_on is not None:
        return record.due_on
    found = _date(record.values.get("found_on"))
    return found + timedelta(days=NC_CLOSE_DAYS) if found else None


def nonconformity(record: Record, ctx: Context) -> list[Part]:
    """CA-NC: closed on time when 企业管理部's closing signature falls on or before the due day (local)."""
    month = _month(record.values.get("found_on"))
    if record.status not in SUBMITTED or not month:
        return []
    due, closed = nc_due(record), _signed_at(record, "close")
    ok = int(record.status == CLOSED and due is not None and closed is not None and local(closed).date() <= due)
    return [Part("nc_closed_on_time", month, ctx.code(record.department_id), "", ok, 1)]


# -- work orders: CP-WO --------------------------------------------------------------------------

def work_order(record: Record, ctx: Context) -> list[Part]:
    """CP-WO: within the limit when the self-check is signed and the completion time is by the due time."""
    v = record.values
    month = _month(v.get("issued_at"))
    if record.status not in SUBMITTED or not month:
        return []
    done, due = _local_dt(v.get("completed_at")), _local_dt(v.get("due_at"))
    ok = int(_signed_at(record, "self_check") is not None and done is not None and due is not None and done <= due)
    return [Part("workorders_in_limit", month, ctx.code(record.department_id), "", ok, 1)]


# -- the survey: DA-SURVEY -----------------------------------------------------------------------

def survey(record: Record, ctx: Context) -> list[Part]:
    """DA-SURVEY, closed: its total score (in hundredths) for its year."""
    v = record.values
    year = as_id(v.get("year"))
    if record.status != CLOSED or not year or v.get("total_score") in (None, ""):
        return []
    try:
        score = int((Decimal(str(v["total_score"])) * 100).to_integral_value())
    except InvalidOperation:
        return []
    return [Part("survey_score", str(year), ctx.code(record.department_id), "", score, 1)]


RULES = {
    "CS-INQ": inquiry, "TS-FEE": fee, "CS-NET": network, "CS-KEY": key_service, "INS-BILLING": billing,
    "INS-CAL": calibration, "CA-NC": nonconformity, "CP-WO": work_order, "DA-SURVEY": survey,
}


def parts_of(record: Record, ctx: Context | None = None) -> list[Part]:
    """What ``record`` adds to the indicators now (empty for a form that counts for none)."""
    rule = RULES.get(record.form_code)
    if rule is None or (getattr(record, "amended_from_id", None) and record.status != CLOSED):
        return []  # an amendment counts once it closes and supersedes its original (which counts until then)
    return rule(record, ctx or Context())
