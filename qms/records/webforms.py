"""Declarations -> WTForms classes. One validation path for the web form and the API."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtf_translations
from sqlalchemy import case, literal, select
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    validators,
)
from wtforms.fields.choices import SelectChoice

from ..auth.models import User
from ..core.i18n import tr
from ..core.timeutil import local, today, utcnow
from ..extensions import db
from . import phones
from .lookup import record_by_text
from .models import Record
from .procedures import rules_for
from .spec import RELATIVE_DEFAULT, conditions_hold

PHONE = r"^[0-9+\-() ]{5,30}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class _Required(validators.InputRequired):
    """Required, with our translated message; spaces alone do not count as an answer."""

    def __init__(self):
        super().__init__(message=_l("This field is required."))

    def __call__(self, form, field):
        super().__call__(form, field)
        if isinstance(field.data, str) and not field.data.strip():
            field.errors[:] = []
            raise validators.StopValidation(self.message)


class _NoControlChars:
    """Refuse control characters in one-line text: they break exports and printouts."""

    def __call__(self, form, field):
        if isinstance(field.data, str) and re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", field.data):
            raise validators.ValidationError(_("Contains characters that are not allowed."))


class _Range(validators.NumberRange):
    """NumberRange that stays quiet when the value could not even be read (one message, not two)."""

    def __call__(self, form, field):
        if field.process_errors or field.data is None:
            return
        super().__call__(form, field)


def _check_year(value) -> None:
    """Records are about this company's work: a year outside 1900-2100 is a typing slip."""
    if value is not None and not 1900 <= value.year <= 2100:
        raise ValueError(_("Enter a year between 1900 and 2100."))


class _Dated:
    """Mixin for date fields: a parse error names the expected format; years must be plausible."""

    format_hint = None  # lazy message, set by the subclass

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(self.format_hint)) from None
        _check_year(self.data)


class _Date(_Dated, DateField):
    format_hint = _l("Enter a date as YYYY-MM-DD.")


class _DateTime(_Dated, DateTimeLocalField):
    format_hint = _l("Enter a date and time as YYYY-MM-DD HH:MM.")


def _user_choices(roles: tuple):
    """Active users to choose from (a callable: read when the form is built, so it is current);
    the people of the chooser's own department first, as they are the ones usually picked."""
    def choices():
        me = current_user if has_request_context() and getattr(current_user, "is_authenticated", False) else None
        mine = case((User.department_id == me.department_id, 0), else_=1) if me is not None else literal(1)
        stmt = select(User).where(User.active.is_(True)).order_by(mine, User.department_id, User.full_name)
        if roles:
            stmt = stmt.where(User.role.in_(roles))
        return [SelectChoice("", "—")] + [SelectChoice(str(u.id), f"{u.full_name} ({u.username})")
                                          for u in db.session.execute(stmt).scalars()]
    return choices


class _RecordLink(StringField):
    """A link to another record, typed as its number (TS-2026-0001) or #id; stored as the id."""

    def __init__(self, *args, form_code=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_code = form_code
        self.record_id = None

    def pre_validate(self, form):
        text = (self.data or "").strip()
        if not text:
            return
        if re.search(r"[\x00-\x1f]", text):  # never a number (and PostgreSQL refuses NUL in a query)
            raise validators.StopValidation(_("No such record."))

        stmt = select(Record.id, Record.form_code)
        if text.lstrip("#").isdigit() and len(text) < 10:
            stmt = stmt.where(Record.id == int(text.lstrip("#")))
        else:  # numbers are upper case; people type them as they come
            stmt = stmt.where(Record.number == text[:60].upper()).order_by(Record.revision_no.desc())
        found = db.session.execute(stmt.limit(1)).first()
        # Another name a record goes by (an instrument's asset number on its label), if declared.
        alias_of = rules_for(self.form_code).link_alias if self.form_code else None
        if found is None and alias_of is not None:
            alias = alias_of(text[:200])
            found = db.session.execute(select(Record.id, Record.form_code).where(Record.id == alias)).first() \
                if alias else None
        if found is None or (self.form_code and found.form_code != self.form_code):
            raise validators.StopValidation(_("No such record."))
        self.record_id = found.id


def _bounds(f):
    out = []
    if f.min is not None or f.max is not None:
        if f.min is not None and f.max is not None:
            msg = _l("Must be between %(min)s and %(max)s.", min=f.min, max=f.max)
        elif f.min is not None:
            msg = _l("Must be at least %(min)s.", min=f.min)
        else:
            msg = _l("Must be at most %(max)s.", max=f.max)
        out.append(_Range(min=f.min, max=f.max, message=msg))
    return out


def _field(f, locale):
    """One WTForms field for one declared field."""
    vals = [_Required()] if f.required else [validators.Optional()]
    kw = {"label": tr(f.label, locale), "description": tr(f.help, locale) if f.help else ""}
    if f.type in ("string", "text", "phone", "email"):
        length = f.max_length or (4000 if f.type == "text" else 200)
        vals.append(validators.Length(max=length, message=_l("At most %(max)d characters.", max=length)))
        if f.type != "text":
            vals.append(_NoControlChars())
        pattern = f.pattern or {"phone": PHONE, "email": EMAIL}.get(f.type)
        if pattern:
            msg = tr(f.pattern_message, locale) if f.pattern_message else {
                "phone": _l("Enter a valid phone number."), "email": _l("Enter a valid e-mail address."),
            }.get(f.type, _l("The format is not valid."))
            vals.append(validators.Regexp(pattern, message=msg))
        cls = TextAreaField if f.type == "text" else StringField
        strip = [lambda s: s.strip() if isinstance(s, str) else s]
        if f.type == "phone":
            # A Chinese input method types full-width digits and dashes ("０７５６－…"): kept as ASCII.
            strip.insert(0, lambda s: phones.fold(s) if isinstance(s, str) else s)
        return cls(validators=vals, filters=strip, **kw)
    if f.type == "integer":
        return IntegerField(validators=vals + _bounds(f), **kw)
    if f.type == "decimal":
        return DecimalField(validators=vals + _bounds(f), places=None, **kw)
    if f.type == "date":
        return _Date(validators=vals, **kw)
    if f.type == "datetime":
        return _DateTime(validators=vals, format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"], **kw)
    if f.type == "boolean":
        return BooleanField(validators=[validators.Optional()], **kw)
    if f.type == "user":
        return SelectField(choices=_user_choices(f.roles), validators=vals, validate_choice=True, **kw)
    if f.type == "record":
        return _RecordLink(validators=vals, form_code=f.form, filters=[lambda s: s.strip() if s else s], **kw)
    choices = [SelectChoice(v, tr(lbl, locale)) for v, lbl in f.choices]
    if f.type == "choice":
        return SelectField(choices=[SelectChoice("", "—")] + choices,
                           validators=vals, validate_choice=True, **kw)
    if f.type == "multichoice":
        return SelectMultipleField(choices=choices, validators=vals, **kw)
    if f.type == "table":
        # One more entry than allowed is read, so "too many rows" can be said; more are not read at all.
        return _Table(FormField(_row_class(f, locale)), table=f, max_entries=f.max_rows + 1,
                      min_entries=max(f.min_rows, 1), **kw)
    raise ValueError(f.type)


def is_blank(entry) -> bool:
    """A row nobody typed in (an extra empty row on the page): left out, not refused."""
    return not any((x or "").strip() if isinstance(x, str) else x
                   for sub in entry.form for x in (sub.raw_data or []))


class _Table(FieldList):
    """A table field's rows. Empty rows are dropped; each cell is validated with its column's
    rules; the messages name the row and the column ("第2行「金额」：…")."""

    def __init__(self, *args, table=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.table = table

    def filled(self) -> list:
        """The rows with something typed in them."""
        return [e for e in self.entries if not is_blank(e)]

    def validate(self, form, extra_validators=()):
        self.errors = []
        for n, entry in enumerate(self.entries, 1):
            if is_blank(entry):
                continue
            entry.validate(form)
            for col in entry.form:
                for message in col.errors:
                    self.errors.append(_("Row %(row)d, %(column)s: %(message)s",
                                         row=n, column=col.label.text, message=message))
        count = len(self.filled())
        t = self.table
        if count > t.max_rows:
            self.errors.append(_("At most %(max)d rows.", max=t.max_rows))
        elif count < t.min_rows:
            self.errors.append(_("This field is required.") if t.min_rows == 1
                               else _("At least %(min)d rows.", min=t.min_rows))
        return not self.errors


def _decorated(f, fm: dict, locale: str):
    """The WTForms field for ``f`` with the checks that read other fields (``fm``: its siblings)."""
    fld = _field(f, locale)
    if f.not_before:
        fld.kwargs["validators"] = list(fld.kwargs.get("validators", [])) + [
            _NotBefore(f.not_before, tr(fm[f.not_before].label, locale))]
    if f.not_future:
        fld.kwargs["validators"] = list(fld.kwargs.get("validators", [])) + [_not_future]
    if f.required_if:  # before Optional(), which would end the chain on an empty value
        message = tr(f.required_message, locale) if f.required_message else _("Required.")
        chain = list(fld.kwargs.get("validators", []))
        fld.kwargs["validators"] = [_RequiredIf(f.required_if, message), *chain]
    return fld


def _row_class(table, locale: str):
    """The form of one row of a table field: its typed columns (computed ones are worked out)."""
    fm = {c.name: c for c in table.columns}
    attrs = {c.name: _decorated(c, fm, locale) for c in table.columns if c.compute is None}
    attrs["_context_values"] = {}
    attrs["Meta"] = _RowMeta
    return type(f"Row_{table.name}", (Form,), attrs)


class _RowMeta:
    """A row speaks the page's language, as the form around it does (WTForms' own messages)."""

    def get_translations(self, form):
        return wtf_translations


_classes: dict = {}


def _not_future(form, field):
    """A date that has happened may not be after today (in the company's time zone)."""
    mine = field.data
    if mine is None:
        return
    if isinstance(mine, datetime):
        if mine > local(utcnow()).replace(tzinfo=None):
            raise validators.ValidationError(_("May not be in the future."))
    elif mine > today():
        raise validators.ValidationError(_("May not be in the future."))


class _RequiredIf:
    """Required when other fields hold declared values (a long loan needs its reason)."""

    def __init__(self, conditions: tuple, message: str):
        self.conditions, self.message = conditions, message

    def __call__(self, form, field):
        others = {k: (form[k].data if k in form._fields else form._context_values.get(k)) for k, _v in self.conditions}
        if conditions_hold(others, self.conditions) and not (str(field.data).strip() if field.data is not None else ""):
            raise validators.StopValidation(self.message)


class _NotBefore:
    """A date that may not precede another field's date (reply due before reception, ...)."""

    def __init__(self, other: str, label: str):
        self.other, self.label = other, label

    def __call__(self, form, field):
        other = form._fields.get(self.other)
        mine = field.data
        theirs = other.data if other is not None else form._context_values.get(self.other)
        if mine is None or theirs in (None, ""):
            return
        if isinstance(theirs, str):
            try:
                theirs = (datetime.fromisoformat(theirs) if "T" in theirs else date.fromisoformat(theirs))
            except ValueError:
                return
        a = mine.date() if isinstance(mine, datetime) else mine
        b = theirs.date() if isinstance(theirs, datetime) else theirs
        if a < b:
            raise validators.ValidationError(_("May not be before %(label)s.", label=self.label))


def resolve_default(f, user, now: datetime | None = None):
    """The value a new form starts with for field ``f``: a declared value, or one worked out now
    (``now``, ``today``, ``+24h``, ``+3d``, ``me``, ``my_department``; see ``spec.DEFAULT_TOKENS``),
    as form data (text). None when the field has no default."""
    d = f.default
    if isinstance(d, dict) and "by" in d:  # follows another field's choice: its "else" until chosen
        d = d.get("else")
    if d is None or isinstance(d, dict):  # a value from a linked record: see initial_values
        return None
    if not isinstance(d, str):
        return str(d)
    moment = local(now or utcnow()).replace(second=0, microsecond=0)
    if d in ("now", "today") or RELATIVE_DEFAULT.match(d):
        if RELATIVE_DEFAULT.match(d):
            n = int(d[:-1])
            moment = moment + (timedelta(hours=n) if d.endswith("h") else timedelta(days=n))
        return moment.strftime("%Y-%m-%dT%H:%M") if f.type == "datetime" else moment.date().isoformat()
    if d == "me":
        return str(user.id) if user is not None else None
    if d == "my_department":
        return user.department.code if user is not None and user.department else None
    return d


def defaults_by_choice(spec, only: tuple, user) -> dict:
    """For fields whose default follows another field's choice: {field: {"by": chooser, "map":
    {choice: value, "": value}}}, worked out now for ``user``. The page's script (qms/static/
    defaults.js) puts the value in when the choice is made, unless the person typed their own."""
    out = {}
    for f in spec.fields:
        d = f.default
        if f.name in only and isinstance(d, dict) and "by" in d:
            values = {str(k): resolve_default(replace(f, default=v), user) for k, v in (d.get("values") or {}).items()}
            values[""] = resolve_default(replace(f, default=d.get("else")), user) if d.get("else") is not None else ""
            out[f.name] = {"by": d["by"], "map": values}
    return out


def initial_values(spec, only: tuple, args, user) -> dict:
    """What a new form starts with: declared defaults (worked out for ``user`` now), then values
    handed over in the link (e.g. a finding's source record), limited to the fields of the first step."""
    data = {}
    for f in spec.fields:
        if f.name in only:
            value = resolve_default(f, user)
            if value is not None:
                data[f.name] = value
    for name in only:
        if name in args and spec.field_map[name].type not in ("multichoice", "boolean"):
            data[name] = args.get(name, "")[:200]
    # A default that follows a choice handed over in the link (?category=fault) takes its value.
    for name, rule in defaults_by_choice(spec, only, user).items():
        chosen = data.get(rule["by"])
        if name not in args and chosen in rule["map"]:
            data[name] = rule["map"][chosen]
    # Values taken from the record a link field names (``default: {from: link, field: name}``):
    # a nonconformity raised from a check starts with that check's department, say.
    for f in spec.fields:
        if f.name in only and isinstance(f.default, dict) and "from" in f.default and not data.get(f.name):
            linked = record_by_text(data.get(f.default["from"]))
            value = linked.values.get(f.default["field"]) if linked is not None else None
            if value not in (None, "", []):
                data[f.name] = str(value)
    return data


def form_class(spec, locale: str, only: tuple | None = None):
    """A FlaskForm subclass for ``spec`` in ``locale`` (cached: specs never change). ``only``
    limits it to some fields (those of the current workflow step)."""
    key = (spec.revision_id, spec.code, locale, only)
    cls = _classes.get(key)
    if cls is None:
        fm = spec.field_map
        attrs = {}
        for f in spec.fields:
            if (only is not None and f.name not in only) or f.compute is not None or f.derived:
                continue  # a computed value is worked out (compute.apply, FormRules.derive), never typed
            attrs[f.name] = _decorated(f, fm, locale)

        class Meta:
            csrf = False  # CSRFProtect checks every POST before the view runs

        attrs["Meta"] = Meta
        attrs["_context_values"] = {}  # stored values of fields not on this form (for not_before)
        cls = type(f"Form_{spec.code}", (FlaskForm,), attrs)
        _classes[key] = cls
    return cls


def _plain(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _clean(f, field):
    """One validated field's value, JSON-ready."""
    value = field.data
    if f.type == "table":
        return [{c.name: _clean(c, entry.form[c.name]) for c in f.columns if c.compute is None}
                for entry in field.filled()]
    if f.type in ("string", "text", "phone", "email", "choice") and value == "":
        value = None
    if f.type == "multichoice":
        value = list(value or [])
    if f.type == "user":
        value = int(value) if value else None
    if f.type == "record":
        value = field.record_id if value else None
    return _plain(value)


def clean_values(spec, form, lenient: bool = False) -> dict:
    """JSON-ready values from a validated form (ISO dates, decimals as strings). ``lenient``: a
    field (or a row's cell) that did not validate reads as empty (the live preview of computed values)."""
    out = {}
    for f in spec.fields:
        if f.name not in form._fields:
            continue
        field = form[f.name]
        if lenient and f.type == "table":
            out[f.name] = [{c.name: (None if e.form[c.name].errors or e.form[c.name].process_errors
                                     else _clean(c, e.form[c.name]))
                            for c in f.columns if c.compute is None} for e in field.filled()]
            continue
        try:
            out[f.name] = None if lenient and (field.errors or field.process_errors) else _clean(f, field)
        except ValueError:  # only when lenient: a value validation would have refused
            out[f.name] = None
    return out


def json_to_formdata(spec, payload: dict) -> tuple[MultiDict, dict]:
    """Turn an API JSON body into form data; return it with errors for shapes JSON cannot mean.
    Computed values are worked out, so any sent are left unread."""
    md, errors = MultiDict(), {}
    known = spec.field_map
    for key in payload:
        if key not in known:
            errors[key] = [_("Unknown field.")]
    for name, f in known.items():
        if name not in payload or payload[name] is None or f.compute is not None or f.derived:
            continue
        v = payload[name]
        if f.type == "table":
            problems = _json_rows(f, v, md)
            if problems:
                errors[name] = problems
        elif f.type == "multichoice":
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                errors[name] = [_("Must be a list of choices.")]
                continue
            for x in v:
                md.add(name, x)
        elif f.type == "boolean":
            if not isinstance(v, bool):
                errors[name] = [_("Must be true or false.")]
                continue
            if v:
                md.add(name, "y")
        elif isinstance(v, (dict, list)) or isinstance(v, bool):
            errors[name] = [_("The format is not valid.")]
        else:
            md.add(name, str(v))
    return md, errors


def _json_rows(table, rows, md: MultiDict) -> list:
    """A table's rows from JSON (a list of objects by column name) into form data; the shapes
    JSON cannot mean are refused by row ("第2行：…")."""
    if not isinstance(rows, list):
        return [_("Must be a list of rows.")]
    if len(rows) > table.max_rows:
        return [_("At most %(max)d rows.", max=table.max_rows)]
    columns = {c.name: c for c in table.columns}
    errors = []
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            errors.append(_("Row %(row)d: must be an object of column values.", row=n))
            continue
        unknown = [k for k in row if k not in columns]
        if unknown:
            errors.append(_("Row %(row)d: unknown columns %(columns)s.", row=n, columns="、".join(map(str, unknown))))
        for name, c in columns.items():
            v = row.get(name)
            if v is None or c.compute is not None:
                continue
            key = f"{table.name}-{n - 1}-{name}"
            if c.type == "multichoice" and isinstance(v, list) and all(isinstance(x, str) for x in v):
                for x in v:
                    md.add(key, x)
            elif c.type == "boolean" and isinstance(v, bool):
                if v:
                    md.add(key, "y")
            elif isinstance(v, (dict, list, bool)) or c.type in ("multichoice", "boolean"):
                errors.append(_("Row %(row)d, %(column)s: %(message)s", row=n, column=tr(c.label),
                                message=_("The format is not valid.")))
            else:
                md.add(key, str(v))
    return errors


def _add_value(md: MultiDict, key: str, f, v) -> None:
    """One stored value into form data under ``key``."""
    if f.type == "multichoice":
        for x in v:
            md.add(key, x)
    elif f.type == "boolean":
        if v:
            md.add(key, "y")
    elif f.type == "record":
        md.add(key, f"#{v}")
    else:
        md.add(key, str(v))


def to_formdata(spec, values: dict) -> MultiDict:
    """Stored values back into form data (to pre-fill an edit form)."""
    md = MultiDict()
    for f in spec.fields:
        v = values.get(f.name)
        if v is None or f.compute is not None or f.derived:
            continue
        if f.type == "table":
            for i, row in enumerate(v):
                for c in f.columns:
                    if row.get(c.name) is not None and c.compute is None:
                        _add_value(md, f"{f.name}-{i}-{c.name}", c, row[c.name])
        else:
            _add_value(md, f.name, f, v)
    return md
