"""The meetings page (DA-03): the four meeting duties of the last months, a grid of the months reviewed
by meeting type (each cell the record with its actions open and late, or a link that opens the form with
the month and type filled in), and every open meeting or review action, the late ones first."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..core.i18n import tr
from ..core.timeutil import today, utcnow
from ..extensions import db
from ..records import spec as specs
from ..records.models import CLOSED, IN_PROGRESS, Record, RecordFacet
from ..reminders import rules
from ..reminders.views import duty_context
from ..reminders.workcal import add_months
from .actions import ACTION, MEETING, open_counts

bp = Blueprint("analysis_meetings", __name__)
TYPES = ("business", "engineering", "om", "coordination")
MONTHS = 12  # months reviewed shown, newest first


@bp.route("/analysis/meetings")
@login_required
def index():
    """The meeting duties, the month × type grid and the open actions."""
    start = add_months(today().replace(day=1), -1)  # last month: the newest a meeting can have reviewed
    months = [add_months(start, -i).strftime("%Y-%m") for i in range(MONTHS)]
    grid = _grid(months)
    spec = specs.get(MEETING)
    labels = {v: tr(label) for v, label in spec.field_map["meeting_type"].choices}
    wanted = [r for r in rules.calendar() if r.id in {f"da03-{t}" for t in TYPES}]
    return render_template("analysis/meetings/index.html", months=months, grid=grid, types=TYPES, labels=labels,
                           open_actions=_open_actions(), **duty_context(wanted, utcnow()))


def _grid(months: list[str]) -> dict:
    """{(month, type): (record, open count, late count)} for the submitted meetings of ``months``: one
    query by the month facet, one for their actions."""
    f = aliased(RecordFacet)
    rows = db.session.execute(select(Record).join(f, f.record_id == Record.id).where(
        Record.form_code == MEETING, Record.status.in_((IN_PROGRESS, CLOSED)), f.form_code == MEETING,
        f.field == "month", f.value.in_(months)).order_by(Record.id)).scalars().all()
    counts = open_counts([r for r in rows if r.status == CLOSED])
    out = {}
    for rec in rows:
        n_open, n_late = counts.get(rec.id, (0, 0))
        out[(rec.values.get("month"), rec.values.get("meeting_type"))] = (rec, n_open, n_late)
    return out


def _open_actions() -> list:
    """Every open action (meetings' and reviews'), the longest overdue first."""
    rows = db.session.execute(select(Record).where(Record.form_code == ACTION, Record.status == IN_PROGRESS)
                              .order_by(Record.due_on, Record.id).limit(200)).scalars().all()
    now = today()
    return [(r, r.due_on is not None and r.due_on < now) for r in rows]


BLUEPRINTS = (bp,)
