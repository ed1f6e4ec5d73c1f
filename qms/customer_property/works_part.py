"""The self-built works part of QP-CP (CP-05): CP-WORKS and CP-WORKS-ACC's rules and pages, merged
into the package's Procedure through ``PARTS``."""
from ..records.procedures import FormRules
from . import works, works_views

FORMS = {
    works.WORKS: FormRules(checks=(works.check_agreement,), sign_checks=(works.sign_opened,),
                           on_change=(works.agreement_changed,), panel=works_views.agreement_panel),
    works.ROUND: FormRules(draft_checks=(works.draft_round,), sign_checks=(works.sign_round,),
                           on_change=(works.round_changed,), derive=(works.derive_round,),
                           panel=works_views.round_panel),
}
BLUEPRINTS = (works_views.bp,)
