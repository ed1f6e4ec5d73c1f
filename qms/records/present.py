"""How record values read to people: choice labels, yes/no, local times. Used by pages,
exports and PDFs alike so the three never disagree."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth.models import Department, User
from ..auth.roles import ROLES
from ..core.i18n import current_locale, tr
from ..core.timeutil import fmt
from ..extensions import db
from .models import Record, Status
from .spec import MEANINGS, SYSTEM_COLUMNS

STATUS_LABELS = {
    Status.DRAFT: _l("Draft"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.CLOSED: _l("Closed"),
    Status.VOIDED: _l("Voided"),
    Status.SUPERSEDED: _l("Superseded"),
}
YES, NO = _l("Yes"), _l("No")


_label_cache: dict = {}


def status_label(status: str, locale: str | None = None) -> str:
    """The status in ``locale`` (default: the request's), translated once per locale, then cached."""
    key = (locale or current_locale(), status)
    label = _label_cache.get(key)
    if label is None:
        label = _label_cache[key] = str(STATUS_LABELS.get(status, status))
    return label


def value_text(f, value, locale: str | None = None) -> str:
    """One field value as text for people."""
    if value is None or value == "" or value == []:
        return ""
    if f.type == "boolean":
        return str(YES if value else NO)
    if f.type == "table":  # the rows themselves are shown as a table (records/lines.py)
        return str(_l("%(n)d rows", n=len(value))) if isinstance(value, list) else ""
    if f.type == "choice":
        label = f.choice_label(value)
        return tr(label, locale) if label else str(value)
    if f.type == "multichoice":
        return "、".join(tr(f.choice_label(v), locale) if f.choice_label(v) else str(v) for v in value)
    if f.type == "datetime" and isinstance(value, str):
        return value.replace("T", " ")
    if f.type in ("user", "record") and str(value).isdigit():
        if f.type == "user":
            u = db.session.get(User, int(value))
            return u.full_name if u else str(value)
        r = db.session.get(Record, int(value))
        return r.display_number if r else str(value)
    return str(value)


def prefetch_links(spec, records, columns=None) -> list:
    """Load the people and records that a page's link columns name, one query per kind, so the
    cells find them in the session instead of asking one by one (50 queries for a page of actions).
    Keep the returned list while rendering: the session only holds loaded objects weakly."""

    wanted = {"user": set(), "record": set()}
    fields = [spec.field_map[c] for c in (columns or spec.register_columns)
              if c in spec.field_map and spec.field_map[c].type in wanted]
    if not fields:
        return []
    for r in records:
        values = r.values
        for f in fields:
            v = values.get(f.name)
            if v is not None and str(v).isdigit():
                wanted[f.type].add(int(v))
    kept = []
    for model, ids in ((User, wanted["user"]), (Record, wanted["record"])):
        if ids:
            kept += db.session.execute(select(model).where(model.id.in_(ids))).scalars().all()
    return kept


def column_label(spec, col: str, locale: str | None = None) -> str:
    if col in SYSTEM_COLUMNS:
        return tr(SYSTEM_COLUMNS[col], locale)
    return tr(spec.field_map[col].label, locale)


def cell(spec, record, col: str, locale: str | None = None, values: dict | None = None) -> str:
    """The text of one register cell."""
    if col == "number":
        return record.display_number
    if col == "status":
        return status_label(record.status, locale)
    if col == "department":
        return record.department.label(locale or "zh_CN") if record.department else ""
    if col == "created_by":
        return record.created_by.full_name if record.created_by else ""
    if col in ("created_at", "updated_at"):
        v = getattr(record, col)
        return fmt(v) if isinstance(v, datetime) else ""
    values = values if values is not None else record.values
    f = spec.field_map.get(col)
    return value_text(f, values.get(col), locale) if f else ""


def change_label(spec, key: str) -> str:
    """The label of a changed key in a history row (field label, or the lifecycle word)."""
    if spec is not None and key in spec.field_map:
        return tr(spec.field_map[key].label)
    return str(CHANGE_KEYS.get(key, key))


def change_value(spec, key: str, value) -> str:
    """A value in a history row as people read it: choice labels, yes/no, status words."""
    if value is None or value == "" or value == []:
        return "—"
    if spec is not None and key in spec.field_map:
        return value_text(spec.field_map[key], value) or "—"
    if key == "status":
        return status_label(value)
    if key == "meaning" and value in MEANINGS:
        return tr(MEANINGS[value])
    if key == "step" and spec is not None and spec.step(value):
        return tr(spec.step(value).label)
    if key in ("amended_from", "superseded_by") and str(value).isdigit():
        other = db.session.get(Record, int(value))
        return other.display_number if other else str(value)
    if key == "department_id" and str(value).isdigit():
        dept = db.session.get(Department, int(value))
        return dept.label(current_locale()) if dept else str(value)
    if key == "role":
        return str(ROLES.get(value, value))
    if key == "locale":
        return {"zh_CN": "中文", "en": "English"}.get(value, str(value))
    if isinstance(value, bool):
        return str(YES if value else NO)
    return str(value)


CHANGE_KEYS = {
    "status": _l("Status"), "step": _l("Step"), "meaning": _l("Meaning"), "attachment": _l("Attachment"),
    "returned_signature": _l("Signature returned"), "amended_from": _l("Amends record"),
    "superseded_by": _l("Superseded by"), "locale": _l("Language"),
    "customer_signature": _l("Customer signature"), "witness": _l("Witness"),
    "role": _l("Role"), "department_id": _l("Department"), "active": _l("Active"), "full_name": _l("Full name"),
    "email": _l("E-mail"), "code": _l("Code"), "name_zh": _l("Name (Chinese)"), "name_en": _l("Name (English)"),
}


def who_signs(spec, step, record, locale: str | None = None) -> str:
    """Who may sign ``step`` of ``record``, in words (shown beside a waiting step): the named
    person, or the roles and the department the declaration asks for."""

    if step.signer_field:
        person = db.session.get(User, record.values.get(step.signer_field) or 0)
        return person.full_name if person else ""
    locale = locale or current_locale()
    sep = " or " if locale == "en" else "、"
    codes = list(step.departments)
    if step.department_field and record.values.get(step.department_field):
        codes = [record.values[step.department_field]]
    if codes:
        depts = db.session.execute(select(Department).where(Department.code.in_(codes))).scalars().all()
        where = sep.join(d.label(locale) for d in depts)
    elif step.own_department:
        where = record.department.label(locale) if record.department else ""
    else:
        where = ""
    roles = sep.join(str(ROLES[r]) for r in step.roles)
    if locale == "en":
        return f"{roles} ({where})" if where else roles
    return f"{where} {roles}".strip()


def templates_for(spec, name: str) -> list[str]:
    """A form's own template first (``templates/forms/<CODE>/<name>``), then the generic one.
    Adding a form needs no template; one that wants its own layout adds just that file."""
    generic = "pdf/record.html" if name == "pdf.html" else f"records/{name}"
    return [f"forms/{spec.code}/{name}", generic]


def present_values(spec, record, locale: str) -> dict:
    """Stored values as people read them (for the read-only part of a step's form)."""
    values = record.values
    return {f.name: value_text(f, values.get(f.name), locale) for f in spec.fields}
