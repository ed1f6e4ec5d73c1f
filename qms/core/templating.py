"""Template globals and filters shared by every page and PDF."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth.roles import ROLES
from . import policy
from .i18n import current_locale, tr
from .timeutil import fmt, local

ACTION_LABELS = {
    "create": _l("Created"), "update": _l("Changed"), "sign": _l("Signed"),
    "signature_failed": _l("Signature refused (wrong password)"), "void": _l("Voided"),
    "auto_submit": _l("Opened automatically"),
    "amend": _l("Amendment started"), "supersede": _l("Superseded"), "attach": _l("File attached"),
    "login": _l("Logged in"), "login_failed": _l("Failed login"), "logout": _l("Logged out"),
    "password_changed": _l("Password changed"), "password_reset": _l("Password reset by admin"),
    "user_created": _l("User created"), "user_updated": _l("User changed"),
    "department_created": _l("Department created"), "department_updated": _l("Department changed"),
    "token_created": _l("API token created"),
}


def action_label(code: str) -> str:
    """People's words for an audit action code."""
    return str(ACTION_LABELS.get(code, code))


def init_app(app) -> None:
    from ..records.models import STATUSES
    from ..records.spec import MEANINGS
    from ..records.present import change_label, change_value, status_label, who_signs

    app.jinja_env.globals.update(
        tr=tr, can=policy.can, current_locale=current_locale, ROLES=ROLES, MEANINGS=MEANINGS,
        status_label=status_label, STATUSES=STATUSES, action_label=action_label, zip=zip,
        change_label=change_label, change_value=change_value, who_signs=who_signs,
    )
    def linked_code(record_id) -> str:
        """The form code of a linked record (for its link)."""
        from ..extensions import db
        from ..records.models import Record
        r = db.session.get(Record, int(record_id))
        return r.form_code if r else "X"

    app.jinja_env.globals["linked_code"] = linked_code
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
