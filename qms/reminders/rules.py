"""Reminder rules: declared next to what they serve, collected here.

Form rules come from the ``reminders:`` list of a form declaration (``forms/*.yaml``); domain
rules (calendar duties of a procedure) from the ``reminders`` each package's ``Procedure``
declares. The scheduler only runs what is declared.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..auth.roles import ROLES
from ..records import spec as specs
from ..records.procedures import registry
from ..records.spec import SpecError

KINDS = ("due", "interval", "sla", "monthly", "yearly")
LADDER_ROLES = ("department_head", "quality_manager", "general_manager")


class RuleError(ValueError):
    """A rule declaration that cannot be used."""


@dataclass(frozen=True)
class ClosesWith:
    """A calendar duty done by a record: a signed record of ``form`` whose ``period_field`` names the
    period (``duties.period_of``). ``step``: the step whose signature is the filing (default: the
    record's last signature, i.e. the record closed)."""

    form: str
    period_field: str
    step: str | None = None
    # ((field, value), ...): only records whose field holds value do the duty (e.g. one meeting type of four)
    where: tuple = ()
    # The record's period plus this many periods is the duty's: a meeting held in December reviews
    # November (its period field names November), and does December's duty (offset 1).
    offset: int = 0


RULE_KEYS = {"id", "title", "requirement", "kind", "form", "field", "lead_days", "daily_repeats", "weekly_repeats",
             "months", "hours", "working_hours", "faster", "remind_before_hours", "day", "month",
             "remind_days_before", "recipients", "ladder", "hour", "owner_field", "when", "at_steps", "days_field",
             "remind_owner", "managed", "closes_with", "on_holiday"}
CLOSES_WITH_KEYS = {"form", "period_field", "step", "where", "offset"}
ON_HOLIDAY = ("earlier", "later")
# What a period field may be, per kind of rule (``duties.period_of`` reads each).
PERIOD_TYPES = {"monthly": ("date", "string"), "yearly": ("date", "string", "integer")}


@dataclass(frozen=True)
class Rule:
    """One reminder rule. Times are local (QMS_TIMEZONE); reminders go out at ``hour`` o'clock."""

    id: str
    title: dict
    requirement: str
    kind: str
    form: str | None = None  # due/sla: the form whose records are watched
    field: str | None = None  # due: date field; sla: start datetime field
    lead_days: tuple = (60, 30, 7)  # due: reminders this many days before
    daily_repeats: int = 7  # overdue: daily this many days, then weekly
    weekly_repeats: int = 12  # then weekly this many weeks
    months: int = 0  # interval: due this many months after the date in ``field`` (e.g. 24 for calibration)
    hours: float = 0  # sla: time allowed
    working_hours: bool = False  # sla: count working hours (calendar) instead of clock hours
    faster: tuple = ()  # sla: ((field, value, hours), ...) e.g. key customers get less time
    remind_before_hours: float = 0  # sla: a reminder this long before the limit
    day: int = 0  # monthly/yearly: day of month (clamped to the month's end)
    month: int = 0  # yearly: month
    remind_days_before: int = 2  # monthly/yearly: a reminder this many days before
    recipients: tuple = ()  # calendar rules: ((role, department code or ""), ...)
    ladder: tuple = ()  # ((hours after the deadline, role), ...): owner -> head -> 企业管理部 -> GM
    hour: int = 9  # local hour reminders go out
    owner_field: str | None = None  # form rules: a user field naming who is reminded (else the author)
    when: tuple = ()  # form rules: ((field, value), ...) all must hold, e.g. severity = serious
    at_steps: tuple = ()  # form rules: watch only while the record waits at one of these steps
    days_field: str | None = None  # due: an integer field of days added to the date (verify after N days)
    remind_owner: bool = True  # false: only the ladder is told (a serious nonconformity goes straight up)
    managed: bool = False  # its procedure package keeps the watches (per instrument, not per record)
    closes_with: ClosesWith | None = None  # monthly/yearly: the record that does the duty of a period
    on_holiday: str = ""  # monthly/yearly: a deadline on a non-working day moves "earlier" or "later"


def parse(raw: dict, form: str | None = None) -> Rule:
    """Check one rule declaration."""
    try:
        if not isinstance(raw, dict):
            raise RuleError("a rule is a mapping of keys")
        unknown = set(raw) - RULE_KEYS
        if unknown:
            raise RuleError(f"rule {raw.get('id', '?')}: unknown keys {sorted(map(str, unknown))}")
        kind = raw["kind"]
        if kind not in KINDS:
            raise RuleError(f"rule {raw.get('id')}: kind must be one of {KINDS}")
        title = raw["title"]
        if not title.get("zh") or not title.get("en"):
            raise RuleError(f"rule {raw['id']}: title needs zh and en")
        ladder = tuple((float(r["after_hours"]), r["to"]) for r in raw.get("ladder", ()))
        for _, role in ladder:
            # "role@CODE": that role in one department (e.g. technicians of 技术发展部, who keep the loans).
            base = role.split("@")[0] if "@" in role else role
            if base not in (LADDER_ROLES if "@" not in role else ROLES):
                raise RuleError(f"rule {raw['id']}: ladder role {role!r} not in {LADDER_ROLES} (or role@DEPT)")
        recipients = tuple((r["role"], r.get("department", "")) for r in raw.get("recipients", ()))
        for role, _ in recipients:
            if role not in ROLES:
                raise RuleError(f"rule {raw['id']}: unknown role {role!r}")
        if kind == "interval" and int(raw.get("months", 0)) < 1:
            raise RuleError(f"rule {raw['id']}: an interval rule needs months >= 1")
        if kind in ("due", "interval", "sla") and not ((form or raw.get("form")) and raw.get("field")):
            raise RuleError(f"rule {raw['id']}: a {kind} rule needs a form and a field")
        if kind in ("monthly", "yearly") and not 1 <= int(raw.get("day", 0)) <= 31:
            raise RuleError(f"rule {raw['id']}: day must be 1..31")
        if kind == "yearly" and not 1 <= int(raw.get("month", 0)) <= 12:
            raise RuleError(f"rule {raw['id']}: month must be 1..12")
        on_holiday = raw.get("on_holiday") or ""
        if on_holiday and (on_holiday not in ON_HOLIDAY or kind not in ("monthly", "yearly")):
            raise RuleError(f"rule {raw['id']}: on_holiday is one of {ON_HOLIDAY}, on a monthly or yearly rule")
        return Rule(
            id=raw["id"], title=dict(title), requirement=raw.get("requirement", ""), kind=kind,
            form=form or raw.get("form"), field=raw.get("field"),
            lead_days=tuple(sorted((int(x) for x in raw.get("lead_days", (60, 30, 7))), reverse=True)),
            daily_repeats=int(raw.get("daily_repeats", 7)), weekly_repeats=int(raw.get("weekly_repeats", 12)),
            months=int(raw.get("months", 0)), hours=float(raw.get("hours", 0)),
            working_hours=bool(raw.get("working_hours", False)),
            faster=tuple((f["field"], str(f["value"]), float(f["hours"])) for f in raw.get("faster", ())),
            remind_before_hours=float(raw.get("remind_before_hours", 0)),
            day=int(raw.get("day", 0)), month=int(raw.get("month", 0)),
            remind_days_before=int(raw.get("remind_days_before", 2)), recipients=recipients, ladder=ladder,
            hour=int(raw.get("hour", 9)), owner_field=raw.get("owner_field"),
            when=tuple((k, str(v)) for k, v in (raw.get("when") or {}).items()),
            at_steps=tuple(raw.get("at_steps", ())), days_field=raw.get("days_field"),
            remind_owner=bool(raw.get("remind_owner", True)), managed=bool(raw.get("managed", False)),
            closes_with=_closes_with(raw, kind), on_holiday=on_holiday,
        )
    except KeyError as exc:
        raise RuleError(f"rule {raw.get('id', '?')}: missing key {exc}") from None


def _closes_with(raw: dict, kind: str) -> ClosesWith | None:
    """The shape of ``closes_with`` (whether the form and field exist is checked against the
    declarations: :func:`check_closes_with`)."""
    value = raw.get("closes_with")
    if value is None:
        return None
    rid = raw.get("id")
    if kind not in ("monthly", "yearly"):
        raise RuleError(f"rule {rid}: closes_with is for monthly or yearly rules")
    if not isinstance(value, dict) or set(value) - CLOSES_WITH_KEYS or not value.get("form") \
            or not value.get("period_field"):
        raise RuleError(f"rule {rid}: closes_with is {{form: CODE, period_field: NAME}} "
                        f"(and optionally step, where, offset)")
    where = value.get("where") or {}
    if not isinstance(where, dict) or any(v is None or isinstance(v, (dict, list)) for v in where.values()):
        raise RuleError(f"rule {rid}: closes_with where is {{field: value}}")
    offset = value.get("offset", 0)
    if isinstance(offset, bool) or not isinstance(offset, int) or not -12 <= offset <= 12:
        raise RuleError(f"rule {rid}: closes_with offset is a whole number of periods (-12..12)")
    return ClosesWith(str(value["form"]), str(value["period_field"]), value.get("step") or None,
                      tuple((str(k), str(v)) for k, v in where.items()), offset)


def check_closes_with(rule: Rule, declaration: dict | None) -> None:
    """Refuse a ``closes_with`` whose form (``declaration``: its parsed YAML, None when there is no
    such form), period field or step does not exist, or whose field cannot name a period: a ``date``
    (any day of the period), an ``integer`` year (yearly rules), or a ``string`` that declares a
    ``pattern`` (so the form refuses anything but '2026-11' / '2026' before it is signed); and a
    ``where`` naming a field the form lacks, or a value that is not among a choice field's choices."""
    cw = rule.closes_with
    if cw is None:
        return
    if declaration is None:
        raise RuleError(f"rule {rule.id}: closes_with names form {cw.form!r}, which is not declared")
    fields = {f.get("name"): f for f in declaration.get("fields") or () if isinstance(f, dict)}
    field = fields.get(cw.period_field)
    if field is None:
        raise RuleError(f"rule {rule.id}: form {cw.form} has no field {cw.period_field!r}")
    allowed = PERIOD_TYPES[rule.kind]
    if field.get("type") not in allowed:
        raise RuleError(f"rule {rule.id}: {cw.form}.{cw.period_field} is a {field.get('type')} field; "
                        f"a {rule.kind} period field is one of {allowed}")
    if field.get("type") == "string" and not field.get("pattern"):
        raise RuleError(f"rule {rule.id}: {cw.form}.{cw.period_field} needs a pattern "
                        f"('^\\d{{4}}-(0[1-9]|1[0-2])$' for a month, '^\\d{{4}}$' for a year)")
    steps = [s.get("name") for s in declaration.get("workflow") or () if isinstance(s, dict)]
    if cw.step and cw.step not in steps:
        raise RuleError(f"rule {rule.id}: form {cw.form} has no step {cw.step!r}")
    for name, value in cw.where:
        where = fields.get(name)
        if where is None:
            raise RuleError(f"rule {rule.id}: closes_with where: form {cw.form} has no field {name!r}")
        choices = [str(c.get("value")) for c in where.get("choices") or () if isinstance(c, dict)]
        if where.get("type") in ("choice", "multichoice") and value not in choices:
            raise RuleError(f"rule {rule.id}: closes_with where: {value!r} is not a choice of "
                            f"{cw.form}.{name} ({', '.join(choices)})")


def declaration_in(folders, code: str) -> dict | None:
    """The parsed YAML of form ``code`` in the declaration folders (the last folder wins, as it
    is loaded last); ``<CODE>.yaml`` first, else any file declaring that code."""
    found = None
    for folder in folders:
        path = Path(folder) / f"{code}.yaml"
        raw = specs.read_file(path)[1] if path.is_file() else None
        if raw is None:
            raw = next((r for _p, _t, r in specs.read_dir(folder) if isinstance(r, dict) and r.get("code") == code),
                       None)
        found = raw if isinstance(raw, dict) and raw.get("code") == code else found
    return found


def check_procedure_rules(raw_rules, folders) -> list[Rule]:
    """The procedures' own rules, parsed and checked against the form declarations in ``folders``
    when the app starts: a mistake stops the app with the rule's id."""
    out = [parse(raw) for raw in raw_rules]
    for rule in out:
        if rule.closes_with is not None:
            check_closes_with(rule, declaration_in(folders, rule.closes_with.form))
    return out


_cache: dict = {}


def all_rules() -> list[Rule]:
    """Every declared rule: the forms' (current revisions) and the procedures' own.
    Parsed once per set of form revisions."""
    current = specs.all_specs()
    reg = registry()
    key = (id(reg), *(s.revision_id for s in current))
    if key in _cache:
        return _cache[key]
    out = []
    for spec in current:
        out.extend(spec.extensions.get("reminders", ()))
    out.extend(parse(raw) for raw in reg.reminders)
    ids = [r.id for r in out]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise RuleError(f"rule ids declared twice: {sorted(dupes)}")
    for rule in out:  # a form rule's closes_with, or a procedure's against the loaded revisions
        if rule.closes_with is not None:
            check_closes_with(rule, _declared(specs.get(rule.closes_with.form)))
    _cache.clear()
    _cache[key] = out
    return out


def parse_form_rules(value, where: str, code: str) -> tuple[Rule, ...]:
    """The ``reminders:`` of a form declaration, checked when the form loads (``qms init`` names the
    file and the rule of any mistake)."""
    if not isinstance(value, list):
        raise SpecError(f"{where}: a list of rules")
    out = []
    for i, raw in enumerate(value):
        try:
            out.append(parse(raw, code))
        except (RuleError, TypeError, ValueError) as exc:
            raise SpecError(f"{where}[{i}]: {exc}") from None
    return tuple(out)


def _declared(spec) -> dict | None:
    """What :func:`check_closes_with` reads of a loaded form."""
    if spec is None:
        return None
    return {"fields": [{"name": f.name, "type": f.type, "pattern": f.pattern,
                        "choices": [{"value": v} for v, _label in f.choices]} for f in spec.fields],
            "workflow": [{"name": s.name} for s in spec.workflow]}


def shift(rule: Rule, period: str | None, by: int) -> str | None:
    """``period`` moved ``by`` periods of ``rule`` ('2026-12' shifted 1 under a monthly rule: '2027-01';
    a closes_with ``offset``)."""
    if period is None or not by:
        return period
    if rule.kind == "yearly":
        return f"{int(period) + by:04d}"
    y, m = map(int, period.split("-"))
    yy, mm = divmod(y * 12 + (m - 1) + by, 12)
    return f"{yy:04d}-{mm + 1:02d}"


def by_id() -> dict[str, Rule]:
    return {r.id: r for r in all_rules()}


def closing(code: str) -> list[Rule]:
    """The calendar rules a record of form ``code`` can close (``closes_with``)."""
    return [r for r in all_rules() if r.closes_with is not None and r.closes_with.form == code]


def calendar() -> list[Rule]:
    """The monthly and yearly duties, in declaration order."""
    return [r for r in all_rules() if r.kind in ("monthly", "yearly")]


def for_form(code: str) -> list[Rule]:
    return [r for r in all_rules() if r.form == code and r.kind in ("due", "interval", "sla") and not r.managed]
