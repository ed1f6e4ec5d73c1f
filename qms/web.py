"""Template globals and filters shared by every page and PDF (the app level: it may read every layer)."""
from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

from .auth.roles import ROLES
from .core import audit
from .core.i18n import current_locale, tr
from .core.timeutil import fmt, local
from .extensions import db
from .records import policy
from .records import spec as specs
from .records.lookup import record_by_text
from .records.models import STATUSES, Record
from .records.present import change_label, change_value, status_label, who_signs
from .records.procedures import registry
from .records.spec import MEANINGS


def audit_actions() -> dict:
    """Every audit action the app logs, with its label: the engine's and the procedures'."""
    return {**audit.ACTIONS, **registry().audit_actions}


def action_label(code: str) -> str:
    """People's words for an audit action code."""
    return str(audit_actions().get(code, code))


def link_name(text) -> str:
    """A record typed into a link field (``#6``, ``6`` or its number) as people know it: its number
    and its form's title; "" when there is no such record."""
    r = record_by_text(text)
    if r is None:
        return ""
    return f"{r.display_number} · {tr(specs.by_revision(r.form_revision_id).title)}"


def init_app(app) -> None:
    """Install the globals and filters on the app's Jinja environment."""

    app.jinja_env.globals.update(
        tr=tr, can=policy.can, current_locale=current_locale, ROLES=ROLES, MEANINGS=MEANINGS,
        status_label=status_label, STATUSES=STATUSES, action_label=action_label, zip=zip,
        change_label=change_label, change_value=change_value, who_signs=who_signs,
    )
    def linked_code(record_id) -> str:
        """The form code of a linked record (for its link)."""
        r = db.session.get(Record, int(record_id))
        return r.form_code if r else "X"

    app.jinja_env.globals["linked_code"] = linked_code
    app.jinja_env.globals["link_name"] = link_name
    app.jinja_env.filters["localtime"] = fmt
    app.jinja_env.filters["localtime_s"] = lambda dt: fmt(dt, seconds=True)
    app.jinja_env.filters["localdate"] = lambda dt: local(dt).strftime("%Y-%m-%d") if dt else ""
    app.jinja_env.filters["tr"] = tr

    @app.context_processor
    def _ctx():
        return {"current_user": current_user, "request_path": request.full_path if request else "/"}

    def url_with(**changes):
        """The current URL with some query parameters changed (None removes one)."""
        args = request.args.to_dict()
        for k, v in changes.items():
            if v is None:
                args.pop(k, None)
            else:
                args[k] = v
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    app.jinja_env.globals["url_with"] = url_with
