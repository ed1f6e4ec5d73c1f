"""The month-end complaint summary (CS-07) as a record: generated from the month's complaints,
refreshed while it is a draft, frozen by 客户服务部's signature, received by 企业管理部, who may open a
nonconformity from it (CA-01 source ``complaint``, through ``capa.service.open_nonconformity``).

Services: they never commit; refusals are ``ValidationFailed`` with field messages.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.models import Department
from ..capa.service import open_nonconformity
from ..core.errors import ValidationFailed
from ..core.i18n import record_language
from ..core.timeutil import local, utcnow
from ..extensions import db
from ..records import policy, service
from ..records import spec as specs
from ..records.models import DRAFT, SUPERSEDED, VOIDED, Record, RecordFacet
from ..records.webforms import to_formdata
from .month_checks import SUMMARY, first_day
from .month_figures import Figures, count_month

EMD = "EMD"  # 企业管理部 receives the summary and acts on it
SEVERITIES = ("minor", "general", "serious")  # CA-NC's


def figure_values(month: str) -> dict:
    """The summary's generated fields for ``month``, counted now."""
    now = utcnow()
    fig = count_month(month, now)
    return {"month": month, "generated_at": local(now).strftime("%Y-%m-%dT%H:%M"), "total": fig.total,
            "lines": fig.as_rows()}


def of_month(month: str) -> Record | None:
    """The month's live summary (a draft, submitted or closed; the newest revision), or None."""
    return db.session.execute(
        select(Record).join(RecordFacet, RecordFacet.record_id == Record.id)
        .where(RecordFacet.form_code == SUMMARY, RecordFacet.field == "month", RecordFacet.value == month,
               Record.form_code == SUMMARY, Record.status.notin_((VOIDED, SUPERSEDED)))
        .order_by(Record.id.desc()).limit(1)).scalar()


def generate(month: str, user, locale: str) -> Record:
    """A new summary draft for ``month`` with its figures taken now (refused: a month to come, a
    month already summarised, a month that is not one)."""
    spec = specs.get(SUMMARY)
    policy.require(user, "create", spec)
    if first_day(month) is None:
        raise ValidationFailed({"month": [_("As YYYY-MM")]})
    values = figure_values(month)
    return service.create(spec, user, to_formdata(spec, values), locale)


def refresh(record: Record, user, locale: str) -> Record:
    """Take a draft summary's figures again (a complaint changed since); signed ones never change."""
    if record.form_code != SUMMARY or record.status != DRAFT:
        raise ValidationFailed({"lines": [_("Only a draft summary takes its figures again.")]})
    spec = specs.by_revision(record.form_revision_id)
    values = figure_values(record.values.get("month"))
    data = to_formdata(spec, {**record.values, **values})
    return service.update(record, user, data, locale, record.version)


def figures_of(record: Record) -> Figures:
    """The figures frozen in a summary record."""
    return Figures.from_record(record.values)


def may_raise(user, record: Record) -> bool:
    """企业管理部 (its quality managers and head) acts on a summary once 客户服务部 has signed it."""
    return (record.form_code == SUMMARY and record.status not in (DRAFT, VOIDED, SUPERSEDED)
            and user.department is not None and user.department.code == EMD
            and policy.can(user, "view", specs.by_revision(record.form_revision_id), record))


def raise_nonconformity(record: Record, user, department_id, severity: str, description: str):
    """A nonconformity opened from the summary by 企业管理部 (CA-01 source ``complaint``): the
    department it concerns, its severity and what was found. Refused with field messages."""
    errors: dict = {}
    if not may_raise(user, record):
        errors["description"] = [_("Only 企业管理部 acts on a signed summary.")]
    if severity not in SEVERITIES:
        errors["severity"] = [_("Not a valid choice.")]
    text = (description or "").strip()
    if not text:
        errors["description"] = [_("Describe what was found.")]
    elif len(text) > 2000:
        errors["description"] = [_("At most 2000 characters.")]
    dept = str(department_id or "")
    if not dept.isdigit() or len(dept) > 9 or db.session.get(Department, int(dept)) is None:
        errors["department"] = [_("Not a valid choice.")]
    if errors:
        raise ValidationFailed(errors)
    with record_language():
        return open_nonconformity(record, "complaint", int(dept), severity, text, actor=user, requirement="CS-07")
