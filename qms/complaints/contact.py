"""Customer contact (CS-09): callbacks, questionnaires and visits (CS-VISIT). A dissatisfied result
opens a nonconformity when the record is signed, so the improvement follows the CAPA procedure
(S003 客户联络(2) 「从客户调查表获得的信息将用于服务及后续服务的改进。具体改进按《纠正和预防措施程序》的规定实施。」);
the record page lists what was raised and lets a person raise one for any other result."""
from __future__ import annotations

from flask_babel import gettext as _

from ..records import policy
from ..records import spec as specs
from ..records.models import CLOSED
from ..records.procedures import FormRules
from . import keycust_nc

VISIT = "CS-VISIT"
POOR = "dissatisfied"  # the result that opens a nonconformity by itself
POOR_SCORE = 2  # a score this low (of 5) is a dissatisfied customer, whatever was ticked


def check_visit(record, values, user) -> dict:
    """A score of 2 or less is a dissatisfied customer: the result must say so."""
    score = values.get("score")
    if score is not None and score <= POOR_SCORE and values.get("satisfaction") not in (None, "", POOR):
        return {"satisfaction": [_("A score of %(score)d or less means the customer is dissatisfied.",
                                   score=POOR_SCORE)]}
    return {}


def visit_changed(record, spec, new: bool = False) -> None:
    """Signed with a dissatisfied result: one nonconformity (source survey), never two."""
    if record.status == CLOSED and record.values.get("satisfaction") == POOR and not keycust_nc.raised(record):
        keycust_nc.dissatisfied(record)


def visit_panel(record, spec, user) -> dict:
    """The nonconformities raised from this contact, and a button to raise one by hand."""
    nc_spec = specs.get(keycust_nc.NC)
    return {"template": "complaints/keycust/panel_visit.html", "ncs": keycust_nc.raised(record),
            "can_raise": record.number is not None and nc_spec is not None and policy.can(user, "create", nc_spec)}


FORMS = {VISIT: FormRules(checks=(check_visit,), on_change=(visit_changed,), panel=visit_panel)}
