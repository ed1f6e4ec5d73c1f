"""The rules of the month's records that a declaration cannot say (CS-06, CS-07): the billing-month
milestones (CS-BILLMONTH) and the month-end complaint summary (CS-SUMMARY).

Pure value checks ``(record | None, values, user) -> {field: [message]}``, run while a record is a
draft (create, edits, the filing signature): once signed, a record's content is frozen anyway.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from ..auth.lookup import department_name
from ..core.i18n import current_locale
from ..core.timeutil import today
from ..records.links import holder
from ..reminders.workcal import add_months
from .month_figures import Figures, count_month

BILLMONTH, SUMMARY = "CS-BILLMONTH", "CS-SUMMARY"
BILLING, NETWORK = "BIL", "ITN"  # 核算室, 电脑网络部
# Each milestone: the department that confirms it, the checklist it ticks, the dates it gives.
MILESTONES = {
    "bills": (BILLING, ("bills_checked",), ("bills_done_on",)),
    "notices": (BILLING, ("invoices_printed", "dunning_started"), ("first_return_on", "handed_on")),
    "online": (NETWORK, ("web_one_year", "platform_three_months"), ("online_on",)),
}


def first_day(month: str | None) -> date | None:
    """The first day of '2026-11', or None when the text names no month."""
    try:
        return date.fromisoformat(f"{month}-01") if month else None
    except ValueError:
        return None


def check_milestone(record, values: dict, user) -> dict:
    """CS-06: the milestone confirmed by its department, once per month, with its checklist ticked,
    its dates inside the billing month or after, and the month no later than next month."""
    errors: dict = {}
    milestone, month = values.get("milestone"), values.get("month")
    start = first_day(month)
    if milestone not in MILESTONES or start is None:
        return errors  # the declaration's own messages say what is missing
    dept_code, ticks, dates = MILESTONES[milestone]
    if start > add_months(today().replace(day=1), 1):
        errors["month"] = [_("A milestone can be confirmed at most one month ahead.")]
    owner = record.department if record is not None else user.department
    if owner is None or owner.code != dept_code:
        errors.setdefault("milestone", []).append(
            _("This milestone is confirmed by %(dept)s.", dept=department_name(dept_code, current_locale())))
    for name in ticks:
        if not values.get(name):
            errors.setdefault(name, []).append(_("Tick this once it is done; the record confirms it."))
    # Bills are the month's own work; notices and records online are the previous (billing) month's.
    billing_start = start if milestone == "bills" else add_months(start, -1)
    for name in dates:
        v = values.get(name)
        if v and date.fromisoformat(str(v)[:10]) < billing_start:
            errors.setdefault(name, []).append(
                _("This is before the billing month %(month)s.", month=billing_start.strftime("%Y-%m")))
    taken = holder(BILLMONTH, record, {"month": month, "milestone": milestone})
    if taken:
        errors.setdefault("milestone", []).append(
            _("%(number)s already confirms this milestone for %(month)s; amend it to correct it.",
              number=taken, month=month))
    return errors


def check_summary(record, values: dict, user) -> dict:
    """CS-07: a past or the current month, one summary per month (a correction is an amendment, which
    is a new revision), and figures equal to the month's complaint records at the moment of signing."""
    month = values.get("month")
    start = first_day(month)
    if start is None:
        return {}
    if start > today().replace(day=1):
        return {"month": [_("This month has not begun: a summary covers a past month or the current one.")]}
    taken = holder(SUMMARY, record, {"month": month})
    if taken:
        return {"month": [_("%(number)s already summarises %(month)s; amend it to correct it.",
                            number=taken, month=month)]}
    fresh = count_month(month)
    frozen = Figures.from_record(values)
    if frozen.total != fresh.total or frozen.lines != fresh.lines:
        return {"lines": [_("The figures differ from the month's complaint records (a complaint changed since "
                            "they were taken, or they were typed by hand): take the figures again before signing.")]}
    return {}
