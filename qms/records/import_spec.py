"""The ``import:`` block of a form declaration: which forms take rows from a spreadsheet, and how
(REC-02; the instrument register, INS-01, declares one in forms/INS-INTAKE.yaml).

``spec.parse`` calls :func:`parse_import`, so this module stays below ``spec`` and ``service``.
The import itself is :mod:`qms.records.importer`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..core.errors import SpecError
from .tables import choice_map, split_choices

TODAY = "today"  # an example date that is the day the template is downloaded
IMPORT_KEYS = {"unique_in_file", "example", "items", "notes", "sign"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ImportSpec:
    """A form's ``import:`` block: rows of a file may become records of this form."""
    unique_in_file: tuple = ()  # fields whose value may appear only once in a file (asset numbers)
    example: dict = field(default_factory=dict)  # the template's example row, as the file would hold it
    items: dict | None = None  # what a row is, counted ({zh: 台仪器, en: instruments}); "records" if absent
    notes: tuple = ()  # the form's own advice ({zh, en} each), on the page and in the template
    sign: bool = True  # each row is signed (its first step) by the importer, whose password is asked once

    def example_keys(self) -> tuple:
        """The example's fields that mark a row as the example left in: its unique values (an
        asset no. may not repeat, so EXAMPLE-001 is enough), else every non-date value it gives."""
        keys = tuple(n for n in self.unique_in_file if n in self.example)
        return keys or tuple(n for n, v in self.example.items() if v not in ("", TODAY) and not _ISO.match(str(v)))


def _refuse(message: str):
    raise SpecError(message)


def _bilingual(value, where: str) -> dict:
    if not isinstance(value, dict) or not value.get("zh") or not value.get("en"):
        _refuse(f"{where}: needs both zh and en text")
    return {"zh": str(value["zh"]), "en": str(value["en"])}


def parse_import(block, source: str, fields, first_step: str) -> ImportSpec | None:
    """The ``import:`` block of declaration ``source`` (None when the form has none), checked
    against the form's ``fields`` (an import fills those of ``first_step``); a wrong block raises
    SpecError naming the file and the key."""
    if block is None:
        return None
    where = f"{source}: import"
    if not isinstance(block, dict):
        _refuse(f"{where}: must be a mapping such as {{unique_in_file: [code], sign: true}}")
    unknown = set(block) - IMPORT_KEYS
    if unknown:
        _refuse(f"{where}: unknown keys {sorted(map(str, unknown))}")
    by_name = {f.name: f for f in fields}
    tables = [f.name for f in fields if f.type == "table" and f.step == first_step]
    if tables:  # a spreadsheet row is one record: rows of rows have no column to go in yet
        _refuse(f"{where}: a form with line items (table fields {tables}) cannot be imported yet")
    unique = block.get("unique_in_file") or []
    if not isinstance(unique, list):
        _refuse(f"{where}.unique_in_file: must be a list of field names")
    for name in unique:
        f = by_name.get(name)
        if f is None or f.step != first_step or f.type in ("multichoice", "boolean", "text"):
            _refuse(f"{where}.unique_in_file: {name!r} must name a one-value field of the first step")
    example = block.get("example") or {}
    if not isinstance(example, dict):
        _refuse(f"{where}.example: must map field names to values")
    clean = {}
    for name, value in example.items():
        f = by_name.get(name)
        if f is None or f.step != first_step:
            _refuse(f"{where}.example: {name!r} is not a field of the first step")
        if isinstance(value, (dict, list)):
            _refuse(f"{where}.example.{name}: must be one value")
        value = value.isoformat() if isinstance(value, date) else ("" if value is None else value)
        if f.type in ("choice", "multichoice") and value != "":
            known = choice_map(f)
            if any(str(v).strip().lower() not in known for v in split_choices(str(value))):
                _refuse(f"{where}.example.{name}: {value!r} is not one of the choices (label or code)")
        if f.type == "date" and value not in ("", TODAY) and not _ISO.match(str(value)):
            _refuse(f"{where}.example.{name}: a date must be YYYY-MM-DD or {TODAY}")
        clean[name] = value
    notes = block.get("notes") or []
    if not isinstance(notes, list):
        _refuse(f"{where}.notes: must be a list of {{zh, en}} texts")
    sign = block.get("sign", True)
    if not isinstance(sign, bool):
        _refuse(f"{where}.sign: must be true or false")
    return ImportSpec(
        unique_in_file=tuple(unique), example=clean,
        items=_bilingual(block["items"], f"{where}.items") if block.get("items") is not None else None,
        notes=tuple(_bilingual(n, f"{where}.notes[{i}]") for i, n in enumerate(notes)), sign=sign)
