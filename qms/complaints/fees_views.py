"""Pages of the fee complaints (CS-10, CS-13, CS-14): the TS-FEE panel (the 24-hour limit, the reply
due the day of the resolution, the Thursday the non-cash form goes to 核算室) and the month page that
drafts the month's refund summary or repricing summary from the department's disputes."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.i18n import current_locale
from ..core.timeutil import fmt, local, today, tz
from ..core.writes import web_write
from ..records import policy
from ..records import spec as specs
from ..records.models import IN_PROGRESS
from .fees_forms import MONTERNET, REFUNDS, REPRICE, SUMMARIES
from .fees_hooks import next_thursday
from .fees_month import draft_summary, monternet_rows, refund_rows, reprice_rows

bp = Blueprint("fees", __name__)
MONTH = re.compile(r"^20\d{2}-(0[1-9]|1[0-2])$")
LIMIT_HOURS = 24  # 「其它话费争议问题必须在24小时内解决」 (the cs10-fee-24h rule on TS-FEE)


def _month(value: str | None) -> str:
    return value if value and MONTH.match(value) else today().isoformat()[:7]


def fee_panel(record, spec, user) -> dict:
    """The clocks of one dispute that still run, as the clerk reads them on its page: the 24 hours
    until it is resolved, the same-day reply until it is sent, the Thursday while 核算室 has it."""
    v = record.values
    signed = {s.step for s in record.signatures}
    deadline = None
    if "resolve" not in signed and not v.get("complex_case"):
        try:
            received = datetime.fromisoformat(str(v.get("received_at"))).replace(tzinfo=tz())
            deadline = fmt(received + timedelta(hours=LIMIT_HOURS))
        except (TypeError, ValueError):
            pass
    thursday = None
    if record.current_step == "billing" and record.status == IN_PROGRESS:
        raw = str(v.get("transferred_at") or today().isoformat())[:10]
        thursday = next_thursday(datetime.fromisoformat(raw).date()).isoformat()
    return {"template": "complaints/fees/panel.html", "deadline": deadline,
            "complex": bool(v.get("complex_case")) and "resolve" not in signed,
            "reply_on": v.get("resolved_on") if "reply" not in signed else None, "thursday": thursday,
            "month": str(v.get("resolved_on") or local(record.created_at).date().isoformat())[:7]}


@bp.route("/complaints/fees/month")
@login_required
def month_page():
    """This department's refunds and repricing of a month, and the summaries to draft from them."""
    month = _month(request.args.get("month"))
    may = {code: policy.can(current_user, "create", specs.get(code)) for code in SUMMARIES}
    if not any(may.values()):
        abort(403)
    return render_template("complaints/fees/month.html", month=month, may=may,
                           refunds=refund_rows(current_user.department_id, month),
                           reprices=reprice_rows(current_user.department_id, month),
                           orphans=monternet_rows(current_user.department_id, month), locale=current_locale())


@bp.route(f"/complaints/fees/month/<any({REFUNDS!r}, {REPRICE!r}, {MONTERNET!r}):code>", methods=["POST"])
@login_required
def draft(code: str):
    """Draft the month's summary from the disputes; the hall checks it and signs it (closing the duty)."""
    month = _month(request.form.get("month"))
    with web_write(_("Summary drafted from the month's disputes. Check it, then sign to send it.")) as w:
        rec = draft_summary(code, current_user, month)
    if not w.ok:
        return redirect(url_for("fees.month_page", month=month))
    return redirect(url_for("records.detail", code=code, record_id=rec.id))


