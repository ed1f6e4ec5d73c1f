"""Importing instruments from a spreadsheet (issue #5 item 10): the upload page, the template
and the error report. The work is done by :mod:`qms.instruments.importer`.

- ``GET /instruments/import``: the upload form (file, password) and a link to the template.
- ``GET /instruments/import/template.xlsx``: Chinese headings, one example row, the allowed values.
- ``POST /instruments/import``: checks the password once, then imports every row or none. Success
  commits once and redirects (303) to the intake register with "已导入 N 台仪器"; a file that
  cannot be read, a wrong password or wrong rows give 422 and the page again -- with the row-by-row
  report (行号, 列, 值, 错误) when rows were wrong. Nothing of the file is kept on the server.
- ``POST /instruments/import/report.xlsx``: the same report as a workbook. The error page carries
  the report it shows in a hidden field (JSON) and this endpoint turns that into XLSX; it is a
  copy of what the page shows, not a record, so the server needs neither the upload again nor
  any storage between the two requests.

Who may import: whoever may register an instrument on the web form -- the form's create roles
(technician, department head) in 技术发展部, or company-wide staff the form lets create.
"""
from __future__ import annotations

import json
import time

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..records import policy
from ..core.i18n import current_locale
from ..core.timeutil import utcnow
from ..extensions import db
from ..records import service as records_service
from . import importer

bp = Blueprint("instruments_import", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user():
    return current_user._get_current_object()


def may_import(user) -> bool:
    """Whoever may register an instrument (技术发展部, as the intake form declares) may import."""
    spec = importer.intake_spec()
    return spec is not None and policy.can(user, "create", spec)


def _require():
    if not may_import(_user()):
        abort(403)


def _report_header() -> list[str]:
    return [_("Row"), _("Column"), _("Value"), _("Error")]


def _page(status: int = 200, message: str | None = None, failed: importer.ImportFailed | None = None,
          password_error: str | None = None):
    shown = failed.problems[:importer.MAX_REPORT] if failed else []
    report = json.dumps([[p.row, p.column, p.value, p.message] for p in shown], ensure_ascii=False,
                        separators=(",", ":")) if failed else ""
    return render_template("instruments/import.html", message=message, failed=failed, problems=shown,
                           more=(len(failed.problems) - len(shown)) if failed else 0, report=report,
                           password_error=password_error, max_rows=importer.MAX_ROWS,
                           max_mb=importer.MAX_BYTES // (1024 * 1024)), status


@bp.route("/instruments/import", methods=["GET"])
@login_required
def upload_page():
    _require()
    return _page()


@bp.route("/instruments/import/template.xlsx")
@login_required
def template():
    _require()
    resp = make_response(importer.template_xlsx())
    resp.headers["Content-Type"] = XLSX
    resp.headers["Content-Disposition"] = 'attachment; filename="INS-INTAKE-import-template.xlsx"'
    return resp


@bp.route("/instruments/import", methods=["POST"])
@login_required
def upload():
    _require()
    started = time.monotonic()
    f = request.files.get("file")
    if f is None or not f.filename:
        return _page(422, _("Choose a file to upload."))
    data = f.stream.read(importer.MAX_BYTES + 1)
    try:
        sheet = importer.parse(importer.intake_spec(), data, f.filename)  # the file first: it needs no password
    except importer.ImportRefused as exc:
        return _page(422, exc.message)
    try:
        importer.check_password(_user(), request.form.get("password", ""))
    except records_service.SignatureRefused as exc:
        db.session.commit()  # keeps the failed-signature audit row; nothing else was written
        return _page(422, exc.message, password_error=exc.errors["password"][0])
    try:
        records = importer.run(_user(), sheet, current_locale(),
                               deadline=started + current_app.config.get("QMS_IMPORT_SECONDS", importer.SECONDS))
    except importer.ImportRefused as exc:
        db.session.rollback()
        return _page(422, exc.message)
    except importer.ImportFailed as exc:
        db.session.rollback()
        return _page(422, _("%(num)d of %(rows)d rows have errors; nothing was imported.",
                            num=exc.bad_rows, rows=exc.rows), failed=exc)
    db.session.commit()
    flash(_("Imported %(num)d instruments.", num=len(records)), "success")
    return redirect(url_for("records.register_view", code=importer.INTAKE), code=303)


@bp.route("/instruments/import/report.xlsx", methods=["POST"])
@login_required
def report():
    """The error report the page shows, as a workbook (posted back from the page's hidden field)."""
    _require()
    try:
        lines = json.loads(request.form.get("report", ""))
        if not isinstance(lines, list) or len(lines) > importer.MAX_REPORT:
            raise ValueError
        problems = []
        for line in lines:
            if not (isinstance(line, list) and len(line) == 4 and isinstance(line[0], int)
                    and all(isinstance(x, str) and len(x) <= 2000 for x in line[1:])):
                raise ValueError
            problems.append({"row": line[0], "column": line[1], "value": line[2], "message": line[3]})
    except ValueError:
        abort(400)
    resp = make_response(importer.report_xlsx(problems, _report_header()))
    resp.headers["Content-Type"] = XLSX
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    resp.headers["Content-Disposition"] = f'attachment; filename="INS-INTAKE-import-errors-{stamp}.xlsx"'
    return resp
