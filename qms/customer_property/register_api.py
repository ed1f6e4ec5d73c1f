"""The register's JSON (CP-01, CP-02): ``GET /api/v1/customer-property?phone=&kind=&state=&department=``
(keyset: ``after``, ``limit`` 1-200) and ``GET /api/v1/customer-property/<code>`` (the item, the gate's
verdict and its events). Bearer tokens as the engine's API; a bad filter → 422 with field messages.

The token check is the engine API's (``qms.api.views.token_required``) written again in a few lines:
the API package sits above the procedures and may not be imported from here.
"""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, g, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.models import ApiToken
from ..core.i18n import current_locale
from ..extensions import db
from . import register as reg
from . import register_info as info
from . import register_query as query

bp = Blueprint("cp_register_api", __name__, url_prefix="/api/v1/customer-property")


def _error(status: int, message: str, fields: dict | None = None):
    body = {"error": message, "status": status}
    if fields:
        body["fields"] = fields
    return jsonify(body), status


def _token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return _error(401, _("A bearer token is required."))
        row = db.session.execute(select(ApiToken).where(
            ApiToken.token_hash == ApiToken.digest(header[7:].strip()), ApiToken.revoked_at.is_(None))).scalar()
        if row is None or not row.user.active:
            return _error(401, _("The token is not valid."))
        g.api_user = row.user
        return view(*args, **kwargs)
    return wrapper


@bp.route("")
@_token_required
def items():
    """The register, filtered, newest first: ``{"items": [...], "next": <after> | null}``."""
    limit = request.args.get("limit", str(query.PAGE))
    errors = {}
    if not limit.isdigit() or not 1 <= int(limit) <= query.API_MAX:
        errors["limit"] = [_("Must be between %(min)s and %(max)s.", min=1, max=query.API_MAX)]
    try:
        f = query.parse(request.args)
    except query.BadFilter as exc:
        errors.update(exc.errors)
    if errors:
        return _error(422, _("Please correct the highlighted fields."), errors)
    rows, nxt = query.page(f, int(limit))
    loc = current_locale()
    return jsonify({"items": [info.item_json(i, loc) | {"url": url_for("cp_register.item_page", code=i.code)}
                              for i in rows], "next": str(nxt) if nxt else None})


@bp.route("/<code>")
@_token_required
def item(code: str):
    """One item with the gate's verdict (``refusals``: empty when it may be connected) and its events."""
    found = reg.by_code(code)
    if found is None:
        return _error(404, _("No such customer-property item."))
    d = info.detail(found, current_locale())
    return jsonify(d["json"] | {
        "refusals": d["refusals"], "source": d["source"],
        "events": [{"at": e["at"].isoformat() if e["at"] else None, "from": e["from"], "to": e["to"],
                    "record": e["record"], "by": e["by"], "note": e["note"]} for e in d["events"]]})
