"""The data-analysis home (/analysis, menu 数据分析): the procedure's calendar duties this period and the two
before (statistics, reports, survey, meetings, method review) and one card per part, so the menu holds one
link instead of seven."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from ..core.timeutil import utcnow
from ..reminders import rules
from ..reminders.views import duty_context

bp = Blueprint("analysis", __name__)


@bp.route("/analysis")
@login_required
def index():
    """The duties of QP-DA and the cards leading to each part."""
    wanted = [r for r in rules.calendar() if (r.requirement or "").startswith("DA-")]
    return render_template("analysis/hub/index.html", **duty_context(wanted, utcnow()))


BLUEPRINTS = (bp,)
