"""What people do to a survey campaign besides the engine's screens (DA-02, CS-09): take its results
from the responses into the close step (frozen by the close signature), and raise a nonconformity
(CA-NC source ``survey``, through ``capa.service.open_nonconformity``) for a low-scoring element, once each.

Services: they never commit; refusals are ``ValidationFailed`` with field messages."""
from __future__ import annotations

import re

from flask_babel import gettext as _

from ..auth.models import Department
from ..capa.service import SEVERITIES, open_nonconformity
from ..core.errors import ValidationFailed
from ..core.i18n import record_language
from ..records import policy, service
from ..records import spec as specs
from ..records.links import linked
from ..records.models import CLOSED, IN_PROGRESS, VOIDED, Record
from ..records.webforms import to_formdata
from . import survey_score as scoring
from .survey_checks import current_results

NC = "CA-NC"
EMD = "EMD"  # 企业管理部 analyses the survey and acts on it
MARK = re.compile(r"^DA-02 (e\d+)\b")  # the element a survey nonconformity is about, first in its requirement


def take_results(record: Record, user, locale: str) -> Record:
    """Write the results the responses give now into the campaign's close step (while it waits for
    that signature); the signature freezes them."""
    if record.form_code != scoring.SURVEY or record.status != IN_PROGRESS:
        raise ValidationFailed({"responses_count": [_("Results are taken while the campaign waits to be closed.")]})
    spec = specs.by_revision(record.form_revision_id)
    return service.update(record, user, to_formdata(spec, {**record.values, **current_results(record)}), locale,
                          record.version)


def raised_for(campaign: Record) -> dict[str, Record]:
    """{element field: the live nonconformity raised for it} of a campaign."""
    out = {}
    for nc in linked(NC, "source_record", campaign.id, numbered=True):
        m = MARK.match(nc.values.get("requirement") or "")
        if nc.status != VOIDED and m:
            out.setdefault(m.group(1), nc)
    return out


def may_raise(user, campaign: Record) -> bool:
    """企业管理部 raises nonconformities from a closed campaign's frozen results."""
    nc = specs.get(NC)
    return (campaign.status == CLOSED and nc is not None and policy.can(user, "create", nc)
            and user.department is not None and user.department.code == EMD)


def frozen_low(campaign: Record) -> dict[str, dict]:
    """{element field: its frozen row} of the elements the closed campaign scored under their threshold."""
    survey = scoring.declaration_of(campaign)
    limits = {e.field: survey.threshold_of(e) for e in survey.elements}
    out = {}
    for row in campaign.values.get("element_scores") or ():
        s = scoring.q2(row["score"]) if row.get("score") not in (None, "") else None
        if s is not None and row.get("element") in limits and s < limits[row["element"]]:
            out[row["element"]] = {**row, "threshold": limits[row["element"]], "score": s}
    return out


def default_department(field: str) -> str:
    """The department answering for an element (declared with the element), else 企业管理部."""
    return scoring.declaration_of(None).department_of(field) or EMD


def raise_low(campaign: Record, field: str, user, department_code: str, severity: str, description: str) -> Record:
    """A nonconformity for one low-scoring element of a closed campaign, once per element."""
    errors: dict = {}
    low = frozen_low(campaign)
    if not may_raise(user, campaign):
        errors["description"] = [_("Only 企业管理部 raises nonconformities from a closed campaign.")]
    elif field not in low:
        errors["description"] = [_("This element did not score under its threshold.")]
    elif field in raised_for(campaign):
        errors["description"] = [_("A nonconformity was already raised for this element: %(number)s.",
                                   number=raised_for(campaign)[field].display_number)]
    if Department.by_code(department_code or "") is None:
        errors["department"] = [_("Not a valid choice.")]
    if severity not in SEVERITIES:
        errors["severity"] = [_("Not a valid choice.")]
    if errors:
        raise ValidationFailed(errors)
    row = low[field]
    with record_language():
        basis = _("DA-02 %(field)s: element 「%(label)s」 scored %(score)s, under %(threshold)s points (%(number)s, "
                  "QP-DA 数据分析(5))", field=field, label=row.get("label"), score=row["score"],
                  threshold=row["threshold"], number=campaign.display_number)
        text = (description or "").strip() or _(
            "Customer survey %(year)s: 「%(label)s」 scored %(score)s points from %(answers)s answers.",
            year=campaign.values.get("year"), label=row.get("label"), score=row["score"], answers=row.get("answers"))
    return open_nonconformity(campaign, "survey", Department.id_of(department_code), severity, text[:4000],
                              actor=user, requirement=basis[:2000])
