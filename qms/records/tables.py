"""Reading a spreadsheet into form values, for importing rows of any form that declares ``import:``
(REC-02: every imported row becomes a normal record; INS-01 was the first register to use it).

This module reads and never writes: :mod:`qms.records.importer` runs the import itself.

- :func:`read_table`: the file's rows -- XLSX (first sheet; a zip-bomb limit on the unpacked size)
  or CSV (UTF-8 with or without BOM, UTF-16, or GBK/GB18030 as Chinese Excel saves it; comma,
  semicolon or tab separated).
- :func:`read_sheet`: the headings row mapped to fields (the Chinese or English label, or the
  field name) and every cell turned into what the web form would post: choices by label or code,
  dates as Excel dates or YYYY-MM-DD (YYYY/M/D, 2026年10月5日 too), people by username ("李强 (li)"
  as the web form lists them), yes/no for check boxes, a declared default for an empty cell.

Only the fields of the form's first step are read: an import fills what its author fills.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import load_workbook
from sqlalchemy import select

from ..auth.lookup import departments_by_name
from ..auth.models import User
from ..core.i18n import tr
from ..extensions import db

MAX_BYTES = 5 * 1024 * 1024  # the upload
MAX_ROWS = 2000  # rows per file: about 50 s on PostgreSQL, inside the importer's deadline
MAX_UNZIPPED = 80 * 1024 * 1024  # an XLSX's parts, uncompressed (a 5 MB zip bomb stays a small job)


def import_fields(spec) -> list:
    """The fields an import fills: those of the first step, as its author fills them on the web."""
    return spec.step_fields(spec.workflow[0].name)


# ---- reading the file ----

class ImportRefused(Exception):
    """The file as a whole cannot be read (empty, wrong type, too big, headings wrong)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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
                if any(filled(c) for c in cells):
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
            if any(filled(c) for c in cells):
                rows.append((n, cells))
                if len(rows) > MAX_ROWS + 1:
                    break
    except csv.Error:
        raise ImportRefused(_("The file could not be read as CSV.")) from None
    return rows


def filled(v) -> bool:
    """A cell holds something (spaces alone do not count)."""
    return v is not None and not (isinstance(v, str) and not v.strip())


# ---- headings ----

def _key(text) -> str:
    s = str(text or "").strip().replace("（", "(").replace("）", ")").replace("＊", "*")
    return re.sub(r"\s+", " ", s.rstrip("* ").strip()).lower()


def map_columns(spec, headings: list) -> list[str | None]:
    """The field of each column (None for an empty heading); refuse unknown, repeated or missing ones."""
    fields = import_fields(spec)
    known = {_key(text): f.name for f in fields for text in (f.name, tr(f.label, "zh_CN"), tr(f.label, "en"))}
    names, unknown, twice = [], [], []
    for h in headings:
        if not filled(h):
            names.append(None)
            continue
        name = known.get(_key(h))
        if name is None:
            unknown.append(str(h).strip())
        elif name in names:
            twice.append(str(h).strip())
        names.append(name)
    if unknown:
        raise ImportRefused(_("Unknown columns: %(columns)s. Use the headings of the template.",
                              columns="、".join(unknown[:10])))
    if twice:
        raise ImportRefused(_("Columns given twice: %(columns)s.", columns="、".join(twice[:10])))
    missing = [tr(f.label, "zh_CN") for f in fields  # as the template heads them
               if f.required and f.default is None and f.name not in names]
    if missing:
        raise ImportRefused(_("Required columns are missing: %(columns)s.", columns="、".join(missing)))
    return names


# ---- cells -> form values ----

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00)?)?$")
_PAREN_USER = re.compile(r"[(（]\s*([^()（）\s]+)\s*[)）]\s*$")  # "李强 (tech)" as the web form lists people
_YES, _NO = {"y", "yes", "true", "1", "是", "√", "✓", "x"}, {"n", "no", "false", "0", "否", ""}


def text(v) -> str:
    """A cell as text: whole numbers without ".0", dates as YYYY-MM-DD, booleans as y/""."""
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
    s = text(v)
    m = _DATE.match(s)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            return s  # e.g. 2026-02-30: the form says what it expects
    return s


def choice_map(f) -> dict:
    """Every accepted spelling of a choice (code or label, lower case) -> its code."""
    out = {}
    for value, label in f.choices:
        out[value.lower()] = value
        for t in (label or {}).values():
            out[str(t).strip().lower()] = value
    return out


def with_department_names(f, known: dict, named: dict) -> dict:
    """``known`` (a choice's spellings) and, for a choice of departments (its values are department
    codes), every name such a department goes by: 终端部 is 终端服务部's code (``auth.lookup.departments_by_name``)."""
    codes = {v for v, _label in f.choices}
    extra = {name.strip().lower(): d.code for name, d in named.items() if d.code in codes}
    return {**extra, **known}


def split_choices(s: str) -> list[str]:
    """The items of a several-choices cell ("公用、专用", "a, b")."""
    return [p.strip() for p in re.split(r"[,，、;；\n]", s) if p.strip()]


def cell_value(f, v, choices: dict | None = None):
    """What the web form would post for cell ``v`` of field ``f`` (user fields: see read_sheet)."""
    if f.type == "date":
        return _date(v)
    if f.type in ("choice", "multichoice"):
        choices = choice_map(f) if choices is None else choices
        if f.type == "multichoice":
            return [choices.get(p.lower(), p) for p in split_choices(text(v))]
        s = text(v)
        return choices.get(s.lower(), s)
    if f.type == "boolean":
        s = text(v).lower()
        # WTForms reads any text but "false" as checked; 否 must not become yes.
        return "y" if s in _YES else ("" if s in _NO else s)
    if f.type == "text":
        return "" if v is None else str(v).strip()
    return text(v)


def _username(s: str) -> str:
    m = _PAREN_USER.search(s)
    return (m[1] if m else s).strip().lower()


def _users(names: set) -> dict:
    """username -> (id, active) for the usernames named in the file."""
    found, names = {}, sorted(n for n in names if n)
    for i in range(0, len(names), 500):
        for uid, username, active in db.session.execute(
                select(User.id, User.username, User.active).where(User.username.in_(names[i:i + 500]))):
            found[username.lower()] = (uid, active)
    return found


def short(v) -> str:
    """A cell as the report shows it (at most 60 characters)."""
    s = text(v)
    return s if len(s) <= 60 else s[:59] + "…"


@dataclass
class Problem:
    """One thing to correct in the file."""
    row: int  # the row number as the spreadsheet shows it (the headings are row 1)
    column: str  # the column heading as in the file ("" for the row as a whole)
    value: str  # what the cell held (shortened)
    message: str


@dataclass
class Row:
    """One data row, read."""
    n: int  # row number in the file
    values: dict  # field -> form value (codes, ISO dates, user ids)
    cells: dict  # field -> the cell as the file shows it (for the report)
    problems: list  # found while reading


@dataclass
class Sheet:
    """A file read for form ``spec``: its headings, the field of each column and its rows."""
    spec: object
    headings: list  # as in the file
    fields: list  # field name of each column (None: no heading)
    rows: list  # [Row]

    def column(self, name: str) -> str:
        """The heading of field ``name`` as in the file (its label when the file lacks it)."""
        for h, f in zip(self.headings, self.fields, strict=True):
            if f == name:
                return h
        f = self.spec.field_map.get(name)
        return tr(f.label, "zh_CN") if f else ""


def read_sheet(spec, data: bytes, filename: str) -> Sheet:
    """Read the file into form values per row; refuse it as a whole (ImportRefused) when it cannot be read."""
    table = read_table(data, filename)
    if not table or table[0][0] != 1:
        raise ImportRefused(_("The first row must hold the column headings."))
    headings = [text(h) for h in table[0][1]]
    fields = map_columns(spec, headings)
    body = table[1:]
    if not body:
        raise ImportRefused(_("The file has no rows to import, only the headings row."))
    if len(body) > MAX_ROWS:
        raise ImportRefused(_("The file has more than %(max)d rows; split it into smaller files.", max=MAX_ROWS))
    fmap = spec.field_map
    named = departments_by_name()
    choice_maps = {f.name: with_department_names(f, choice_map(f), named) for f in spec.fields if f.choices}
    user_cols = [i for i, name in enumerate(fields) if name and fmap[name].type == "user"]
    # One query for every person the file names, not one per cell.
    people = _users({_username(text(cells[i])) for _n, cells in body for i in user_cols if i < len(cells)})
    defaults = [f for f in import_fields(spec) if f.default is not None]
    rows = []
    for n, cells in body:
        row = Row(n, {}, {}, [])
        for i, v in enumerate(cells):
            name = fields[i] if i < len(fields) else None
            if name is None:
                if filled(v):
                    row.problems.append(Problem(n, "", short(v), _("A value in a column without a heading.")))
                continue
            f = fmap[name]
            row.cells[name] = short(v)
            if f.type == "user":
                s = text(v)
                if s:
                    uid, active = people.get(_username(s), (None, None))
                    if uid is None or not active:
                        row.problems.append(Problem(n, headings[i], short(v), _("No user with this username.")
                                                    if uid is None else _("This user is deactivated.")))
                        continue
                    s = str(uid)
            else:
                s = cell_value(f, v, choice_maps.get(name))
            if s:
                row.values[name] = s
        for f in defaults:
            if f.name not in row.values:
                row.values[f.name] = str(f.default)  # as the web form starts (a calibration interval: 24 months)
        rows.append(row)
    return Sheet(spec, headings, fields, rows)
