"""Form declarations (``forms/*.yaml``): parsing, checking, loading as revisions.

A declaration is data: fields, register, workflow, permissions and PDF hints. Each distinct
file content becomes a :class:`~qms.records.models.FormRevision`; records keep the revision
they were filled under, so an old record still shows with the fields it was filled with.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml
from sqlalchemy import func, select

from ..auth.roles import ROLES
from ..core.errors import SpecError
from ..extensions import db
from . import compute
from .import_spec import parse_import
from .models import FormRevision
from .procedures import registry

FIELD_TYPES = {
    "string", "text", "integer", "decimal", "date", "datetime", "choice", "multichoice",
    "boolean", "phone", "email", "user", "record", "table",
}
# A table's rows hold these (no table in a table); ``max_rows`` may not exceed MAX_ROWS.
COLUMN_TYPES = FIELD_TYPES - {"table"}
MAX_ROWS = 1000
# What each signature means, shown beside the name on the page and the PDF.
MEANINGS = {
    "prepared": {"zh": "编制", "en": "Prepared"},
    "handling": {"zh": "处理", "en": "Handling"},
    "self_check": {"zh": "自检", "en": "Self-check"},
    "review": {"zh": "审核", "en": "Review"},
    "approval": {"zh": "批准", "en": "Approval"},
    "verification": {"zh": "验证", "en": "Verification"},
    "acceptance": {"zh": "验收", "en": "Acceptance"},
    "confirmation": {"zh": "确认", "en": "Confirmation"},
    "analysis": {"zh": "原因分析", "en": "Cause analysis"},
    "implementation": {"zh": "实施", "en": "Implementation"},
}
ACTIONS = ("view", "create", "edit", "void", "amend", "attach", "export")
FIELD_KEYS = {"name", "type", "label", "required", "help", "choices", "min", "max", "max_length", "pattern",
              "pattern_message", "section", "wide", "step", "not_before", "roles", "form", "default",
              "not_future", "required_if", "required_message",
              "columns", "min_rows", "max_rows", "totals", "compute", "places", "derived"}
# Keys a table column may not use: a column belongs to its table's step and section, and a new row
# starts empty.
NOT_IN_COLUMNS = {"step", "section", "default", "columns", "min_rows", "max_rows", "totals"}
SYSTEM_COLUMNS = {
    "number": {"zh": "编号", "en": "No."},
    "status": {"zh": "状态", "en": "Status"},
    "department": {"zh": "部门", "en": "Department"},
    "created_at": {"zh": "填写时间", "en": "Created"},
    "updated_at": {"zh": "更新时间", "en": "Updated"},
    "created_by": {"zh": "填写人", "en": "Created by"},
}
SORTABLE_SYSTEM = ("id", "number", "updated_at", "created_at")
# Defaults that are worked out when a form opens, not written as a value: the moment or the day
# (``now``, ``today``, or relative: ``+24h``, ``+3d``, ``-1d``), the person filling it in (``me``),
# their department's code (``my_department``).
DEFAULT_TOKENS = {"now": ("datetime", "date"), "today": ("date", "datetime"), "me": ("user",),
                  "my_department": ("choice", "string")}
RELATIVE_DEFAULT = re.compile(r"^[+-]\d{1,4}[hd]$")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    label: dict
    required: bool = False
    help: dict | None = None
    choices: tuple = ()  # ((value, {zh, en}), ...)
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: dict | None = None
    section: dict | None = None
    wide: bool = False
    step: str = ""  # the workflow step whose signer fills it (the first step unless declared)
    roles: tuple = ()  # user fields: the roles that may be chosen (any role when empty)
    form: str | None = None  # record fields: the form linked to (any form when empty)
    not_before: str | None = None  # a date/datetime field this one may not precede
    not_future: bool = False  # a date/datetime that has happened (taken in on, returned on): not after today
    required_if: tuple = ()  # ((field, value), ...): required when these hold (a long loan's reason)
    required_message: dict | None = None  # what to say when required_if is not met ({zh, en})
    default: object = None  # value a new form starts with (e.g. 30 days before verification)
    columns: tuple = ()  # a table's columns (FieldSpec each)
    min_rows: int = 0  # a table's fewest rows (1 when required and not declared)
    max_rows: int = 100  # a table's most rows
    totals: tuple = ()  # a table's columns summed under it
    compute: object = None  # compute.Expr: the value is worked out, not typed
    places: int | None = None  # decimals a computed decimal keeps (2 when not declared)
    # Worked out by the form's procedure package (``FormRules.derive``) on every save, never typed:
    # a repeat complaint's verdict, a deadline from a clock.
    derived: bool = False

    @property
    def computed_columns(self) -> tuple:
        """A table's computed columns, in the order they are worked out."""
        return tuple(compute.row_order(self, self.name)) if self.columns else ()

    def choice_label(self, value) -> dict | None:
        for v, label in self.choices:
            if v == value:
                return label
        return None


def conditions_hold(values: dict, conditions: tuple) -> bool:
    """Declared conditions ((field, value), ...) all hold for these values (values compared as text)."""
    return all(str(values.get(k)) == v for k, v in conditions)


@dataclass(frozen=True)
class StepSpec:
    name: str
    label: dict
    roles: tuple
    meaning: str
    own_department: bool = True  # signer must belong to the record's department (unless company-wide)
    not_same_as: tuple = ()  # steps whose signer may not sign this one
    department_field: str | None = None  # a choice field holding the department code that acts
    signer_field: str | None = None  # a user field naming the one person who signs (an action's owner)
    only_if: tuple = ()  # ((field, value), ...): the step applies only then (a long loan's approval)
    departments: tuple = ()  # department codes whose people alone sign it (技术发展部 verifies a scrapping)
    # The customer signs at this step (drawn on screen, a scan, or a witnessed refusal; covered by
    # this step's signature): {"required": bool, "label": {zh, en}}; None when not declared.
    customer_signature: dict | None = None

    def applies(self, values: dict) -> bool:
        """Whether this step is part of this record's path (its ``only_if`` conditions hold)."""
        return conditions_hold(values, self.only_if)


@dataclass(frozen=True)
class FormSpec:
    code: str
    revision: str
    title: dict
    procedure: str
    numbering: str
    fields: tuple
    workflow: tuple
    permissions: dict
    register_columns: tuple
    register_filters: tuple
    register_search: tuple
    register_sort: tuple
    pdf: dict
    due_field: str | None = None
    department_label: dict | None = None  # company-wide authors choose the owning department, so labelled
    visible_to_all: bool = False  # every department may read these records (an instrument's permit)
    create_departments: tuple = ()  # only these departments create records (技术发展部 registers instruments)
    revision_id: int | None = None
    description: dict | None = None
    extensions: dict = field(default_factory=dict, compare=False)  # procedures' own keys, parsed
    import_spec: object = None  # the `import:` block (import_spec.ImportSpec): rows may be imported from a file
    customer: dict | None = None  # `customer:` {phone|name|account: field}: the fields naming the customer
    raw: dict = field(default_factory=dict, compare=False, repr=False)
    lookups: dict = field(default_factory=dict, compare=False)  # {name: {key, rows}} read by lookup()

    @cached_property
    def field_map(self) -> dict:
        """Fields by name (built once per spec: specs never change)."""
        return {f.name: f for f in self.fields}

    @cached_property
    def computed_fields(self) -> tuple:
        """Computed top-level fields in the order they are worked out."""
        return tuple(compute.order(list(self.fields), self.code))

    @cached_property
    def filter_fields(self) -> dict:
        """The fields a register filter may name: the form's, and a table's columns as
        ``table.column`` (labelled "table · column")."""
        out = dict(self.field_map)
        for f in self.fields:
            for c in f.columns:
                label = {k: f"{f.label[k]} · {c.label[k]}" for k in ("zh", "en")}
                out[f"{f.name}.{c.name}"] = FieldSpec(**{**c.__dict__, "name": f"{f.name}.{c.name}", "label": label})
        return out

    def step(self, name: str) -> StepSpec | None:
        return next((s for s in self.workflow if s.name == name), None)

    def step_fields(self, step_name: str | None) -> list:
        """The fields filled at ``step_name``."""
        return [f for f in self.fields if f.step == step_name]

    def step_field_names(self, step_name: str | None) -> tuple:
        """The names of the fields filled at ``step_name``."""
        return tuple(f.name for f in self.fields if f.step == step_name)

    def fields_upto(self, step_name: str) -> list:
        """Fields filled at ``step_name`` or any step before it (what its signature covers)."""
        names = [s.name for s in self.workflow]
        upto = set(names[:names.index(step_name) + 1]) if step_name in names else set(names)
        return [f for f in self.fields if f.step in upto]

    def next_step(self, name: str | None, values: dict | None = None) -> StepSpec | None:
        """The step after ``name``; with ``values``, steps whose ``only_if`` fails are passed over."""
        names = [s.name for s in self.workflow]
        if name is None:
            return self.workflow[0] if self.workflow else None
        for step in self.workflow[names.index(name) + 1:]:
            if values is None or step.applies(values):
                return step
        return None

    def previous_step(self, name: str, values: dict | None = None) -> StepSpec | None:
        """The step before ``name`` (none before the first); with ``values``, steps whose
        ``only_if`` fails are passed over, as :meth:`next_step` does."""
        names = [s.name for s in self.workflow]
        for step in reversed(self.workflow[:names.index(name)]):
            if values is None or step.applies(values):
                return step
        return None


def _codes(value, where: str) -> tuple:
    """A list of department codes (checked for shape; the departments themselves live in the database)."""
    codes = tuple(value or ())
    if any(not isinstance(c, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]{1,19}", c) for c in codes):
        raise SpecError(f"{where}: departments must be department codes such as TDD")
    return codes


def _bilingual(value, where: str) -> dict:
    if not isinstance(value, dict) or not value.get("zh") or not value.get("en"):
        raise SpecError(f"{where}: needs both zh and en text")
    return {"zh": str(value["zh"]), "en": str(value["en"])}


# Top-level keys of a declaration the engine reads; procedure packages add theirs (``extensions``).
TOP_KEYS = {"code", "revision", "title", "procedure", "numbering", "fields", "workflow", "permissions",
            "register", "pdf", "due_field", "department_label", "visible_to_all", "description", "import",
            "lookups", "customer"}
STEP_KEYS = {"name", "label", "roles", "meaning", "own_department", "not_same_as", "department_field",
             "signer_field", "only_if", "departments", "customer_signature"}
REGISTER_KEYS = {"columns", "filters", "search", "sort"}
PDF_KEYS = {"columns"}


def _closed(mapping, allowed: set, where: str) -> dict:
    """``mapping`` must be a mapping using only ``allowed`` keys: a typo is refused, not ignored."""
    if mapping is None:
        return {}
    if not isinstance(mapping, dict):
        raise SpecError(f"{where}: must be a mapping")
    unknown = set(mapping) - allowed
    if unknown:
        # Often a YAML slip, e.g. an unquoted comma inside {…} splitting a text in two.
        raise SpecError(f"{where}: unknown keys {sorted(map(str, unknown))}")
    return mapping


def parse(raw: dict, source: str = "?", extensions: dict | None = None, strict: bool = True) -> FormSpec:
    """Check a declaration and turn it into a :class:`FormSpec`; raise SpecError naming the file and
    the key. ``extensions``: {top-level key: parser(value, where, code)} the procedures declare
    (the app's registry when not given); their parsed values are in ``spec.extensions``.
    ``strict=False`` reads a stored revision, checked when it was loaded: a key no running package
    declares any more is left unread instead of refused, so old records stay readable."""
    if extensions is None:
        extensions = registry().extensions
    try:
        if not isinstance(raw, dict):
            raise SpecError(f"{source}: a declaration is a mapping of keys")
        if strict:
            _closed(raw, TOP_KEYS | set(extensions), source)
        code = raw["code"]
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z][A-Z0-9-]{1,30}", code):
            raise SpecError(f"{source}: code {code!r} must be upper-case letters, digits and '-'")
        fields = [_parse_field(f, f"{source}: fields[{i}]") for i, f in enumerate(raw["fields"])]
        names = [f.name for f in fields]
        if len(set(names)) != len(names):
            raise SpecError(f"{source}: field names repeat")
        workflow = [_parse_step(s, f"{source}: workflow[{i}]") for i, s in enumerate(raw.get("workflow") or [])]
        if not workflow:
            raise SpecError(f"{source}: workflow needs at least the submitting step")
        if workflow[0].only_if:
            raise SpecError(f"{source}: the first step cannot be conditional (only_if)")
        fields = _check_fields(fields, workflow, source)
        lookups = _parse_lookups(raw.get("lookups"), source)
        fields = _check_computed(fields, workflow, lookups, source)
        perms, create_departments = _parse_permissions(raw.get("permissions"), source)
        columns, filters, search, sort = _parse_register(
            raw.get("register"), names, source, {f"{f.name}.{c.name}" for f in fields for c in f.columns})
        numbering = raw.get("numbering", code + "-{yyyy}-{####}")
        if not re.search(r"\{#{3,6}\}", numbering):
            raise SpecError(f"{source}: numbering needs a {{####}} sequence placeholder")
        due = raw.get("due_field")
        if due and (due not in names or next(f for f in fields if f.name == due).type not in ("date", "datetime")):
            raise SpecError(f"{source}: due_field must name a date or datetime field")
        return FormSpec(
            code=code, revision=str(raw.get("revision", "A")),
            title=_bilingual(raw["title"], source + ": title"), procedure=raw["procedure"],
            numbering=numbering, fields=tuple(fields), workflow=tuple(workflow), permissions=perms,
            register_columns=columns, register_filters=filters, register_search=search, register_sort=sort,
            pdf=dict(_closed(raw.get("pdf"), PDF_KEYS, f"{source}: pdf")), due_field=due,
            department_label=_bilingual(raw["department_label"], source) if raw.get("department_label") else None,
            visible_to_all=bool(raw.get("visible_to_all", False)),
            create_departments=create_departments,
            description=_bilingual(raw["description"], source) if raw.get("description") else None,
            extensions={key: parser(raw[key], f"{source}: {key}", code)
                        for key, parser in extensions.items() if key in raw},
            import_spec=parse_import(raw.get("import"), source, tuple(fields), workflow[0].name),
            customer=_parse_customer(raw.get("customer"), fields, source),
            raw=raw, lookups=lookups,
        )
    except KeyError as exc:
        raise SpecError(f"{source}: missing key {exc}") from None


# `customer:` keys and the field types each may name (records.customers indexes these fields).
CUSTOMER_KEYS = {"phone": ("phone", "string"), "name": ("string",), "account": ("string", "integer")}


def _parse_customer(raw, fields: list, source: str) -> dict | None:
    """``customer: {phone: <field>, name: <field>, account: <field>, group: <word>}``: which fields
    identify the customer a record is about (at least the phone or the name), each naming a field of a
    suitable type; ``group`` puts the form in a family whose records of one phone number are chained
    (each knows when the customer's previous one was made: repeat complaints across the complaint forms)."""
    if raw is None:
        return None
    where = f"{source}: customer"
    decl = _closed(raw, set(CUSTOMER_KEYS) | {"group"}, where)
    if not decl.get("phone") and not decl.get("name"):
        raise SpecError(f"{where}: needs at least phone or name (the field that holds it)")
    group = decl.get("group")
    if group is not None and not (isinstance(group, str) and re.fullmatch(r"[a-z][a-z0-9_]{0,39}", group)):
        raise SpecError(f"{where}.group: {group!r} must be a lower-case word (a-z, 0-9, _)")
    if group is not None and not decl.get("phone"):
        raise SpecError(f"{where}.group: records are chained by phone number: name the phone field too")
    by_name = {f.name: f for f in fields}
    for key, name in decl.items():
        if key == "group":
            continue
        f = by_name.get(name) if isinstance(name, str) else None
        if f is None:
            raise SpecError(f"{where}.{key}: {name!r} is not a field of this form")
        if f.type not in CUSTOMER_KEYS[key]:
            raise SpecError(f"{where}.{key}: field {name} is a {f.type} field; "
                            f"{key} must be a {' or '.join(CUSTOMER_KEYS[key])} field")
    return dict(decl)


def _parse_field(f: dict, where: str) -> FieldSpec:
    """One entry of ``fields``."""
    _closed(f, FIELD_KEYS, where)
    if f.get("type") not in FIELD_TYPES:
        raise SpecError(f"{where}: type must be one of {sorted(FIELD_TYPES)}")
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,59}", f.get("name", "")):
        raise SpecError(f"{where}: name must be snake_case")
    choices = tuple((str(c["value"]), _bilingual(c, f"{where}.choices")) for c in f.get("choices", []))
    if f["type"] in ("choice", "multichoice") and not choices:
        raise SpecError(f"{where}: a {f['type']} field needs choices")
    if f.get("pattern"):
        re.compile(f["pattern"])
    table = _parse_table(f, where)
    return FieldSpec(**table,
        name=f["name"], type=f["type"], label=_bilingual(f.get("label"), where + ".label"),
        required=bool(f.get("required", False)),
        help=_bilingual(f["help"], where + ".help") if f.get("help") else None,
        choices=choices, min=f.get("min"), max=f.get("max"), max_length=f.get("max_length"),
        pattern=f.get("pattern"),
        pattern_message=_bilingual(f["pattern_message"], where) if f.get("pattern_message") else None,
        section=_bilingual(f["section"], where + ".section") if f.get("section") else None,
        wide=bool(f.get("wide", f["type"] == "text")),
        step=str(f.get("step", "")), not_before=f.get("not_before"), not_future=bool(f.get("not_future")),
        required_if=tuple((k, str(v)) for k, v in (f.get("required_if") or {}).items()),
        required_message=_bilingual(f["required_message"], where) if f.get("required_message") else None,
        roles=tuple(f.get("roles", ())), form=f.get("form"), default=f.get("default"),
        compute=f.get("compute"), places=_places(f, where), derived=_derived(f, where),
    )


def _derived(f: dict, where: str) -> bool:
    """``derived: true``: set by the procedure package, so neither typed, required, defaulted nor computed."""
    if not f.get("derived"):
        return False
    if f.get("required") or "default" in f or "compute" in f or f.get("type") == "table":
        raise SpecError(f"{where}: a derived field is set by its procedure: no required, default, compute or table")
    return True


def _places(f: dict, where: str) -> int | None:
    if "places" not in f:
        return None
    if f.get("type") != "decimal" or "compute" not in f or not isinstance(f["places"], int) \
            or not 0 <= f["places"] <= 6:
        raise SpecError(f"{where}: places (0-6) is for computed decimal fields")
    return f["places"]


def _parse_table(f: dict, where: str) -> dict:
    """A table field's columns, row limits and totals (empty for other types, which may not
    declare them)."""
    keys = {"columns", "min_rows", "max_rows", "totals"} & set(f)
    if f["type"] != "table":
        if keys:
            raise SpecError(f"{where}: {sorted(keys)} are for table fields")
        return {}
    columns = _parse_columns(f.get("columns"), where)
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise SpecError(f"{where}: column names repeat")
    for c in columns:
        if c.not_before and c.not_before not in names or any(k not in names for k, _v in c.required_if):
            raise SpecError(f"{where}: column {c.name}: not_before and required_if name other columns")
    lo, hi = f.get("min_rows", 1 if f.get("required") else 0), f.get("max_rows", 100)
    if not isinstance(lo, int) or not isinstance(hi, int) or not 0 <= lo <= hi <= MAX_ROWS or hi < 1:
        raise SpecError(f"{where}: 0 <= min_rows <= max_rows <= {MAX_ROWS}, max_rows at least 1")
    totals = tuple(f.get("totals") or ())
    by_name = {c.name: c for c in columns}
    for t in totals:
        if t not in by_name or by_name[t].type not in ("integer", "decimal"):
            raise SpecError(f"{where}: totals must name integer or decimal columns, not {t!r}")
    return {"columns": tuple(columns), "min_rows": lo, "max_rows": hi, "totals": totals}


def _parse_columns(raw, where: str) -> list:
    """A table's ``columns``: fields of any type but a table, without step, section or default."""
    if not isinstance(raw, list) or not raw:
        raise SpecError(f"{where}: a table field needs columns (a list of fields)")
    columns = []
    for i, c in enumerate(raw):
        at = f"{where}.columns[{i}]"
        if not isinstance(c, dict):
            raise SpecError(f"{at}: must be a mapping")
        if c.get("type") not in COLUMN_TYPES:
            raise SpecError(f"{at}: type must be one of {sorted(COLUMN_TYPES)}")
        if NOT_IN_COLUMNS & set(c):
            raise SpecError(f"{at}: a column may not declare {sorted(NOT_IN_COLUMNS & set(c))}")
        columns.append(_parse_field(c, at))
    return columns


def _parse_lookups(raw, source: str) -> dict:
    """``lookups:`` tables read by ``lookup(table, key, column)``: {name: {key: column, rows: [...]}}."""
    out = {}
    for name, table in _closed(raw, set(raw or ()), f"{source}: lookups").items():
        where = f"{source}: lookups.{name}"
        table = _closed(table, {"key", "rows"}, where)
        rows, key = table.get("rows"), table.get("key")
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,59}", str(name)) or not isinstance(rows, list) or not rows \
                or not all(isinstance(r, dict) for r in rows) or not isinstance(key, str):
            raise SpecError(f"{where}: a lookup table is {{key: <column>, rows: [{{<column>: value, ...}}, ...]}}")
        if any(key not in r for r in rows):
            raise SpecError(f"{where}: every row needs the key column {key!r}")
        keys = [str(r[key]) for r in rows]
        if len(set(keys)) != len(keys):
            raise SpecError(f"{where}: key {key!r} repeats")
        out[name] = {"key": key, "rows": [{str(k): v for k, v in r.items()} for r in rows],
                     "columns": frozenset(str(k) for r in rows for k in r)}
    return out


def _check_computed(fields: list, workflow: list, lookups: dict, source: str) -> list:
    """Compile every ``compute:`` against what it may read: the record's fields filled at its own
    step or before, a table's columns in aggregates, the row's other columns in a column."""
    steps = [w.name for w in workflow]
    tables = {f.name: frozenset(c.name for c in f.columns) for f in fields if f.type == "table"}
    plain = frozenset(f.name for f in fields if f.type != "table")
    lookup_columns = {n: t["columns"] for n, t in lookups.items()}
    by_name = {f.name: f for f in fields}
    out = []
    for f in fields:
        where = f"{source}: field {f.name}"
        if f.compute is not None:
            if f.type not in compute.COMPUTED_TYPES:
                raise SpecError(f"{where}: a computed field is one of {list(compute.COMPUTED_TYPES)}")
            expr = compute.compile_expr(f.compute, where, compute.Scope(plain - {f.name}, tables, lookup_columns))
            _not_later(f, expr, by_name, steps, where)
            f = FieldSpec(**{**f.__dict__, "compute": expr, "required": False})
        if f.columns:
            columns = []
            for c in f.columns:
                if c.compute is not None:
                    at = f"{where}.{c.name}"
                    if c.type not in compute.COMPUTED_TYPES:
                        raise SpecError(f"{at}: a computed column is one of {list(compute.COMPUTED_TYPES)}")
                    scope = compute.Scope(plain, tables, lookup_columns, row=tables[f.name] - {c.name})
                    expr = compute.compile_expr(c.compute, at, scope)
                    _not_later(f, expr, by_name, steps, at)
                    c = FieldSpec(**{**c.__dict__, "compute": expr, "required": False})
                columns.append(c)
            f = FieldSpec(**{**f.__dict__, "columns": tuple(columns)})
            compute.row_order(f, source)  # a circle between columns is refused now
        out.append(f)
    compute.order(out, source)
    return out


def _not_later(f, expr, by_name: dict, steps: list, where: str) -> None:
    """A value worked out at a step may read only what is filled by then (it is frozen when signed)."""
    for name in expr.names | expr.tables:
        other = by_name.get(name)
        if other is not None and steps.index(other.step) > steps.index(f.step):
            raise SpecError(f"{where}: compute reads {name!r}, filled at the later step {other.step!r}")


def _parse_step(s: dict, where: str) -> StepSpec:
    """One entry of ``workflow``."""
    _closed(s, STEP_KEYS, where)
    roles = tuple(s["roles"])
    bad = [r for r in roles if r not in ROLES]
    if bad:
        raise SpecError(f"{where}: unknown roles {bad}")
    if s["meaning"] not in MEANINGS:
        raise SpecError(f"{where}: meaning must be one of {sorted(MEANINGS)}")
    return StepSpec(
        name=s["name"], label=_bilingual(s["label"], where), roles=roles,
        meaning=s["meaning"], own_department=bool(s.get("own_department", True)),
        not_same_as=tuple(s.get("not_same_as", ())), department_field=s.get("department_field"),
        signer_field=s.get("signer_field"),
        only_if=tuple((k, str(v)) for k, v in (s.get("only_if") or {}).items()),
        departments=_codes(s.get("departments"), where),
        customer_signature=_customer_signature(s.get("customer_signature"), f"{where}.customer_signature"),
    )


CUSTOMER_SIGNATURE_KEYS = {"required", "label"}
CUSTOMER_SIGNATURE_LABEL = {"zh": "客户签名", "en": "Customer signature"}


def _customer_signature(value, where: str) -> dict | None:
    """A step's ``customer_signature: {required: true, label: {zh, en}}``: the customer signs at this
    step (``required``: the step cannot be signed without it or a witnessed refusal)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise SpecError(f"{where}: must be a mapping such as {{required: true, label: {{zh: 客户签名, en: ...}}}}")
    _closed(value, CUSTOMER_SIGNATURE_KEYS, where)
    required = value.get("required", False)
    if not isinstance(required, bool):
        raise SpecError(f"{where}.required: must be true or false")
    label = _bilingual(value["label"], f"{where}.label") if "label" in value else dict(CUSTOMER_SIGNATURE_LABEL)
    return {"required": required, "label": label}


def _check_fields(fields: list, workflow: list, source: str) -> list:
    """Cross-checks of fields against each other and the workflow; a field without a step is
    filled at the first one."""
    step_names = [w.name for w in workflow]
    by_name = {f.name: f for f in fields}
    out = []
    for f in fields:
        if not f.step:
            f = FieldSpec(**{**f.__dict__, "step": step_names[0]})
        if f.step not in step_names:
            raise SpecError(f"{source}: field {f.name}: step {f.step!r} is not a workflow step")
        if f.not_before and (f.not_before not in by_name or f.type not in ("date", "datetime")
                             or by_name[f.not_before].type not in ("date", "datetime")):
            raise SpecError(f"{source}: field {f.name}: not_before must name another date field")
        if any(k not in by_name for k, _v in f.required_if):
            raise SpecError(f"{source}: field {f.name}: required_if names an unknown field")
        if f.not_future and f.type not in ("date", "datetime"):
            raise SpecError(f"{source}: field {f.name}: not_future is for date and datetime fields")
        _check_default(f, source)
        if isinstance(f.default, dict) and "by" in f.default:
            _check_default_by(f, by_name, step_names[0], source)
        elif isinstance(f.default, dict):
            link = by_name.get(f.default.get("from"))
            if set(f.default) != {"from", "field"} or link is None or link.type != "record" \
                    or not isinstance(f.default.get("field"), str):
                raise SpecError(f"{source}: field {f.name}: a default from a linked record is "
                                "{from: <a link field of this form>, field: <a field of the linked record>}")
        out.append(f)
    for s in workflow:
        if s.signer_field and (s.signer_field not in by_name or by_name[s.signer_field].type != "user"):
            raise SpecError(f"{source}: step {s.name}: signer_field must name a user field")
    return out


def _check_default(f: FieldSpec, source: str) -> None:
    """A worked-out default (``now``, ``me``, ``+24h``...) must suit the field's type."""
    d = f.default
    if not isinstance(d, str):
        return
    if d in DEFAULT_TOKENS and f.type not in DEFAULT_TOKENS[d]:
        raise SpecError(f"{source}: field {f.name}: default {d!r} is for {'/'.join(DEFAULT_TOKENS[d])} fields")
    if RELATIVE_DEFAULT.match(d) and f.type not in ("date", "datetime"):
        raise SpecError(f"{source}: field {f.name}: default {d!r} is for date and datetime fields")
    if RELATIVE_DEFAULT.match(d) and d.endswith("h") and f.type != "datetime":
        raise SpecError(f"{source}: field {f.name}: default {d!r} in hours is for datetime fields")


def _check_default_by(f: FieldSpec, by_name: dict, first_step: str, source: str) -> None:
    """``default: {by: <choice field>, values: {<choice>: <default>}, else: <default>}``: a default
    that follows another field's choice (a reply limit by category); each default suits the field."""
    d = f.default
    chooser = by_name.get(d.get("by"))
    if set(d) - {"by", "values", "else"} or chooser is None or chooser.type != "choice" \
            or (chooser.step or first_step) != f.step or not isinstance(d.get("values", {}), dict):
        raise SpecError(f"{source}: field {f.name}: a default by another field is "
                        "{by: <a choice field of the same step>, values: {<choice>: <default>}, else: <default>}")
    unknown = set(map(str, d.get("values", {}))) - {v for v, _label in chooser.choices}
    if unknown:
        raise SpecError(f"{source}: field {f.name}: default values for unknown choices {sorted(unknown)}")
    for value in [*d.get("values", {}).values(), d.get("else")]:
        if value is not None:
            _check_default(FieldSpec(**{**f.__dict__, "default": value}), source)


def _parse_permissions(raw, source: str) -> tuple[dict, tuple]:
    """``permissions``: roles per action, and the departments that alone create records."""
    raw = _closed(raw, set(ACTIONS) | {"departments"}, f"{source}: permissions")
    perms = {a: tuple(raw.get(a, ())) for a in ACTIONS}
    for a, roles in perms.items():
        bad = [r for r in roles if r not in ROLES]
        if bad:
            raise SpecError(f"{source}: permissions.{a}: unknown roles {bad}")
    return perms, _codes(raw.get("departments"), f"{source}: permissions")


def _parse_register(raw, names: list, source: str, line_columns: set = frozenset()) -> tuple:
    """``register``: columns, filters, search fields and sort keys, each naming a field or a system column."""
    reg = _closed(raw, REGISTER_KEYS, f"{source}: register")
    columns = tuple(reg.get("columns", ["number", "status", "updated_at"]))
    filters, search = tuple(reg.get("filters", ())), tuple(reg.get("search", ()))
    for c in columns + filters + search:
        if c not in names and c not in SYSTEM_COLUMNS and not (c in filters and c in line_columns):
            raise SpecError(f"{source}: register names unknown field {c!r}")
    sort = tuple(reg.get("sort", ("id", "number", "updated_at")))
    for c in sort:
        if c not in SORTABLE_SYSTEM and c not in filters:
            raise SpecError(f"{source}: sort {c!r} must be a system column or a filter field")
    return columns, filters, search, sort


_parsed: dict = {}


def read_file(path: Path) -> tuple[str, object]:
    """One declaration file as (text, parsed yaml), parsed once per content: the app
    reads the folders at every start (the reminder rules check their forms, ``sync`` loads them),
    and the pure-Python YAML parser takes ~20 ms a file. Callers get their own copy to change."""
    text = path.read_text(encoding="utf-8")  # reading is cheap; the text itself is the key
    if text not in _parsed:
        if len(_parsed) > 1000:
            _parsed.clear()
        _parsed[text] = yaml.safe_load(text)
    return text, copy.deepcopy(_parsed[text])


def read_dir(folder: str | Path) -> list[tuple[Path, str, dict]]:
    """Every declaration file in ``folder`` as (path, text, parsed yaml)."""
    return [(path, *read_file(path)) for path in sorted(Path(folder).glob("*.yaml"))]


def sync(folder: str | Path) -> list[str]:
    """Load declarations into the database; a changed file becomes a new revision. Returns messages."""
    messages = []
    for path, text, raw in read_dir(folder):
        spec = parse(raw, path.name)  # refuse a broken declaration before writing anything
        digest = hashlib.sha256(text.encode()).hexdigest()
        latest = db.session.execute(
            select(FormRevision).where(FormRevision.code == spec.code).order_by(FormRevision.seq.desc()).limit(1)
        ).scalar()
        if latest and latest.content_hash == digest:
            continue
        seq = (latest.seq + 1) if latest else 1
        db.session.add(FormRevision(code=spec.code, revision=spec.revision, seq=seq,
                                    content_hash=digest, spec_json=json.dumps(raw, ensure_ascii=False, default=str)))
        messages.append(f"form {spec.code} revision {spec.revision} (load #{seq})")
    db.session.flush()
    _cache["latest_at"] = 0.0
    return messages


_cache: dict = {"by_id": {}, "latest": {}, "latest_at": 0.0}
LATEST_TTL = 30.0  # seconds; `qms init` in another process is seen within this time


def by_revision(revision_id: int) -> FormSpec:
    """The spec a record was filled under (revisions never change, so cached forever)."""
    spec = _cache["by_id"].get(revision_id)
    if spec is None:
        row = db.session.get(FormRevision, revision_id)
        raw = json.loads(row.spec_json)
        spec = parse(raw, row.code, strict=False)
        spec = FormSpec(**{**spec.__dict__, "revision_id": row.id})
        _cache["by_id"][revision_id] = spec
    return spec


def _latest_ids() -> dict:
    now = time.monotonic()
    if now - _cache["latest_at"] > LATEST_TTL:
        sub = select(FormRevision.code, func.max(FormRevision.seq).label("seq")).group_by(FormRevision.code).subquery()
        rows = db.session.execute(
            select(FormRevision.code, FormRevision.id).join(
                sub, (sub.c.code == FormRevision.code) & (sub.c.seq == FormRevision.seq))
        ).all()
        _cache["latest"] = {code: rid for code, rid in rows}
        _cache["latest_at"] = now
    return _cache["latest"]


def get(code: str) -> FormSpec | None:
    """The current revision of form ``code``, or None if there is no such form."""
    rid = _latest_ids().get(code)
    return by_revision(rid) if rid else None


def all_specs() -> list[FormSpec]:
    """Current revisions of every form, ordered by code."""
    return [by_revision(rid) for _, rid in sorted(_latest_ids().items())]


def reset_cache() -> None:
    """Forget cached specs (tests that reload declarations)."""
    _cache.update({"by_id": {}, "latest": {}, "latest_at": 0.0})
