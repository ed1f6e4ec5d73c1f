"""The month part of the complaints procedure (CS-06, CS-07): the billing-month milestone records
(CS-BILLMONTH) that close the calendar duties cs06-bills, cs06-notices and cs06-longdistance, and
the month-end complaint summary (CS-SUMMARY) that closes cs07-summary. The duties themselves are
declared in :mod:`qms.complaints.reminders` (``closes_with`` with the step that confirms each)."""
from __future__ import annotations

from ..records.procedures import FormRules
from . import desk_views, month_views
from .month_checks import BILLMONTH, SUMMARY, check_milestone, check_summary

FORMS = {
    BILLMONTH: FormRules(draft_checks=(check_milestone,)),
    SUMMARY: FormRules(draft_checks=(check_summary,), panel=month_views.summary_panel,
                       pdf_extras=month_views.summary_pdf_extras),
}
BLUEPRINTS = (month_views.bp, desk_views.bp)
