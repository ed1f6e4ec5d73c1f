"""The satisfaction-survey part of data analysis (DA-02, CS-09; S003 数据收集(3), 数据分析(5)): the yearly
campaign (DA-SURVEY) whose close signature freezes its results and closes the duty ``da02-survey``
(``reminders.py``), the responses (DA-RESPONSE, imported from Excel by the engine's importer), the
``survey:`` declaration key (scale, items, weights, elements: ``survey_spec``), the scoring
(``survey_score``), the results page, 征询函 and phone script, and a nonconformity per low element."""
from __future__ import annotations

from ..records.procedures import FormRules
from . import survey_print, survey_spec, survey_views
from .survey_checks import check_campaign, check_response, sign_campaign
from .survey_score import RESPONSE, SURVEY

FORMS = {
    SURVEY: FormRules(checks=(check_campaign,), sign_checks=(sign_campaign,), panel=survey_views.survey_panel),
    RESPONSE: FormRules(checks=(check_response,)),
}
BLUEPRINTS = (survey_views.bp, survey_print.bp)
EXTENSIONS = {"survey": survey_spec.parse}
