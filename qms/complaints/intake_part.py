"""The intake part of the complaints package (first response, dispatch, repeat complaints; CS-01,
CS-02, CS-03, CS-08, CS-12): what it adds to ``PROCEDURE`` (merged in ``__init__.PARTS``)."""
from ..records.procedures import FormRules
from . import intake, intake_views

FORMS = {
    intake.INQ: FormRules(checks=(intake.check,), derive=(intake.derive,), on_change=(intake.watch,),
                          panel=intake_views.panel),
}
BLUEPRINTS = (intake_views.bp,)
RULES = tuple(intake.RULES)
