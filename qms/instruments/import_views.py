"""The instrument import's old addresses (issue #5 item 10; INS-01). Importing is now the records
engine's, declared in ``forms/INS-INTAKE.yaml`` (``import:``) and served by
:mod:`qms.records.import_views` at ``/r/INS-INTAKE/import``; bookmarks and the dashboard's link to
``/instruments/import`` are sent there (a POST keeps its method and body: 307).
"""
from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from flask_login import login_required

from ..records import importer
from ..records import spec as specs
from .forms import INTAKE

bp = Blueprint("instruments_import", __name__)


def may_import(user) -> bool:
    """Whoever may register an instrument (技术发展部, as the intake form declares) may import."""
    return importer.may_import(user, specs.get(INTAKE))


def _moved(endpoint: str):
    return redirect(url_for(endpoint, code=INTAKE, **request.args), code=307 if request.method == "POST" else 302)


@bp.route("/instruments/import", methods=["GET", "POST"])
@login_required
def upload_page():
    """The upload page (and its form's old target)."""
    return _moved("records_import.upload_page")


@bp.route("/instruments/import/template.xlsx")
@login_required
def template():
    """The import template."""
    return _moved("records_import.template")


@bp.route("/instruments/import/report.xlsx", methods=["POST"])
@login_required
def report():
    """The error report workbook."""
    return _moved("records_import.report")
