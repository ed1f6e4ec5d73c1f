"""Importing rows of a spreadsheet as records of any form that declares ``import:`` in its YAML
(REC-02; first used for the instrument register, INS-01).

All or nothing. Every row goes through the records service exactly as the web form does
(``service.create``, then ``service.sign_verified`` when the declaration says ``sign: true``: the
declaration's validation, the package's value checks, numbering, audit trail and whatever the
form's hooks do when it is signed), inside one savepoint. Errors of a row are collected and the
next row is tried, so one upload lists every problem; if any row failed, the savepoint is rolled
back and :class:`ImportFailed` carries the report -- nothing was written. Otherwise every row is a
normal record of the importing user, committed by the caller in one transaction.

The password is checked once per file by the caller (:func:`check_password`), not once per row.
Reading the file is :mod:`qms.records.tables`; the pages are :mod:`qms.records.import_views`.

The ``import:`` block (see :class:`~qms.records.import_spec.ImportSpec`)::

    import:
      unique_in_file: [asset_no]      # may not repeat within one file
      example: {asset_no: EXAMPLE-001, category: 公用, intake_on: today}  # the template's example row
      items: {zh: 台仪器, en: instruments}   # "已导入 3 台仪器" / "Imported 3 instruments."
      notes: [{zh: ..., en: ...}]     # the form's own advice, on the page and in the template
      sign: true                      # sign each row's first step (default); false: drafts, no password
"""
from __future__ import annotations

import io
import logging
import time

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict

from ..core import audit
from ..core.i18n import tr
from ..core.timeutil import today
from ..extensions import db
from . import policy, service
from .export import write_xlsx
from .import_spec import TODAY, ImportSpec, parse_import
from .tables import (
    MAX_BYTES,
    MAX_ROWS,
    ImportRefused,
    Problem,
    Row,
    Sheet,
    cell_value,
    import_fields,
    read_sheet,
)

__all__ = ["MAX_BYTES", "MAX_REPORT", "MAX_ROWS", "SECONDS", "ImportFailed", "ImportRefused", "ImportSpec",
           "check_password", "hints", "items", "may_import", "parse_import", "read_sheet", "report_xlsx", "run",
           "template_xlsx"]

# Seconds an import may take (QMS_IMPORT_SECONDS overrides): under the 120-second worker timeout
# `qms serve` gives gunicorn, which would otherwise end the request without a word. About 15-25 ms
# a row; past the deadline everything is rolled back and the user is asked to split the file.
SECONDS = 100
MAX_REPORT = 1000  # problems listed (page and report); the count says how many more
TEMPLATE_LOCALE = "zh_CN"  # the template is Chinese as the staff's sheets are; English headings are read too


class ImportFailed(Exception):
    """Some rows are wrong; nothing was imported. ``problems`` lists them in row order."""

    def __init__(self, problems: list[Problem], rows: int):
        super().__init__("%d problems" % len(problems))
        self.problems = problems
        self.rows = rows  # data rows in the file
        self.bad_rows = len({p.row for p in problems})


def may_import(user, spec) -> bool:
    """Whether ``user`` may import rows of form ``spec``: it declares ``import:`` and the user may
    create its records on the web form (its create roles and departments decide)."""
    return spec is not None and spec.import_spec is not None and policy.can(user, "create", spec)


def items(spec, locale: str | None = None) -> str:
    """What the form's rows are, counted ("台仪器" / "instruments"; "条记录" / "records" by default)."""
    return tr(spec.import_spec.items, locale) if spec.import_spec.items else _("records")


def check_password(user, spec, password: str) -> None:
    """The one password check of an import; a wrong one is audited like any failed signature
    (the caller commits that row) and raises SignatureRefused."""
    if not user.check_password(password or ""):
        audit.log("signature_failed", actor=user, obj_type="import", obj_id=spec.code,
                  summary=f"{spec.code} import", changes={"step": [None, spec.workflow[0].name]})
        raise service.SignatureRefused(_("The password is not correct; nothing was imported."),
                                       {"password": [_("The password is not correct.")]})


def run(user, sheet: Sheet, locale: str, deadline: float | None = None) -> list:
    """Import the rows of a read file as ``user`` (whose password the caller checked when the form
    signs). Returns the new records; raises ImportRefused or ImportFailed, and then nothing was written.

    ``deadline`` (``time.monotonic()``): past it the import stops and is rolled back with a clear
    message, before the web server's worker timeout would cut the request off without one."""
    spec = sheet.spec
    imp: ImportSpec = spec.import_spec
    example = _example_values(spec)
    first_row: dict[tuple, int] = {}
    problems: list[Problem] = []
    records = []
    savepoint = db.session.begin_nested()
    try:
        for done, row in enumerate(sheet.rows):
            if deadline is not None and time.monotonic() > deadline:
                savepoint.rollback()
                raise ImportRefused(_("The file took too long to import and was stopped at row %(row)s; nothing "
                                      "was imported. Split it into files of at most %(rows)d rows.",
                                      row=row.n, rows=max(50, done * 4 // 5 // 50 * 50)))
            if example and all(row.values.get(k, "") == v for k, v in example.items()):
                key = next(iter(example))
                row.problems.append(Problem(row.n, sheet.column(key), row.cells.get(key, ""), _(
                    "This is the template's example row: replace it with your own data or delete it.")))
            else:
                _unique(sheet, row, imp.unique_in_file, first_row, locale)
            if row.problems or problems:
                # Nothing will be written now: the rest is only checked (the same checks, no writes).
                problems.extend(row.problems)
                problems.extend(_check(spec, user, row, sheet, locale))
                continue
            try:
                record = service.create(spec, user, MultiDict(row.values), locale)
                if imp.sign:
                    service.sign_verified(record, user, locale)
                records.append(record)
            except service.ServiceError as exc:
                problems.extend(_problems(exc.errors or {"": [exc.message]}, row, sheet))
    except SQLAlchemyError:
        logging.getLogger(__name__).warning("%s import stopped by a database error", spec.code, exc_info=True)
        savepoint.rollback()
        raise ImportRefused(_("The import was stopped by a change made at the same time; nothing was "
                              "imported. Please try again.")) from None
    except ImportRefused:
        raise
    except BaseException:
        savepoint.rollback()
        raise
    if problems:
        savepoint.rollback()
        problems.sort(key=lambda p: p.row)
        raise ImportFailed(problems, len(sheet.rows))
    savepoint.commit()
    return records


def _example_values(spec) -> dict:
    """field -> form value that marks a row as the template's example left in ({} without an example)."""
    imp = spec.import_spec
    return {k: cell_value(spec.field_map[k], imp.example[k]) for k in imp.example_keys()}


def _in_sentence(label: str, locale: str) -> str:
    # "The same asset no. as row 2": an English label starts lower case inside a sentence (not "IP").
    if locale == "en" and label[:1].isupper() and not label[1:2].isupper():
        return label[:1].lower() + label[1:]
    return label


def _unique(sheet: Sheet, row: Row, names: tuple, first_row: dict, locale: str) -> None:
    """Report a value of a ``unique_in_file`` field that an earlier row of the file already holds."""
    for name in names:
        value = row.values.get(name, "")
        if not value:
            continue
        if (name, value) in first_row:
            label = _in_sentence(tr(sheet.spec.field_map[name].label, locale), locale)
            row.problems.append(Problem(row.n, sheet.column(name), row.cells.get(name, value), _(
                "The same %(column)s as row %(row)s of this file.", column=label, row=first_row[(name, value)])))
        else:
            first_row[(name, value)] = row.n


def _check(spec, user, row: Row, sheet: Sheet, locale: str) -> list[Problem]:
    """The form's validation and value checks of a row, without writing it; columns already found
    wrong while reading are not reported twice (so one upload shows every error of the row)."""
    bad = {p.column for p in row.problems}
    only = service.step_names(spec, spec.workflow[0].name)
    try:
        _form, clean = service.validate(spec, MultiDict(row.values), locale, only=only)
        service.check_values(spec, None, clean, user)
    except service.ValidationFailed as exc:
        return [p for p in _problems(exc.errors, row, sheet) if p.column not in bad]
    return []


def _problems(errors: dict, row: Row, sheet: Sheet) -> list[Problem]:
    out = []
    for name, messages in errors.items():
        column = sheet.column(name) if name in sheet.spec.field_map else ""
        for m in messages:
            out.append(Problem(row.n, column, row.cells.get(name, ""), str(m)))
    return out


# ---- what the page and the template say ----

def hints(spec, locale: str | None = None) -> list[str]:
    """How to fill the file for this form, in the current language: what choice, date, people and
    yes/no columns take, what an empty cell means, then the form's own notes."""
    fields = import_fields(spec)
    out = []
    choice = next((f for f in fields if f.type == "choice"), None)
    if choice:
        value, label = choice.choices[0]
        out.append(_("Choice columns take the label or the code (for example %(label)s or %(code)s).",
                     label=label.get("zh", value), code=value))
    if any(f.type == "date" for f in fields):
        out.append(_("Dates as YYYY-MM-DD or Excel dates."))
    people = [tr(f.label, locale) for f in fields if f.type == "user"]
    if people:
        out.append(_("%(columns)s: the person's username (login name).", columns="、".join(people)))
    if any(f.type == "boolean" for f in fields):
        out.append(_("Yes/no columns take 是 or 否 (yes or no)."))
    for f in fields:
        if f.default is not None:
            out.append(_("An empty %(column)s means %(value)s.", column=tr(f.label, locale), value=f.default))
    if spec.import_spec.unique_in_file:
        out.append(_("%(columns)s may appear only once in a file.",
                     columns="、".join(tr(spec.field_map[n].label, locale) for n in spec.import_spec.unique_in_file)))
    return out + [tr(n, locale) for n in spec.import_spec.notes]


def template_xlsx(spec) -> bytes:
    """The form's import template: its headings (Chinese labels, the required ones red), one example
    row, and a second sheet with the allowed choice values and how to fill the file."""
    with force_locale(TEMPLATE_LOCALE):
        return _template(spec)


def _sheet_title(text: str) -> str:
    # Excel refuses these characters in sheet names and more than 31 characters.
    return "".join(c for c in text if c not in "[]:*?/\\")[:31] or "Sheet1"


def _template(spec) -> bytes:
    fields = import_fields(spec)
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(tr(spec.title, "zh_CN"))
    lists = wb.create_sheet(_sheet_title(_("Allowed values")))
    on = today()
    example = {k: (on if v == TODAY else v) for k, v in spec.import_spec.example.items()}
    bold, required = Font(bold=True), Font(bold=True, color="C62828")
    for col, f in enumerate(fields, start=1):
        c = ws.cell(row=1, column=col, value=tr(f.label, "zh_CN"))
        c.font = required if f.required and f.default is None else bold
        c.fill = PatternFill("solid", fgColor="E8EEF5")
        e = ws.cell(row=2, column=col, value=example.get(f.name))
        if f.type == "date":
            e.number_format = "yyyy-mm-dd"
            for r in range(2, 502):
                ws.cell(row=r, column=col).number_format = "yyyy-mm-dd"
        elif f.type in ("string", "text"):
            for r in range(2, 502):
                ws.cell(row=r, column=col).number_format = "@"  # codes and serial numbers stay text
        ws.column_dimensions[get_column_letter(col)].width = max(12, 2 * len(tr(f.label, "zh_CN")) + 4)
    ws.freeze_panes = "A2"
    # The second sheet: the choices (label, or the code), and how to fill the file.
    lists.append([_("Column"), _("Allowed (Chinese)"), _("Or the code"), "English"])
    for c in lists[1]:
        c.font = bold
    for col, f in enumerate(fields, start=1):
        if f.type != "choice":
            continue
        start = lists.max_row + 1
        for value, label in f.choices:
            lists.append([tr(f.label, "zh_CN"), label.get("zh", ""), value, label.get("en", "")])
        dv = DataValidation(type="list", allow_blank=True, formula1=f"'{lists.title}'!$B${start}:$B${lists.max_row}")
        # A warning, not a stop: the code (public, TDD) is accepted as well as the label.
        dv.errorStyle, dv.showErrorMessage = "warning", True
        dv.error, dv.errorTitle = _("Choose from the list (or enter the code)."), tr(f.label, "zh_CN")
        ws.add_data_validation(dv)
        dv.add(f"{get_column_letter(col)}2:{get_column_letter(col)}{MAX_ROWS + 1}")
    lists.append([])
    notes = [_("Notes"),
             _("The first row holds the column headings: do not change them. One record per row; replace or "
               "delete the example row (row 2)."),
             _("Columns with red headings are required.")]
    notes += hints(spec, "zh_CN")
    notes += [_("At most %(rows)d rows and %(mb)d MB per file; the sheet may also be saved as CSV (UTF-8 or GBK).",
                rows=MAX_ROWS, mb=MAX_BYTES // (1024 * 1024)),
              _("If any row is wrong, nothing of the file is imported and the rows to correct are listed.")]
    for line in notes:
        lists.append([line])
    lists[lists.max_row - len(notes) + 1][0].font = bold
    for letter, width in (("A", 16), ("B", 16), ("C", 14), ("D", 24)):
        lists.column_dimensions[letter].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell_text(v) -> str:
    """Text for a report cell; a leading = + - @ would run as a formula in Excel."""
    s = str(v if v is not None else "")
    return ("'" + s) if s[:1] in ("=", "+", "-", "@") else s


def report_xlsx(problems: list[dict], header: list[str]) -> bytes:
    """The error report as a workbook (one line per problem: row, column, value, message)."""
    rows = ([p["row"] or "", _cell_text(p["column"]), _cell_text(p["value"]), _cell_text(p["message"])]
            for p in problems)
    return write_xlsx("errors", header, rows)
