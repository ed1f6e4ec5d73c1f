"""Importing records of any form that declares ``import:`` from a spreadsheet (REC-02; the
instrument register, INS-01, was the first): the upload page, the template and the error report.
The work is done by :mod:`qms.records.importer`.

- ``GET /r/<code>/import``: the upload form (file, and the password when the rows are signed) and
  a link to the template.
- ``GET /r/<code>/import/template.xlsx``: Chinese headings, one example row, the allowed values.
- ``POST /r/<code>/import``: checks the password once, then imports every row or none. Success
  commits once and redirects (303) to the form's register with "已导入 N 台仪器" (the declaration's
  ``items``); a file that cannot be read, a wrong password or wrong rows give 422 and the page
  again -- with the row-by-row report (行号, 列, 值, 错误) when rows were wrong. Nothing of the file
  is kept on the server.
- ``POST /r/<code>/import/report.xlsx``: the same report as a workbook. The error page carries
  the report it shows in a hidden field (JSON) and this endpoint turns that into XLSX; it is a
  copy of what the page shows, not a record, so the server needs neither the upload again nor
  any storage between the two requests.

Who may import: whoever may create the form's records on the web form (its create roles and
departments); a form without ``import:`` has no import pages (404).
"""
from __future__ import annotations

import json
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core import pdf
from ..core.i18n import current_locale
from ..core.timeutil import utcnow
from ..extensions import db
from . import importer, service
from . import spec as specs

bp = Blueprint("records_import", __name__)


def _user():
    return current_user._get_current_object()


def _spec(code: str):
    """The form, if it declares an import (404 otherwise) and the user may import it (403 otherwise)."""
    spec = specs.get(code)
    if spec is None or spec.import_spec is None:
        abort(404)
    if not importer.may_import(_user(), spec):
        abort(403)
    return spec


def _report_header() -> list[str]:
    return [_("Row"), _("Column"), _("Value"), _("Error")]


def _page(spec, status: int = 200, message: str | None = None, failed: importer.ImportFailed | None = None,
          password_error: str | None = None):
    shown = failed.problems[:importer.MAX_REPORT] if failed else []
    report = json.dumps([[p.row, p.column, p.value, p.message] for p in shown], ensure_ascii=False,
                        separators=(",", ":")) if failed else ""
    return render_template("records/import.html", spec=spec, imp=spec.import_spec, hints=importer.hints(spec),
                           message=message, failed=failed, problems=shown,
                           more=(len(failed.problems) - len(shown)) if failed else 0, report=report,
                           password_error=password_error, max_rows=importer.MAX_ROWS,
                           max_mb=importer.MAX_BYTES // (1024 * 1024)), status


@bp.route("/r/<code>/import", methods=["GET"])
@login_required
def upload_page(code: str):
    """The upload form."""
    return _page(_spec(code))


@bp.route("/r/<code>/import/template.xlsx")
@login_required
def template(code: str):
    """The form's import template as a workbook."""
    spec = _spec(code)
    return pdf.file_response(importer.template_xlsx(spec), f"{spec.code}-import-template.xlsx", pdf.XLSX)


@bp.route("/r/<code>/import", methods=["POST"])
@login_required
def upload(code: str):
    """Import the uploaded file: every row or none."""
    spec = _spec(code)
    started = time.monotonic()
    f = request.files.get("file")
    if f is None or not f.filename:
        return _page(spec, 422, _("Choose a file to upload."))
    data = f.stream.read(importer.MAX_BYTES + 1)
    try:
        sheet = importer.read_sheet(spec, data, f.filename)  # the file first: it needs no password
    except importer.ImportRefused as exc:
        return _page(spec, 422, exc.message)
    if spec.import_spec.sign:
        try:
            importer.check_password(_user(), spec, request.form.get("password", ""))
        except service.SignatureRefused as exc:
            db.session.commit()  # keeps the failed-signature audit row; nothing else was written
            return _page(spec, 422, exc.message, password_error=exc.errors["password"][0])
    try:
        records = importer.run(_user(), sheet, current_locale(),
                               deadline=started + current_app.config.get("QMS_IMPORT_SECONDS", importer.SECONDS))
    except importer.ImportRefused as exc:
        db.session.rollback()
        return _page(spec, 422, exc.message)
    except importer.ImportFailed as exc:
        db.session.rollback()
        return _page(spec, 422, _("%(num)d of %(rows)d rows have errors; nothing was imported.",
                                  num=exc.bad_rows, rows=exc.rows), failed=exc)
    db.session.commit()
    flash(_("Imported %(num)d %(items)s.", num=len(records), items=importer.items(spec)), "success")
    return redirect(url_for("records.register_view", code=spec.code), code=303)


@bp.route("/r/<code>/import/report.xlsx", methods=["POST"])
@login_required
def report(code: str):
    """The error report the page shows, as a workbook (posted back from the page's hidden field)."""
    spec = _spec(code)
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
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return pdf.file_response(importer.report_xlsx(problems, _report_header()),
                             f"{spec.code}-import-errors-{stamp}.xlsx", pdf.XLSX)
