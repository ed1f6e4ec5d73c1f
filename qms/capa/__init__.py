"""Nonconformities and corrective/preventive actions (ZLAL009 不合格控制 / 纠正和预防措施程序, CA-01..CA-06).

The package's one declaration: the rules the form declarations cannot express (``checks``), the
desk and the next round kept by after-change hooks (``hooks``), the record-page panels and the
CAPA printout's actions (``views``), the overdue-action ladder (``reminders``). Other procedures
call only :func:`qms.capa.service.open_nonconformity`.
"""
from ..records.procedures import FormRules, Procedure
from . import checks, hooks, views
from .forms import ACTION, CAPA, CHECK, NC
from .reminders import RULES

PROCEDURE = Procedure(
    "QP-CA",
    forms={
        NC: FormRules(sign_checks=(checks.sign_nc,), on_change=(hooks.nc_changed,), panel=views.nc_panel),
        CAPA: FormRules(checks=(checks.check_capa,), sign_checks=(checks.sign_capa,),
                        on_change=(hooks.capa_changed,), panel=views.capa_panel, pdf_extras=views.capa_pdf_actions),
        ACTION: FormRules(draft_checks=(checks.check_action,), sign_checks=(checks.sign_action,),
                          on_change=(hooks.action_changed,)),
        CHECK: FormRules(panel=views.check_panel),
    },
    blueprints=(views.bp,),
    reminders=tuple(RULES),
)
