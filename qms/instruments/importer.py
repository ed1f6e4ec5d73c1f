"""Instrument import (issue #5 item 10): many INS-INTAKE records from one XLSX or CSV file.

All or nothing. Every row goes through the records service exactly as the web form does
(``service.create`` then ``service.sign_verified``: the declaration's validation, the value checks
of :mod:`qms.instruments.service`, numbering, audit trail, the instrument's state row and its
calibration reminder), inside one savepoint. Errors of a row are collected and the next row is
tried, so one upload lists every problem; if any row failed, the savepoint is rolled back and
:class:`ImportFailed` carries the report -- nothing was written. Otherwise every row is a normal
signed intake record of the importing user, committed by the caller in one transaction.

The password is checked once per file by the caller (:func:`check_password`), not once per row.

The file: XLSX (first sheet) or CSV (UTF-8 with or without BOM, or GBK/GB18030 as Chinese Excel
saves it; comma, semicolon or tab separated); the first row holds the column headings -- the
Chinese or English labels of the form's fields, or the field names. Choice columns take the
label (公用, 技术发展部) or the code (public, TDD); dates are Excel dates or YYYY-MM-DD text
(YYYY/M/D as well); the custodian is a username; an empty calibration interval is 24 months.
"""
from __future__ import annotations

import csv
import io
import logging
import re
import time
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict

from ..core import audit
from ..core.i18n import tr
from ..extensions import db
from ..records import service
from ..records import spec as specs
from .forms import INTAKE

MAX_BYTES = 5 * 1024 * 1024  # the upload
MAX_ROWS = 2000  # instruments per file: about 50 s on PostgreSQL, inside the deadline below
MAX_UNZIPPED = 80 * 1024 * 1024  # an XLSX's parts, uncompressed (a 5 MB zip bomb stays a small job)
# Seconds an import may take (QMS_IMPORT_SECONDS overrides): under the 120-second worker timeout
# `qms serve` gives gunicorn, which would otherwise end the request without a word. About 15-25 ms
# a row; past the deadline everything is rolled back and the user is asked to split the file.
SECONDS = 100
MAX_REPORT = 1000  # problems listed (page and report); the count says how many more
EXAMPLE_ASSET_NO = "EXAMPLE-001"  # the template's example row, refused if left in


class ImportRefused(Exception):
    """The file as a whole cannot be read (empty, wrong type, too big, headings wrong)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Problem:
    row: int  # the row number as the spreadsheet shows it (the headings are row 1)
    column: str  # the column heading as in the file ("" for the row as a whole)
    value: str  # what the cell held (shortened)
    message: str


class ImportFailed(Exception):
    """Some rows are wrong; nothing was imported. ``problems`` lists them in row order."""

    def __init__(self, problems: list[Problem], rows: int):
        super().__init__("%d problems" % len(problems))
        self.problems = problems
        self.rows = rows  # data rows in the file
        self.bad_rows = len({p.row for p in problems})


def intake_spec():
    return specs.get(INTAKE)


# ---- reading the file ----

def _refuse_type():
    raise ImportRefused(_("The file must be an XLSX workbook or a CSV file."))


def read_table(data: bytes, filename: str) -> list[tuple[int, list]]:
    """The file's non-empty rows as (row number, cells); the first is the headings row."""
    if not data:
        raise ImportRefused(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ImportRefused(_("The file is larger than %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024)))
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data[:4] == b"PK\x03\x04":
        if ext not in ("xlsx", ""):
            raise ImportRefused(_("The file content does not match its type."))
        return _read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportRefused(_("Old Excel files (.xls) are not read: save the sheet as .xlsx or CSV."))
    if ext == "xlsx":
        raise ImportRefused(_("The file content does not match its type."))
    if ext not in ("csv", "txt", ""):
        _refuse_type()
    return _read_csv(data)


def _read_xlsx(data: bytes) -> list[tuple[int, list]]:
    from openpyxl import load_workbook
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "xl/workbook.xml" not in names:
                _refuse_type()
            if sum(i.file_size for i in z.infolist()) > MAX_UNZIPPED:
                raise ImportRefused(_("The workbook is too large once unpacked."))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportRefused(_("The file could not be read as an XLSX workbook.")) from None
    rows: list[tuple[int, list]] = []
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            ws.reset_dimensions()  # some programs write a wrong size; read what is there
            for n, cells in enumerate(ws.iter_rows(values_only=True), start=1):
                if any(_filled(c) for c in cells):
                    rows.append((n, list(cells)))
                    if len(rows) > MAX_ROWS + 1:
                        break
        finally:
            wb.close()
    except ImportRefused:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise ImportRefused(_("The file could not be read as an XLSX workbook.")) from None
    return rows


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)  # Excel's "Unicode text"
    else:
        encodings = ("utf-8", "gb18030")  # GB18030 reads GBK and GB2312 too
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    _refuse_type()


def _read_csv(data: bytes) -> list[tuple[int, list]]:
    text = _decode(data)
    if "\x00" in text or re.search(r"[\x01-\x08\x0e-\x1f]", text[:4096]):
        _refuse_type()  # binary, not text
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count)
    rows: list[tuple[int, list]] = []
    try:
        for n, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if any(_filled(c) for c in cells):
                rows.append((n, cells))
                if len(rows) > MAX_ROWS + 1:
                    break
    except csv.Error:
        raise ImportRefused(_("The file could not be read as CSV.")) from None
    return rows


def _filled(v) -> bool:
    return v is not None and not (isinstance(v, str) and not v.strip())


# ---- headings ----

def _key(text) -> str:
    s = str(text or "").strip().replace("（", "(").replace("）", ")").replace("＊", "*")
    return re.sub(r"\s+", " ", s.rstrip("* ").strip()).lower()


def heading_names(spec) -> dict:
    """Every accepted heading (normalised) -> field name."""
    out = {}
    for f in spec.fields:
        for text in (f.name, tr(f.label, "zh_CN"), tr(f.label, "en")):
            out[_key(text)] = f.name
    return out


def map_columns(spec, headings: list) -> list[str | None]:
    """The field of each column (None for an empty heading); refuse unknown, repeated or missing ones."""
    known = heading_names(spec)
    fields, unknown, twice = [], [], []
    for h in headings:
        if not _filled(h):
            fields.append(None)
            continue
        name = known.get(_key(h))
        if name is None:
            unknown.append(str(h).strip())
        elif name in fields:
            twice.append(str(h).strip())
        fields.append(name)
    if unknown:
        raise ImportRefused(_("Unknown columns: %(columns)s. Use the headings of the template.",
                              columns="、".join(unknown[:10])))
    if twice:
        raise ImportRefused(_("Columns given twice: %(columns)s.", columns="、".join(twice[:10])))
    missing = [tr(f.label, "zh_CN") for f in spec.fields  # as the template heads them
               if f.required and f.default is None and f.name not in fields]
    if missing:
        raise ImportRefused(_("Required columns are missing: %(columns)s.", columns="、".join(missing)))
    return fields


# ---- cells -> form data ----

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00)?)?$")
_PAREN_USER = re.compile(r"[(（]\s*([^()（）\s]+)\s*[)）]\s*$")  # "李强 (tech)" as the web form lists people


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "y" if v else ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.date().isoformat() if (v.hour, v.minute, v.second) == (0, 0, 0) else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    return str(v).strip()


def _date(v) -> str:
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    s = _text(v)
    m = _DATE.match(s)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            return s  # e.g. 2026-02-30: the form says what it expects
    return s


def _choices(f) -> dict:
    out = {}
    for value, label in f.choices:
        out[value.lower()] = value
        for text in (label or {}).values():
            out[str(text).strip().lower()] = value
    return out


def _username(s: str) -> str:
    m = _PAREN_USER.search(s)
    return (m[1] if m else s).strip().lower()


def _users(names: set) -> dict:
    """username -> (id, active) for the usernames named in the file."""
    from ..auth.models import User
    found, names = {}, sorted(n for n in names if n)
    for i in range(0, len(names), 500):
        for uid, username, active in db.session.execute(
                select(User.id, User.username, User.active).where(User.username.in_(names[i:i + 500]))):
            found[username.lower()] = (uid, active)
    return found


def _short(v) -> str:
    s = _text(v)
    return s if len(s) <= 60 else s[:59] + "…"


# ---- the import ----

def check_password(user, password: str) -> None:
    """The one password check of an import; a wrong one is audited like any failed signature
    (the caller commits that row) and raises SignatureRefused."""
    if not user.check_password(password or ""):
        audit.log("signature_failed", actor=user, obj_type="import", obj_id=INTAKE,
                  summary=f"{INTAKE} import", changes={"step": [None, "register"]})
        raise service.SignatureRefused(_("The password is not correct; nothing was imported."),
                                       {"password": [_("The password is not correct.")]})


@dataclass
class Row:
    n: int  # row number in the file
    values: dict  # field -> form value (codes, ISO dates, user ids)
    cells: dict  # field -> the cell as the file shows it (for the report)
    problems: list  # found while reading


@dataclass
class Sheet:
    headings: list  # as in the file
    fields: list  # field name of each column (None: no heading)
    rows: list  # [Row]

    def column(self, name: str) -> str:
        """The heading of field ``name`` as in the file (its label when the file lacks it)."""
        for h, f in zip(self.headings, self.fields):
            if f == name:
                return h
        spec = intake_spec()
        return tr(spec.field_map[name].label, "zh_CN") if name in spec.field_map else ""


def parse(spec, data: bytes, filename: str) -> Sheet:
    """Read the file into form values per row; refuse it as a whole when it cannot be read."""
    table = read_table(data, filename)
    if not table or table[0][0] != 1:
        raise ImportRefused(_("The first row must hold the column headings."))
    headings = [_text(h) for h in table[0][1]]
    fields = map_columns(spec, headings)
    body = table[1:]
    if not body:
        raise ImportRefused(_("The file has no instruments, only the headings row."))
    if len(body) > MAX_ROWS:
        raise ImportRefused(_("The file has more than %(max)d rows; split it into smaller files.", max=MAX_ROWS))
    fmap = spec.field_map
    choice_maps = {f.name: _choices(f) for f in spec.fields if f.type == "choice"}
    user_cols = [i for i, name in enumerate(fields) if name and fmap[name].type == "user"]
    people = _users({_username(_text(cells[i])) for _n, cells in body for i in user_cols if i < len(cells)})
    rows = []
    for n, cells in body:
        row = Row(n, {}, {}, [])
        for i, v in enumerate(cells):
            name = fields[i] if i < len(fields) else None
            if name is None:
                if _filled(v):
                    row.problems.append(Problem(n, "", _short(v), _("A value in a column without a heading.")))
                continue
            f, heading = fmap[name], headings[i]
            row.cells[name] = _short(v)
            if f.type == "date":
                s = _date(v)
            elif f.type == "choice":
                s = _text(v)
                s = choice_maps[name].get(s.lower(), s)
            elif f.type == "user":
                s = _text(v)
                if s:
                    uid, active = people.get(_username(s), (None, None))
                    if uid is None or not active:
                        row.problems.append(Problem(n, heading, _short(v), _("No user with this username.") if uid is None
                                                    else _("This user is deactivated.")))
                        continue
                    s = str(uid)
            elif f.type == "text":
                s = "" if v is None else str(v).strip()
            else:
                s = _text(v)
            if s:
                row.values[name] = s
        for f in spec.fields:
            if f.default is not None and f.name not in row.values:
                row.values[f.name] = str(f.default)  # the calibration interval: 24 months
        rows.append(row)
    return Sheet(headings, fields, rows)


def run(user, sheet: Sheet, locale: str, deadline: float | None = None) -> list:
    """Import the rows of a parsed file as ``user`` (whose password the caller checked). Returns
    the signed records; raises ImportRefused or ImportFailed, and then nothing was written.

    ``deadline`` (``time.monotonic()``): past it the import stops and is rolled back with a clear
    message, before the web server's worker timeout would cut the request off without one."""
    spec = intake_spec()
    first_row: dict[str, int] = {}
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
            asset = row.values.get("asset_no", "")
            if asset == EXAMPLE_ASSET_NO:
                row.problems.append(Problem(row.n, sheet.column("asset_no"), asset, _(
                    "This is the template's example row: replace it with a real instrument or delete it.")))
            elif asset and asset in first_row:
                row.problems.append(Problem(row.n, sheet.column("asset_no"), asset,
                                            _("The same asset no. as row %(row)s of this file.", row=first_row[asset])))
            elif asset:
                first_row[asset] = row.n
            if row.problems or problems:
                # Nothing will be written now: the rest is only checked (the same checks, no writes).
                problems.extend(row.problems)
                problems.extend(_check(spec, user, row, sheet, locale))
                continue
            try:
                record = service.create(spec, user, MultiDict(row.values), locale)
                service.sign_verified(record, user, locale)
                records.append(record)
            except service.ServiceError as exc:
                problems.extend(_problems(exc.errors or {"": [exc.message]}, row, sheet))
    except SQLAlchemyError:
        logging.getLogger(__name__).warning("instrument import stopped by a database error", exc_info=True)
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
        column = sheet.column(name) if name in intake_spec().field_map else ""
        for m in messages:
            out.append(Problem(row.n, column, row.cells.get(name, ""), str(m)))
    return out


# ---- the template and the error report ----

def template_xlsx() -> bytes:
    """Headings (Chinese labels), one example row, and a sheet of the allowed choice values."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from ..core.timeutil import today
    spec = intake_spec()
    wb = Workbook()
    ws = wb.active
    ws.title = "仪器"
    lists = wb.create_sheet("可选值")
    on = today()
    example = {"asset_no": EXAMPLE_ASSET_NO, "name": "数字万用表", "model": "FLUKE-17B", "serial_no": "35820017",
               "maker": "福禄克", "range_accuracy": "600V ±0.5%", "category": "公用", "custodian_department": "技术发展部",
               "custodian": "", "location": "技术发展部仪表室", "intake_on": on, "calibrated_on": on,
               "interval_months": 24, "accessories": "表笔一副，说明书一本"}
    bold, required = Font(bold=True), Font(bold=True, color="C62828")
    for col, f in enumerate(spec.fields, start=1):
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
                ws.cell(row=r, column=col).number_format = "@"  # asset and serial numbers stay text
        ws.column_dimensions[get_column_letter(col)].width = max(12, 2 * len(tr(f.label, "zh_CN")) + 4)
    ws.freeze_panes = "A2"
    # The second sheet: the choices (label, or the code), and what the columns take.
    lists.append(["列", "可填（中文）", "或代码", "English"])
    for c in lists[1]:
        c.font = bold
    start = {}
    for f in spec.fields:
        if f.type != "choice":
            continue
        start[f.name] = lists.max_row + 1
        for value, label in f.choices:
            lists.append([tr(f.label, "zh_CN"), label.get("zh", ""), value, label.get("en", "")])
        col = next(i for i, g in enumerate(spec.fields, start=1) if g.name == f.name)
        dv = DataValidation(type="list", allow_blank=True,
                            formula1=f"'可选值'!$B${start[f.name]}:$B${lists.max_row}")
        # A warning, not a stop: the code (public, TDD) is accepted as well as the label.
        dv.errorStyle, dv.showErrorMessage = "warning", True
        dv.error, dv.errorTitle = "请从列表中选择（或填写代码）", tr(f.label, "zh_CN")
        ws.add_data_validation(dv)
        dv.add(f"{get_column_letter(col)}2:{get_column_letter(col)}{MAX_ROWS + 1}")
    lists.append([])
    notes = [
        "说明",
        "第一行是列标题，请勿修改；每行一台仪器。示例行（资产编号 EXAMPLE-001）请替换或删除。",
        "标题为红色的列必填。日期填 YYYY-MM-DD 或 Excel 日期；检定周期(月)留空为 24。",
        "保管人填用户名（登录名），可留空。资产编号只能包含字母、数字和连字符，不可与已登记的重复。",
        f"每个文件最多 {MAX_ROWS} 行、{MAX_BYTES // (1024 * 1024)} MB；也可另存为 CSV（UTF-8 或 GBK）导入。",
        "任何一行有错则整个文件都不导入，并列出需要修改的行。",
    ]
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
    from ..records.export import write_xlsx
    rows = ([p["row"] or "", _cell_text(p["column"]), _cell_text(p["value"]), _cell_text(p["message"])]
            for p in problems)
    return write_xlsx("errors", header, rows)
