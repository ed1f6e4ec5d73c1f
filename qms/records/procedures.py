"""The procedure contract: what a procedure package adds to the engine, declared once.

Each package (``qms/capa``, ``qms/instruments``...) declares one :class:`Procedure` in its
``__init__.py``: per form code the rules a YAML declaration cannot express (value checks, sign
checks, after-change hooks, the record-page panel, what its printout adds, other names a record
goes by), plus its blueprints, reminder rules, user-change checks, audit action labels and the
typed top-level YAML keys it reads. ``qms/__init__.py`` lists the packages once; ``create_app``
merges their declarations into one :class:`Registry` kept on the app, and the engine asks it by
form code: a hook of one form never runs on another's save. Compare frappe's per-DocType
controller and invenio's config-declared service components, kept here as plain data.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType

from flask import current_app, has_app_context

_EMPTY: Mapping = MappingProxyType({})


@dataclass(frozen=True)
class FormRules:
    """What one package adds to one form. Every callable runs in the caller's transaction.

    - ``checks``: ``(record | None, values, user) -> {field: [message]}`` on create, update and sign;
    - ``draft_checks``: the same, run only while the record is new or a draft (the gate is checked
      when it is filled in, not again at later steps);
    - ``sign_checks``: ``(record, spec, step, user) -> message | None``: why ``step`` cannot be
      signed yet (shown before the password is asked for);
    - ``on_change``: ``(record, spec, new) -> None`` after every lifecycle change of a record;
    - ``panel``: ``(record, spec, user) -> {"template": ..., **data} | None`` on the record page;
    - ``pdf_extras``: ``(record, locale) -> {name: plain data}`` for the printout (part of its cache key);
    - ``link_alias``: ``(text) -> record id | None``: another name a record is typed by in link fields;
    - ``lookups``: ``() -> {table: {"key", "rows", "columns"}}``: lookup tables kept as data by the
      package (an admin-edited catalogue), read by ``compute:`` in place of the YAML table of the same
      name (which declares the shape, so expressions are still checked when the file loads); with
      ``"missing_is_empty": True`` a key not in the table reads as empty (the package's check says why).
    - ``derive``: ``(record | None, values, user) -> {field: value}`` on create and update: the values of
      the form's ``derived: true`` fields (only those of the step being saved are kept), before the checks.
    """

    checks: tuple = ()
    draft_checks: tuple = ()
    sign_checks: tuple = ()
    on_change: tuple = ()
    panel: Callable | None = None
    pdf_extras: Callable | None = None
    link_alias: Callable | None = None
    lookups: Callable | None = None
    derive: tuple = ()


@dataclass(frozen=True)
class Procedure:
    """One package's declaration (see the module docstring)."""

    code: str  # the procedure document it implements (QP-INS), or the package's name
    forms: Mapping[str, FormRules] = field(default_factory=dict)
    blueprints: tuple = ()
    reminders: tuple = ()  # calendar and managed rule declarations (dicts, as in forms' ``reminders:``)
    user_change_checks: tuple = ()  # (user, new values) -> {field: [message]} before a user is changed
    audit_actions: Mapping = field(default_factory=dict)  # {action code: lazy label} it logs
    extensions: Mapping = field(default_factory=dict)  # {top-level YAML key: parse(value, where, code) -> value}
    every_change: tuple = ()  # (record, spec, new) hooks that apply to every form (reminder watches)
    # (record, spec, event, detail) hooks, every form: a lifecycle event someone must hear of, e.g.
    # "send_back" with detail {"signature", "by", "reason", "step"} (the returned signer's notice)
    record_events: tuple = ()
    # (now) -> int jobs the scheduler runs after each reminder sweep: what a procedure must do when
    # time passes, not when a record changes (an overdue key-customer service opens a nonconformity).
    # Idempotent: they run every minute, and twice when a second scheduler takes over.
    sweeps: tuple = ()


def from_parts(code: str, parts: tuple) -> Procedure:
    """One package's :class:`Procedure` merged from its part modules: each may define ``FORMS`` (form
    code → FormRules), ``BLUEPRINTS``, ``RULES`` (reminder rules), ``AUDIT_ACTIONS``, ``EXTENSIONS``
    and ``SWEEPS`` (a package of several parts adds a part with one line)."""
    def merged(name: str) -> dict:
        out: dict = {}
        for part in parts:
            out.update(getattr(part, name, {}))
        return out

    def forms() -> dict:
        # Two parts may add to one form (a statistics part counting another part's records): their
        # rules are joined as the Registry joins two packages'.
        out: dict = {}
        for part in parts:
            for code, rules in getattr(part, "FORMS", {}).items():
                out[code] = join_rules(out[code], rules, code) if code in out else rules
        return out

    def joined(name: str) -> tuple:
        return tuple(item for part in parts for item in getattr(part, name, ()))

    return Procedure(code, forms=forms(), blueprints=joined("BLUEPRINTS"), reminders=joined("RULES"),
                     audit_actions=merged("AUDIT_ACTIONS"), extensions=merged("EXTENSIONS"), sweeps=joined("SWEEPS"))


def join_rules(a: FormRules, b: FormRules, code: str) -> FormRules:
    """Two parts' rules for one form: the hook tuples concatenated; a single-valued hook (panel,
    printout extras, link alias, lookups) may come from one part only."""
    out = {}
    for f in fields(FormRules):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, tuple):
            out[f.name] = x + y
        elif x is not None and y is not None:
            raise ValueError(f"{code}: two parts declare {f.name}")
        else:
            out[f.name] = x if x is not None else y
    return FormRules(**out)


class Registry:
    """The merged declarations of the procedures an app runs, looked up by form code."""

    def __init__(self, procedures: tuple[Procedure, ...] = ()):
        self.procedures = tuple(procedures)
        merged: dict[str, dict] = {}
        for proc in self.procedures:
            for code, rules in proc.forms.items():
                slot = merged.setdefault(code, {"checks": [], "draft_checks": [], "sign_checks": [],
                                                "on_change": [], "panel": None, "pdf_extras": None,
                                                "link_alias": None, "lookups": None, "derive": []})
                for name in ("checks", "draft_checks", "sign_checks", "on_change", "derive"):
                    slot[name].extend(getattr(rules, name))
                for name in ("panel", "pdf_extras", "link_alias", "lookups"):
                    if getattr(rules, name) is not None:
                        if slot[name] is not None:
                            raise ValueError(f"{proc.code}: form {code} has two {name} declarations")
                        slot[name] = getattr(rules, name)
        self._forms = {code: FormRules(**{k: tuple(v) if isinstance(v, list) else v for k, v in slot.items()})
                       for code, slot in merged.items()}
        self.blueprints = tuple(bp for p in self.procedures for bp in p.blueprints)
        self.reminders = tuple(r for p in self.procedures for r in p.reminders)
        self.user_change_checks = tuple(c for p in self.procedures for c in p.user_change_checks)
        self.every_change = tuple(h for p in self.procedures for h in p.every_change)
        self.record_events = tuple(h for p in self.procedures for h in p.record_events)
        self.sweeps = tuple(job for p in self.procedures for job in p.sweeps)
        self.audit_actions = {k: v for p in self.procedures for k, v in p.audit_actions.items()}
        self.extensions: dict = {}
        for p in self.procedures:
            for key, parser in p.extensions.items():
                if key in self.extensions:
                    raise ValueError(f"{p.code}: the declaration key {key!r} is claimed twice")
                self.extensions[key] = parser

    def rules(self, code: str) -> FormRules:
        """What the procedures add to form ``code`` (nothing when none does)."""
        return self._forms.get(code, _NONE)

    def forms(self) -> Mapping[str, FormRules]:
        """Every form some procedure adds rules to."""
        return MappingProxyType(self._forms)


_NONE = FormRules()


def load(names: tuple[str, ...]) -> tuple[Procedure, ...]:
    """Import each package named and return its ``PROCEDURE``."""
    return tuple(importlib.import_module(name).PROCEDURE for name in names)


def registry() -> Registry:
    """The registry of the running app (an empty one outside an app: the engine alone)."""
    if has_app_context():
        reg = current_app.extensions.get("qms.procedures")
        if reg is not None:
            return reg
    return _ENGINE_ONLY


_ENGINE_ONLY = Registry()


def rules_for(code: str) -> FormRules:
    """Shorthand: ``registry().rules(code)``."""
    return registry().rules(code)
