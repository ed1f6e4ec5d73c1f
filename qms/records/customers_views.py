"""The customer pages: ``/customers?q=`` finds a customer by phone number or name, and
``/customers/<key>`` lists every record about them that the reader may view (IT-07, CS-12).
The record page links to its customer's page (``customer_of``, a template global)."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from ..auth.lookup import department_labels
from ..core.i18n import current_locale
from . import phones
from .customers_search import customer_of, customer_page, key_of, search
from .register import BadQuery

bp = Blueprint("customers", __name__, url_prefix="/customers")
PAGE_SIZE = 50
RECENT = 8  # records shown beside a form being filled in


@bp.app_template_global("customer_of")
def _customer_of(record):
    """The customer a record page links to (None when the record is not indexed)."""
    return customer_of(record)


@bp.route("/")
@login_required
def index():
    """The search box and the customers found."""
    q = request.args.get("q", "")
    found, errors = None, {}
    if q.strip():
        try:
            found = search(q, current_user._get_current_object())
        except BadQuery as exc:
            errors = exc.errors
    return render_template("customers/index.html", q=q, found=found, errors=errors), 422 if errors else 200


@bp.route("/recent")
@login_required
def recent():
    """The customer's newest records, as a fragment the form being filled in shows beside the phone
    number (a new complaint sees the customer's earlier ones, CS-12): empty until the number holds
    enough digits to look up."""
    key = phones.key(request.args.get("phone", "")[:100])
    page = customer_page(key_of("phone", key), current_user._get_current_object(), None, RECENT) if key else None
    return render_template("customers/_recent.html", page=page, size=RECENT)


@bp.route("/<path:key>")
@login_required
def show(key: str):
    """Every record about one customer, newest first, a keyset page at a time."""
    errors, status = {}, 200
    user = current_user._get_current_object()  # asked once per row: not through the proxy
    try:
        page = customer_page(key, user, request.args.get("after"), PAGE_SIZE)
    except BadQuery as exc:  # a page link edited by hand: say so, show the first page
        errors, status = exc.errors, 422
        page = customer_page(key, user, None, PAGE_SIZE)
    if page is None:
        abort(404)
    return render_template("customers/show.html", page=page, customer=page.customer, errors=errors,
                           departments=department_labels(current_locale())), status
