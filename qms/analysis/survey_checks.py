"""Checks of the satisfaction survey (DA-02): one campaign a year; its results are the system's, taken
from the responses and frozen by the close signature (never typed); a response belongs to a campaign
in progress and scores each element on the campaign's declared scale (a blank is "not applicable").

Pure checks ``(record | None, values, user) -> {field: [message]}`` and one sign check; the web form,
the API and the importer all meet them (``records.service.check_values``)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from ..records.lookup import record_of
from ..records.models import IN_PROGRESS
from . import survey_score as scoring
from .survey_spec import declaration_of

RESULT_FIELDS = ("responses_count", "total_score", "item_scores", "element_scores")


def _dec(value) -> Decimal | None:
    try:
        return scoring.q2(Decimal(str(value))) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None


def _comparable(values: dict) -> tuple:
    """The results held by ``values`` in one comparable shape (numbers as two-decimal Decimals)."""
    items = values.get("item_scores") or ()
    elements = values.get("element_scores") or ()
    return (values.get("responses_count"), _dec(values.get("total_score")),
            tuple((r.get("item"), _dec(r.get("weight")), _dec(r.get("score"))) for r in items),
            tuple((r.get("element"), r.get("answers"), _dec(r.get("score"))) for r in elements))


def current_results(record) -> dict:
    """The close-step values the campaign's responses give now."""
    return scoring.result_values(scoring.score(record))


def results_stale(record) -> bool:
    """The results saved on the campaign differ from what its responses give now."""
    return _comparable(record.values) != _comparable(current_results(record))


def check_campaign(record, values, user) -> dict:
    """One live campaign per year; results, once given, are exactly the system's (the API and the
    edit form cannot type them)."""
    errors: dict = {}
    year = values.get("year")
    other = scoring.of_year(year, exclude=record.id if record is not None else None) if year is not None else None
    if other is not None and (record is None or other.id != record.amended_from_id):  # an amendment replaces it
        errors["year"] = [_("There is already a survey campaign for %(year)s.", year=year)]
    given = [f for f in RESULT_FIELDS if values.get(f) not in (None, "", [])]
    # Only a change of the saved results is checked here: at the close signature, results that went
    # stale (a response since) are the sign check's refusal, which says what to do.
    changed = record is not None and _comparable(values) != _comparable(record.values)
    if given and changed and record.status == IN_PROGRESS:
        if _comparable(values) != _comparable({**values, **current_results(record)}):
            for name in given:
                errors[name] = [_("The results are worked out from the responses: use 「Take the results」 on the "
                                  "campaign page.")]
    return errors


def sign_campaign(record, spec, step, user) -> str | None:
    """Closing freezes the results: they must be taken from the responses as they are now."""
    if step.name != "close":
        return None
    if not record.values.get("responses_count"):
        return _("Take the results (at least one signed response) before closing the campaign.")
    if results_stale(record):
        return _("The responses changed since the results were taken: take the results again before closing.")
    if not (record.values.get("conclusion") or "").strip():
        # Not a required field: the results are taken before the conclusion is written.
        return _("Write the conclusion and improvements before closing the campaign.")
    return None


def check_response(record, values, user) -> dict:
    """The campaign is in progress; each element is on its scale; at least one is answered; the
    answer is not dated before the campaign's year."""
    errors: dict = {}
    campaign = record_of(values, "campaign", scoring.SURVEY)
    if values.get("campaign") not in (None, "") and campaign is None:
        errors["campaign"] = [_("Not a survey campaign.")]
    elif campaign is not None and campaign.status != IN_PROGRESS:
        errors["campaign"] = [_("Campaign %(number)s is not taking responses (planned and signed, not yet closed).",
                                number=campaign.display_number)]
    survey = declaration_of(campaign)
    if survey is None:
        return errors
    allowed = survey.values
    answered = 0
    for el in survey.elements:
        v = values.get(el.field)
        if v in (None, ""):
            continue
        answered += 1
        if v not in allowed:
            errors[el.field] = [_("A score from %(low)d to %(high)d (the campaign's scale).",
                                  low=survey.lowest, high=survey.highest)]
    if not answered:
        errors.setdefault(survey.elements[0].field, []).append(_("Score at least one element."))
    on, year = values.get("answered_on"), campaign.values.get("year") if campaign is not None else None
    if on and year and str(on) < date(int(year), 1, 1).isoformat():
        errors["answered_on"] = [_("Not before the campaign's year (%(year)s).", year=year)]
    return errors
