"""Computed values (``compute:`` on a field or a table column): a small, safe expression language.

An expression is parsed with :mod:`ast` and walked node by node; only what is listed here is
allowed, so nothing reaches Python's ``eval``. It reads the record's fields by name (in a table
column: the row's own columns first, then the record's fields), a table column as
``items.amount`` (for ``sum``/``count``/``avg``/``min``/``max``), and the form's ``lookups:``
tables through ``lookup(table, key, column)``. Arithmetic is decimal (money adds up exactly).

Checked when the declaration loads (:func:`compile_expr` raises ``SpecError`` with the file, the
field and the column of the mistake); evaluated on the server on every save (:func:`apply`), so
what the page shows while filling is a preview, and what is stored is worked out again. Once the
step that owns the field is signed the value is part of the signed content and never recomputed.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from ..core.errors import SpecError
from ..core.i18n import tr
from .procedures import rules_for

FUNCTIONS = {"sum", "count", "avg", "min", "max", "round", "abs", "lookup"}
AGGREGATES = {"sum", "count", "avg"}
_BINOPS = {ast.Add, ast.Sub, ast.Mult, ast.Div}
_CMPOPS = {ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE}
COMPUTED_TYPES = ("integer", "decimal", "string", "choice")


class ComputeError(Exception):
    """A value that cannot be worked out (division by zero, a key missing from a lookup table)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Expr:
    """A checked expression: its source, its tree and the names it reads."""

    source: str
    tree: ast.Expression
    names: frozenset  # field (or sibling column) names read
    tables: frozenset  # table fields read as a whole or by column (items, items.amount)

    def __repr__(self):
        return f"Expr({self.source!r})"


@dataclass(frozen=True)
class Scope:
    """What an expression may name: fields, table fields with their columns, lookup tables."""

    fields: frozenset
    tables: dict  # {table field: frozenset(columns)}
    lookups: dict  # {lookup table: frozenset(columns)}
    row: frozenset = frozenset()  # a column's siblings, when the expression is a column's


def compile_expr(source, where: str, scope: Scope) -> Expr:
    """Parse and check ``source``; raise SpecError naming ``where`` and the column of the mistake."""
    if not isinstance(source, str) or not source.strip():
        raise SpecError(f"{where}: compute must be an expression, e.g. 'quantity * price'")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise SpecError(f"{where}: compute {source!r}: {exc.msg} at column {exc.offset or 0}") from None
    checker = _Checker(source.strip(), where, scope)
    checker.visit(tree.body)
    return Expr(source=source.strip(), tree=tree, names=frozenset(checker.names), tables=frozenset(checker.tables))


class _Checker:
    """Walks an expression's tree and refuses anything the language does not have."""

    def __init__(self, source: str, where: str, scope: Scope):
        self.source, self.where, self.scope = source, where, scope
        self.names, self.tables = set(), set()

    def bad(self, node, message):
        raise SpecError(f"{self.where}: compute {self.source!r}: {message} "
                        f"at column {getattr(node, 'col_offset', 0) + 1}")

    def visit(self, node, aggregate: bool = False):
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, (int, float, str)) or isinstance(node.value, bool):
                self.bad(node, "only numbers and quoted text are allowed")
        elif isinstance(node, ast.Name):
            self.name(node, aggregate)
        elif isinstance(node, ast.Attribute):
            self.column(node, aggregate)
        elif isinstance(node, ast.Call):
            self.call(node)
        elif isinstance(node, (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp)) and self.allowed(node):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.visit(child)
        else:
            self.bad(node, f"{type(node).__name__} is not allowed")

    @staticmethod
    def allowed(node) -> bool:
        if isinstance(node, ast.BinOp):
            return type(node.op) in _BINOPS
        if isinstance(node, ast.UnaryOp):
            return isinstance(node.op, (ast.USub, ast.UAdd, ast.Not))
        if isinstance(node, ast.Compare):
            return all(type(op) in _CMPOPS for op in node.ops)
        return True

    def name(self, node, aggregate: bool):
        scope = self.scope
        if node.id in scope.row or node.id in scope.fields:
            self.names.add(node.id)
        elif node.id in scope.tables and aggregate:
            self.tables.add(node.id)
        elif node.id in scope.tables:
            self.bad(node, f"table {node.id!r} can only be read by sum/count/avg/min/max")
        else:
            self.bad(node, f"unknown name {node.id!r}")

    def column(self, node, aggregate: bool):
        tables = self.scope.tables
        if not aggregate:
            self.bad(node, "a table column can only be read by sum/count/avg/min/max")
        if not (isinstance(node.value, ast.Name) and node.value.id in tables):
            self.bad(node, "only a table's column may be read with '.' (items.amount)")
        if node.attr not in tables[node.value.id]:
            self.bad(node, f"table {node.value.id!r} has no column {node.attr!r}")
        self.tables.add(node.value.id)

    def call(self, node):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
            self.bad(node, f"functions are {', '.join(sorted(FUNCTIONS))}")
        fn, args = node.func.id, node.args
        if fn == "lookup":
            return self.lookup(node)
        arity = {"round": (1, 2), "abs": (1,), **{a: (1,) for a in AGGREGATES}}.get(fn)
        if (arity and len(args) not in arity) or not args:
            self.bad(node, f"{fn}() takes {' or '.join(map(str, arity or (1,)))} values")
        one_column = fn in AGGREGATES or (fn in ("min", "max") and len(args) == 1)
        for a in args:
            self.visit(a, aggregate=one_column)

    def lookup(self, node):
        args, lookups = node.args, self.scope.lookups
        if len(args) != 3 or not isinstance(args[0], ast.Name) or args[0].id not in lookups:
            self.bad(node, "lookup(table, key, column) needs a table declared under lookups:")
        column = args[2]
        if isinstance(column, ast.Constant) and column.value not in lookups[args[0].id]:
            self.bad(column, f"lookup table {args[0].id!r} has no column {column.value!r}")
        self.visit(args[1])
        self.visit(args[2])


# ---------------------------------------------------------------------------------------------
# Evaluation


def _number(value):
    """A stored value as a number (None stays None: an empty input leaves the result empty)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return str(value)


class _Evaluator:
    def __init__(self, values: dict, row: dict | None, lookups: dict, numeric: set):
        self.values, self.row, self.lookups, self.numeric = values, row or {}, lookups, numeric

    def name(self, key):
        v = self.row[key] if key in self.row else self.values.get(key)
        return _number(v) if key in self.numeric else v

    def column(self, node):
        if isinstance(node, ast.Name):  # a whole table: its rows
            return list(self.values.get(node.id) or [])
        rows = self.values.get(node.value.id) or []
        return [_number(r.get(node.attr)) for r in rows if r.get(node.attr) not in (None, "")]

    def eval(self, node):  # noqa: C901 - one branch per node kind, as compile_expr allows them
        if isinstance(node, ast.Expression):
            return self.eval(node.body)
        if isinstance(node, ast.Constant):
            return Decimal(str(node.value)) if isinstance(node.value, (int, float)) else node.value
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.BinOp):
            return self.binop(node.op, self.eval(node.left), self.eval(node.right))
        if isinstance(node, ast.UnaryOp):
            v = self.eval(node.operand)
            if isinstance(node.op, ast.Not):
                return not v
            if v is None:
                return None
            self.need_number(v)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BoolOp):
            values = [self.eval(v) for v in node.values]
            return all(values) if isinstance(node.op, ast.And) else any(values)
        if isinstance(node, ast.Compare):
            left = self.eval(node.left)
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                right = self.eval(right_node)
                if not self.compare(op, left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.IfExp):
            return self.eval(node.body) if self.eval(node.test) else self.eval(node.orelse)
        return self.call(node)

    @staticmethod
    def need_number(v):
        if not isinstance(v, Decimal):
            raise ComputeError(_l("%(value)s is not a number.", value=v))

    def binop(self, op, a, b):
        if a is None or b is None:
            return None
        if isinstance(op, ast.Add) and isinstance(a, str) and isinstance(b, str):
            return a + b
        self.need_number(a)
        self.need_number(b)
        if isinstance(op, ast.Add):
            return a + b
        if isinstance(op, ast.Sub):
            return a - b
        if isinstance(op, ast.Mult):
            return a * b
        if b == 0:
            raise ComputeError(_l("Cannot be computed: division by zero."))
        return a / b

    @staticmethod
    def compare(op, a, b):
        if isinstance(op, (ast.Eq, ast.NotEq)):
            same = (str(a) == str(b)) if not (isinstance(a, Decimal) and isinstance(b, Decimal)) else a == b
            return same if isinstance(op, ast.Eq) else not same
        if a is None or b is None or isinstance(a, str) != isinstance(b, str):
            return False
        return {ast.Lt: a < b, ast.LtE: a <= b, ast.Gt: a > b, ast.GtE: a >= b}[type(op)]

    def call(self, node):
        fn, args = node.func.id, node.args
        if fn == "lookup":
            return self.lookup(args[0].id, self.eval(args[1]), self.eval(args[2]))
        if fn in AGGREGATES or (fn in ("min", "max") and len(args) == 1):
            items = self.column(args[0])
            if fn == "count":
                return Decimal(len(items))
            for v in items:
                self.need_number(v)
            if fn == "sum":
                return sum(items, Decimal(0))
            if not items:
                return None
            if fn == "avg":
                return sum(items, Decimal(0)) / len(items)
            return min(items) if fn == "min" else max(items)
        values = [self.eval(a) for a in args]
        if any(v is None for v in values):
            return None
        for v in values:
            self.need_number(v)
        if fn == "round":
            places = int(values[1]) if len(values) > 1 else 0
            return values[0].quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if fn == "abs":
            return abs(values[0])
        return min(values) if fn == "min" else max(values)

    def lookup(self, table, key, column):
        if key is None or column is None:
            return None
        spec = self.lookups[table]
        for row in spec["rows"]:
            if str(row.get(spec["key"])) == _text(key):
                if _text(column) not in row:
                    raise ComputeError(_l("Table %(table)s has no column %(column)s.", table=table, column=column))
                return _number(row[_text(column)]) if isinstance(row[_text(column)], (int, float)) \
                    else row[_text(column)]
        if spec.get("missing_is_empty"):  # a package's table whose own check names the missing key
            return None
        raise ComputeError(_l("%(key)s is not in table %(table)s.", key=_text(key), table=table))


def _text(v) -> str:
    """A value as the key of a lookup row (2 and 2.0 read alike)."""
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f")
    return str(v)


def evaluate(expr: Expr, values: dict, lookups: dict, numeric: set, row: dict | None = None):
    """The value of ``expr`` over the record's ``values`` (and a table ``row``); ComputeError if it
    cannot be worked out. ``numeric``: the names (fields and columns) read as numbers."""
    return _Evaluator(values, row, lookups, numeric).eval(expr.tree)


def as_field_value(f, result):
    """A result stored as field ``f`` stores its type: an integer, a decimal text with ``places``
    decimals (2 unless declared), or text. Bounds declared on the field apply to the result."""
    if result is None:
        return None
    if f.type == "string":
        return _text(result) if isinstance(result, Decimal) else str(result)
    if f.type == "choice":  # a choice worked out (from a lookup table) is one of the declared values
        if _text(result) not in {v for v, _label in f.choices}:
            raise ComputeError(_l("%(value)s is not one of the choices.", value=_text(result)))
        return _text(result)
    if not isinstance(result, Decimal):
        raise ComputeError(_l("%(value)s is not a number.", value=result))
    if f.type == "integer":
        result = result.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    else:
        result = result.quantize(Decimal(1).scaleb(-(f.places if f.places is not None else 2)), rounding=ROUND_HALF_UP)
    if f.min is not None and result < Decimal(str(f.min)):
        raise ComputeError(_l("Must be at least %(min)s.", min=f.min))
    if f.max is not None and result > Decimal(str(f.max)):
        raise ComputeError(_l("Must be at most %(max)s.", max=f.max))
    return int(result) if f.type == "integer" else format(result, "f")


def numeric_names(fields) -> set:
    """The names read as numbers (integer and decimal fields)."""
    return {f.name for f in fields if f.type in ("integer", "decimal")}


def order(fields: list, source: str) -> list:
    """Computed fields in the order they can be worked out (one may read another); a cycle is refused."""
    computed = {f.name: f for f in fields if f.compute is not None}
    done, out = set(), []

    def visit(name, path):
        if name in done:
            return
        if name in path:
            raise SpecError(f"{source}: computed fields read each other in a circle: {' -> '.join([*path, name])}")
        for dep in sorted(computed[name].compute.names & set(computed)):
            visit(dep, [*path, name])
        done.add(name)
        out.append(computed[name])

    for name in computed:
        visit(name, [])
    return out


def row_order(table, source: str) -> list:
    """A table's computed columns in the order they can be worked out."""
    return order(list(table.columns), f"{source}: field {table.name}")


def apply(spec, values: dict, only=None) -> dict:
    """Work out the computed fields and columns of the fields being filled (``only``; all when
    None) into ``values`` (the record's values merged with the form's). Returns the messages of
    those that cannot be worked out: {field: [message]}; a table's by row and column."""
    errors = {}
    wanted = set(only) if only is not None else {f.name for f in spec.fields}
    kept = rules_for(spec.code).lookups  # tables a package keeps as data replace the YAML's
    lookups = {**spec.lookups, **(kept() if kept else {})}
    numeric = numeric_names(spec.fields)
    for table in spec.fields:
        if table.type == "table" and table.name in wanted and table.computed_columns:
            errors.update(_apply_rows(table, values, lookups, numeric))
    for f in spec.computed_fields:
        if f.name not in wanted:
            continue
        try:
            values[f.name] = as_field_value(f, evaluate(f.compute, values, lookups, numeric))
        except ComputeError as exc:
            values[f.name] = None
            errors[f.name] = [str(exc.message)]
    return errors


def _apply_rows(table, values: dict, lookups: dict, numeric: set) -> dict:
    messages = []
    row_numeric = numeric | numeric_names(table.columns)
    for n, row in enumerate(values.get(table.name) or [], 1):
        for col in table.computed_columns:
            try:
                row[col.name] = as_field_value(col, evaluate(col.compute, values, lookups, row_numeric, row=row))
            except ComputeError as exc:
                row[col.name] = None
                messages.append(str(_l("Row %(row)d, %(column)s: %(message)s",
                                       row=n, column=tr(col.label), message=exc.message)))
    return {table.name: messages} if messages else {}


def totals(table, rows: list) -> dict:
    """The declared totals of a table's columns over ``rows``: {column: Decimal}."""
    out = {}
    for name in table.totals:
        out[name] = sum((n for r in rows if isinstance(n := _number(r.get(name)), Decimal)), Decimal(0))
    return out
