"""Inbox, acknowledgement, the personal calendar feed and the reminders admin page."""
from __future__ import annotations

import json
import secrets
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select, update

from ..auth.models import User
from ..core.i18n import current_locale, tr
from ..core.timeutil import today, utcnow
from ..core.writes import web_write
from ..extensions import db
from ..records import policy
from ..records import spec as specs
from . import duties, engine, holidays, workcal
from . import rules as rules_mod
from .mail import notice_line, stage_text
from .models import CalendarDay, JobState, MailOutbox, Notification, ReminderWatch

bp = Blueprint("reminders", __name__)
PAGE = 50


@bp.app_context_processor
def _unread():
    """Unread count for the header of every page (one indexed count)."""
    if not current_user or not current_user.is_authenticated:
        return {"unread_count": 0}
    n = db.session.execute(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == current_user.id, Notification.read_at.is_(None))).scalar()
    return {"unread_count": n}


@bp.route("/inbox")
@login_required
def inbox():
    """My notices, newest first; links go straight to the record."""
    stmt = select(Notification).where(Notification.recipient_id == current_user.id)
    if request.args.get("unread") == "1":
        stmt = stmt.where(Notification.read_at.is_(None))
    before = request.args.get("before", type=int)
    if before and 0 < before < 2**31:
        stmt = stmt.where(Notification.id < before)
    rows = db.session.execute(stmt.order_by(Notification.id.desc()).limit(PAGE + 1)).scalars().all()
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    rules = rules_mod.by_id()
    locale = current_locale()
    # A notice whose watch has stopped (the record was closed, voided or sent back, the instrument
    # calibrated...) is resolved: shown as such, so the inbox reads as what is still to do.
    ids = {n.watch_id for n in rows}
    live = set(db.session.execute(select(ReminderWatch.id).where(
        ReminderWatch.id.in_(ids), ReminderWatch.active.is_(True))).scalars()) if ids else set()
    items = [(n, notice_line(n, locale, rules, stage=False), stage_text(n.stage, locale), n.watch_id not in live)
             for n in rows]
    return render_template("reminders/inbox.html", items=items, next_before=rows[-1].id if more else None)


def _mine(notification_id: int) -> Notification:
    n = db.session.get(Notification, notification_id)
    if n is None or n.recipient_id != current_user.id:
        abort(404)
    return n


@bp.route("/inbox/<id:notification_id>/open", methods=["POST"])
@login_required
def open_notice(notification_id):
    """Mark read and go to the record."""
    n = _mine(notification_id)
    if n.read_at is None:
        n.read_at = utcnow()
        db.session.commit()
    return redirect(n.link or url_for(".inbox"))


@bp.route("/inbox/<id:notification_id>/ack", methods=["POST"])
@login_required
def ack(notification_id):
    """Acknowledge: repeats of this stage stop for me; escalation carries on."""
    n = _mine(notification_id)
    now = utcnow()
    n.acked_at, n.read_at = now, n.read_at or now
    w = db.session.get(ReminderWatch, n.watch_id) if n.watch_id else None  # none: a record event's notice
    if w is not None and w.owner_id == current_user.id and not n.escalation:
        w.acked_stage = n.stage  # shown to admins; the sweep reads the acknowledgements themselves
    db.session.commit()
    flash(_("Acknowledged. Repeats of this reminder stop; escalation continues if it stays overdue."), "success")
    return redirect(url_for(".inbox"))


@bp.route("/inbox/read-all", methods=["POST"])
@login_required
def read_all():
    db.session.execute(update(Notification).where(Notification.recipient_id == current_user.id,
                                                  Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()
    return redirect(url_for(".inbox"))


@bp.route("/account/calendar", methods=["POST"])
@login_required
def calendar_token():
    """Create or replace my secret calendar-feed address (the old one stops working)."""
    user = current_user._get_current_object()
    user.calendar_token = secrets.token_urlsafe(32)
    db.session.commit()
    flash(_("A new calendar address was created; the old one no longer works."), "success")
    return redirect(url_for("auth.account"))


def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 line folding at 75 octets."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, cur = [], b""
    for ch in line:
        b = ch.encode()
        if len(cur) + len(b) > (75 if not parts else 74):
            parts.append(cur.decode())
            cur = b""
        cur += b
    parts.append(cur.decode())
    return "\r\n ".join(parts)


@bp.route("/calendar/<token>.ics")
def calendar_feed(token: str):
    """My due dates as iCalendar (no login: the address itself is the secret)."""
    if len(token) > 64:
        abort(404)
    user = db.session.execute(select(User).where(User.calendar_token == token, User.active.is_(True))).scalar()
    if user is None:
        abort(404)
    watches = db.session.execute(select(ReminderWatch).where(
        ReminderWatch.owner_id == user.id, ReminderWatch.active.is_(True)).order_by(ReminderWatch.due_at)
        .limit(1000)).scalars().all()
    rules = rules_mod.by_id()
    base = request.host_url.rstrip("/")
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//qms//reminders//ZH", "CALSCALE:GREGORIAN",
             "X-WR-CALNAME:" + _ics_escape(f"QMS · {user.full_name}")]
    for w in watches:
        rule = rules.get(w.rule_id)
        summary = f"{tr(rule.title, user.locale) if rule else w.rule_id} · {w.title}"
        due = w.due_at.strftime("%Y%m%dT%H%M%SZ")
        start = (w.due_at - timedelta(minutes=30)).strftime("%Y%m%dT%H%M%SZ")  # RFC 5545: DTEND after DTSTART
        lines += ["BEGIN:VEVENT", f"UID:qms-watch-{w.id}@qms", f"DTSTAMP:{stamp}", f"DTSTART:{start}", f"DTEND:{due}",
                  "SUMMARY:" + _ics_escape(summary), "URL:" + base + w.link, "END:VEVENT"]
    lines.append("END:VCALENDAR")
    resp = make_response("\r\n".join(_fold(line) for line in lines) + "\r\n")
    resp.headers["Content-Type"] = "text/calendar; charset=utf-8"
    return resp


JOB_NAMES = {"sweep": _l("Reminder sweep"), "mail": _l("Mail delivery"), "digest": _l("Daily digest")}


def job_text(result: str) -> str:
    """A job's last result in the reader's language (stored as JSON counts)."""
    try:
        data = json.loads(result)
    except ValueError:
        return result  # an error text
    if "watches" in data:
        return _("%(w)d items checked, %(n)d notices", w=data["watches"], n=data["notices"])
    if "sent" in data:
        return _("%(s)d sent, %(f)d failed", s=data["sent"], f=data["failed"])
    if "digests" in data:
        return _("%(n)d digests queued", n=data["digests"])
    return result


def rule_summary(rule, spec) -> tuple[str, str]:
    """(when it fires, what it watches) in people's words."""
    if rule.kind == "monthly":
        when = _("monthly, by day %(day)d", day=rule.day)
    elif rule.kind == "yearly":
        when = _("yearly, by %(month)d/%(day)d", month=rule.month, day=rule.day)
    elif rule.kind == "sla":
        when = _("within %(hours)s hours", hours=f"{rule.hours:g}") + (
            " (" + _("working hours") + ")" if rule.working_hours else "")
    elif rule.kind == "interval":
        when = _("every %(months)d months; reminders %(days)s days before", months=rule.months,
                 days="/".join(map(str, rule.lead_days)))
    elif rule.lead_days:
        when = _("by the due date; reminders %(days)s days before", days="/".join(map(str, rule.lead_days)))
    else:  # a duty due at once (a handed-back instrument): no reminders before it
        when = _("due at once")
    if spec is not None and rule.field in spec.field_map:
        what = f"{tr(spec.title)} · {tr(spec.field_map[rule.field].label)}"
    elif rule.form:
        what = _("%(form)s (form not yet available)", form=rule.form)
    else:
        what = _("calendar duty")
    return when, what


@bp.route("/admin/reminders", methods=["GET", "POST"])
@login_required
def admin():
    """Rules, the calendar duties of the recent periods (done with their record, open, overdue), job
    runs, what was sent to whom, mail failures, and the working calendar (which years it knows; a
    range of days (from, to) marked as public holidays or make-up working days in one submission)."""
    policy.require(current_user, "admin")
    if request.method == "POST":
        form = request.form
        with web_write(_("Working calendar saved."), flash_refusal=False) as w:
            start, end = workcal.parse_range(form.get("day", ""), form.get("day_to", ""))
            workcal.change_days(start, end, form.get("kind", ""), form.get("name", ""),
                                current_user._get_current_object(), current_locale())
            engine.retime_calendar_watches(rules_mod.calendar())  # "by the 28th (除节假日)" may move
        if w.ok:
            return redirect(url_for(".admin"))
        flash(w.error.message, "error")
        return _admin_page(w.error.errors, form), 422
    return _admin_page()


def _admin_page(errors: dict | None = None, entered=None) -> str:
    """The admin page; ``errors`` and ``entered`` refill the calendar form after a refusal."""
    all_rules = rules_mod.all_rules()
    jobs = db.session.execute(select(JobState).order_by(JobState.job_id)).scalars().all()
    recent = db.session.execute(select(Notification, User).join(User, User.id == Notification.recipient_id)
                                .order_by(Notification.id.desc()).limit(50)).all()
    failures = db.session.execute(select(MailOutbox).where(MailOutbox.sent_at.is_(None), MailOutbox.attempts > 0)
                                  .order_by(MailOutbox.id.desc()).limit(50)).scalars().all()
    sent = db.session.execute(select(MailOutbox).where(MailOutbox.sent_at.is_not(None))
                              .order_by(MailOutbox.sent_at.desc()).limit(30)).scalars().all()
    pending = db.session.execute(select(func.count()).select_from(MailOutbox)
                                 .where(MailOutbox.sent_at.is_(None))).scalar()
    days = db.session.execute(select(CalendarDay).order_by(CalendarDay.day.desc()).limit(100)).scalars().all()
    rules = {r.id: r for r in all_rules}
    locale = current_locale()
    described = [(r, rule_summary(r, specs.get(r.form) if r.form else None)) for r in all_rules]
    now = utcnow()
    return render_template("reminders/admin.html", rules=described, jobs=jobs, failures=failures, pending=pending,
                           **duty_context(rules_mod.calendar(), now),
                           coverage=holidays.coverage(today()), sent=sent, job_text=job_text, job_names=JOB_NAMES,
                           recent=[(n, u, notice_line(n, locale, rules)) for n, u in recent], days=days,
                           weekday=lambda d: workcal.weekday_name(d, locale), kinds=_kind_labels(),
                           errors=errors or {}, entered=entered or {})


def duty_context(rule_list: list, now) -> dict:
    """What ``templates/reminders/_duties.html`` needs to show ``rule_list`` per period: the table
    (``duties.table``), the states in the reader's language, the closing forms' titles, the links
    that open the closing form for a period."""
    titles = {}
    for rule in rule_list:
        if rule.closes_with is not None:
            spec = specs.get(rule.closes_with.form)
            titles[rule.closes_with.form] = tr(spec.title) if spec is not None else rule.closes_with.form
    states = {duties.DONE: _("Done"), duties.OPEN: _("Not yet due"), duties.OVERDUE: _("Overdue"),
              duties.REMINDER_ONLY: _("Reminder only"), duties.UNWATCHED: _("Before reminders started")}
    return {"duties": duties.table(rule_list, now), "duty_states": states, "duty_forms": titles,
            "duty_link": engine.duty_link}


def _kind_labels() -> dict:
    """The calendar form's choices, in the reader's language (the first is the default)."""
    return {workcal.HOLIDAY: _("Public holiday"), workcal.WORKDAY: _("Make-up working day"),
            workcal.REMOVE: _("Remove")}
