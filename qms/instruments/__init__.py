"""Monitoring and measuring devices (ZLAL009 监视和测量装置控制程序, INS-01..INS-11).

The package's one declaration. Its modules, each importing only downward:
``forms`` (codes) · ``models`` (instruments and their usage file, read models kept from signed
records) · ``gate`` (the permit to use, INS-04) · ``permissions`` (who acts on an instrument) ·
``state`` (the conditions, their transitions and the verbs that move them) · ``events`` (the usage
file) · ``switches`` / ``batches`` (reading the switch register and send-out manifests) ·
``reminders`` (rules and the managed watches) · ``impact`` (nonconformities a failure opens,
through ``capa.service``) · ``loans`` (check out, hand back and check a return from the label page,
one screen each, through ``records.service``) · ``checks`` · ``hooks`` · ``views`` / ``import_views`` (pages).
"""

from flask_babel import lazy_gettext as _l

from ..records.procedures import FormRules, Procedure
from ..records.spec import SpecError
from . import checks, hooks, import_views, views
from .batches import manifest
from .forms import (
    BILLING,
    CAL,
    HANDOVER,
    INTAKE,
    MAINT,
    REPAIR,
    SCRAP,
    SENDOUT,
    SWITCH,
    USAGE,
)
from .gate import asset_alias
from .reminders import RULES


def _thresholds(value, where: str, code: str) -> dict:
    """``thresholds:`` of the billing-test form: {switch type: required accuracy in percent}."""
    if not isinstance(value, dict):
        raise SpecError(f"{where}: a mapping of switch type to percent")
    out = {}
    for key, pct in value.items():
        try:
            out[str(key)] = float(pct)
        except (TypeError, ValueError):
            raise SpecError(f"{where}.{key}: a number (percent)") from None
        if not 0 < out[str(key)] <= 100:
            raise SpecError(f"{where}.{key}: between 0 and 100")
    return out

PROCEDURE = Procedure(
    "QP-INS",
    forms={
        INTAKE: FormRules(checks=(checks.check_intake,), on_change=(hooks.intake_changed,), panel=views.intake_panel,
                          link_alias=asset_alias),
        USAGE: FormRules(draft_checks=(checks.draft_usage, checks.draft_usage_manual), sign_checks=(checks.sign_usage,),
                         on_change=(hooks.loan_changed,), panel=views.loan_panel),
        CAL: FormRules(draft_checks=(checks.draft_in_service, checks.draft_cal_batch),
                       sign_checks=(checks.sign_cal_certificate,), on_change=(hooks.calibration_changed,)),
        BILLING: FormRules(draft_checks=(checks.draft_billing, checks.draft_switch), on_change=(hooks.billing_changed,),
                           panel=views.billing_panel, pdf_extras=views.billing_result),
        REPAIR: FormRules(draft_checks=(checks.draft_fault,), on_change=(hooks.repair_changed,)),
        SCRAP: FormRules(draft_checks=(checks.draft_fault,), on_change=(hooks.scrap_changed,)),
        MAINT: FormRules(draft_checks=(checks.draft_in_service,), sign_checks=(checks.sign_maint,),
                         on_change=(hooks.maintenance_changed,)),
        HANDOVER: FormRules(draft_checks=(checks.draft_handover,), on_change=(hooks.handover_changed,)),
        SENDOUT: FormRules(draft_checks=(checks.draft_sendout,), sign_checks=(checks.sign_sendout,),
                           on_change=(hooks.sendout_changed,),
                           panel=views.sendout_panel, pdf_extras=manifest),
        SWITCH: FormRules(on_change=(hooks.switch_changed,)),
    },
    blueprints=(views.bp, import_views.bp),
    reminders=tuple(RULES),
    user_change_checks=(checks.holds_instruments,),
    audit_actions={"loan_handed_back": _l("Handed back by the borrower")},
    extensions={"thresholds": _thresholds},
)
