"""Mail: immediate notices for escalations, a daily digest per person, an outbox that retries.

Nothing is sent inside a web request or a sweep: rows go to ``mail_outbox`` and the scheduler's
mail job delivers them, so an SMTP outage delays mail but loses none (the admin page shows it).
"""
from __future__ import annotations

import smtplib
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.models import User
from ..core.i18n import language, tr
from ..core.timeutil import fmt, local, utcnow
from ..extensions import db
from . import outbox
from .models import MailOutbox, Notification, ReminderWatch
from .notices import RETURNED, event_title
from .rules import by_id

RETRY_MINUTES = (1, 5, 15, 60, 180)  # then every 6 hours


def stage_text(stage: str, locale: str) -> str:
    """People's words for a stage: 'due in 30 days', 'overdue', 'escalated (level 2)'."""
    with language(locale):
        if stage.startswith("lead:") and stage.endswith("h"):
            return _("due in %(n)s hours", n=stage[5:-1])
        if stage.startswith("lead:"):
            return _("due in %(n)s days", n=stage[5:])
        if stage == "due":
            return _("due today")
        if stage == "overdue":
            return _("overdue")
        if stage.startswith("escalate:"):
            return _("escalated (level %(n)s)", n=stage[9:])
        if stage == RETURNED:
            return _("returned")
        return stage


def notice_line(n: Notification, locale: str, rules: dict | None = None, stage: bool = True) -> str:
    """One line describing a notice in ``locale`` (with its stage unless ``stage`` is False)."""
    rule = (rules or by_id()).get(n.rule_id)
    title = tr(rule.title, locale) if rule else (event_title(n.rule_id, locale) or n.rule_id)
    return f"{title} · {n.title}" + (f" · {stage_text(n.stage, locale)}" if stage else "")


def _url(link: str) -> str:
    return current_app.config["QMS_BASE_URL"].rstrip("/") + link


def compose_notice(notification_id: int, user: User) -> tuple[str, str]:
    """Subject and body of an immediate (escalation) mail, in the recipient's language."""
    n = db.session.get(Notification, notification_id)
    w = db.session.get(ReminderWatch, n.watch_id) if n.watch_id else None
    line = notice_line(n, user.locale)
    with language(user.locale):
        subject = _("[QMS] Escalation: %(line)s", line=line)
        body = _("%(name)s,\n\n%(line)s\nDeadline: %(due)s\n\nOpen: %(url)s\n", name=user.full_name, line=line,
                 due=fmt(w.due_at) if w else "", url=_url(n.link))
    return subject, body


def queue_immediate(notification_id: int, recipient_id: int) -> None:
    """An escalation is mailed at once (the outbox job sends it)."""
    user = db.session.get(User, recipient_id)
    if not user or not user.email:
        return
    subject, body = compose_notice(notification_id, user)
    outbox.queue(f"notice:{notification_id}", user, subject, body)


def queue_digests(now=None) -> int:
    """One digest per person with unread notices, once per local day (dedupe key)."""
    now = now or utcnow()
    day = local(now).date().isoformat()
    rows = db.session.execute(
        select(Notification, User).join(User, User.id == Notification.recipient_id)
        .where(Notification.read_at.is_(None), Notification.acked_at.is_(None), User.active.is_(True),
               User.email.is_not(None), Notification.created_at > now - timedelta(days=7))
        .order_by(Notification.recipient_id, Notification.id)).all()
    by_user: dict[int, tuple[User, list[Notification]]] = {}
    for n, u in rows:
        by_user.setdefault(u.id, (u, []))[1].append(n)
    rules = by_id()
    added = 0
    for u, notices in by_user.values():
        lines = "\n".join(f"- {notice_line(n, u.locale, rules)}\n  {_url(n.link)}" for n in notices)
        with language(u.locale):
            subject = _("[QMS] Daily digest: %(n)d item(s) waiting", n=len(notices))
            body = _("%(name)s,\n\nWaiting for you:\n%(lines)s\n\nInbox: %(url)s\n", name=u.full_name,
                     lines=lines, url=_url("/inbox"))
        added += outbox.queue(f"digest:{u.id}:{day}", u, subject, body, now)
    db.session.commit()
    return added


def send_pending(now=None, limit: int = 200) -> dict:
    """Deliver queued mail over SMTP; failures are kept with the error and retried later."""
    now = now or utcnow()
    cfg = current_app.config
    rows = db.session.execute(select(MailOutbox).where(MailOutbox.sent_at.is_(None),
                                                       MailOutbox.next_attempt_at <= now)
                              .order_by(MailOutbox.id).limit(limit)).scalars().all()
    stats = {"sent": 0, "failed": 0}
    if not rows:
        return stats
    try:
        smtp = smtplib.SMTP(cfg["QMS_SMTP_HOST"], cfg["QMS_SMTP_PORT"], timeout=10)
    except OSError as exc:
        for m in rows:
            _failed(m, now, f"connect: {exc}")
        stats["failed"] = len(rows)
        db.session.commit()
        return stats
    try:
        if cfg.get("QMS_SMTP_USER"):
            smtp.starttls()
            smtp.login(cfg["QMS_SMTP_USER"], cfg.get("QMS_SMTP_PASSWORD", ""))
        for m in rows:
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = cfg["QMS_SMTP_FROM"], m.to_addr, m.subject
            msg["Message-ID"] = f"<qms-{m.dedupe_key.replace(':', '-')}@{cfg['QMS_SMTP_FROM'].split('@')[-1]}>"
            msg.set_content(m.body)
            try:
                smtp.send_message(msg)
                m.sent_at, m.attempts, m.last_error = now, m.attempts + 1, ""
                stats["sent"] += 1
            except smtplib.SMTPException as exc:
                _failed(m, now, str(exc))
                stats["failed"] += 1
            db.session.commit()  # each delivery is recorded at once: a crash cannot resend it
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
    return stats


def _failed(m: MailOutbox, now, error: str) -> None:
    m.attempts += 1
    m.last_error = error[:2000]
    delay = RETRY_MINUTES[m.attempts - 1] if m.attempts <= len(RETRY_MINUTES) else 360
    m.next_attempt_at = now + timedelta(minutes=delay)
