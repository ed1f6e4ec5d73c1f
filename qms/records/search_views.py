"""The header's search box: one search over every register the person may read (issue #12 item 6).
The work is ``search_all.everywhere``; ``GET /api/v1/search`` is its JSON twin (``api.views``)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.i18n import current_locale
from . import register, search_all
from .views import query_messages

bp = Blueprint("search", __name__)


def search_messages() -> dict:
    """The register's query messages, and the one for an empty search."""
    return {**query_messages(), "empty": _("Enter something to search for.")}


@bp.route("/search")
@login_required
def everywhere():
    """Results grouped by form, a few per form, each form's register one click away with the same search."""
    if "q" not in request.args:
        return render_template("records/search.html", found=None, errors={}, q="")
    try:
        found = search_all.everywhere(current_user._get_current_object(), search_all.checked_query(
            request.args, search_messages()), search_messages(), locale=current_locale())
    except register.BadQuery as exc:
        return render_template("records/search.html", found=None, errors=exc.errors,
                               q=request.args.get("q", "")), 422
    return render_template("records/search.html", found=found, errors={}, q=found.q)
