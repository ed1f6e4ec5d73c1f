"""The register's JSON (CP-01, CP-02): ``GET /api/v1/customer-property?phone=&kind=&state=&department=``
(keyset: ``after``, ``limit`` 1-200) and ``GET /api/v1/customer-property/<code>`` (the item, the gate's
verdict and its events). Bearer tokens as the engine's API (``auth.tokens.token_required``, the one
check); a bad filter → 422 with field messages.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _

from ..auth.tokens import json_error as _error
from ..auth.tokens import token_required
from ..core.i18n import current_locale
from . import register as reg
from . import register_info as info
from . import register_query as query

bp = Blueprint("cp_register_api", __name__, url_prefix="/api/v1/customer-property")


@bp.route("")
@token_required
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
@token_required
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
