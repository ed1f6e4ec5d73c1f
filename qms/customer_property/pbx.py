"""The PBX part of QP-CP (CP-02, CP-04): the application and its inspection (CP-PBX, revision B), the
re-inspection rounds (CP-PBX-RE) and the register kept from them. Merged by the package's ``PARTS``."""
from __future__ import annotations

from ..records.procedures import FormRules
from . import pbx_checks, pbx_hooks, pbx_views
from .pbx_rounds import PBX, PBX_RE

FORMS = {
    PBX: FormRules(sign_checks=(pbx_checks.sign_licence_copy, pbx_checks.sign_approve),
                   on_change=(pbx_hooks.application_changed,), panel=pbx_views.application_panel,
                   pdf_extras=pbx_views.pdf_extras),
    PBX_RE: FormRules(draft_checks=(pbx_checks.check_round,), on_change=(pbx_hooks.round_changed,),
                      panel=pbx_views.round_panel),
}
