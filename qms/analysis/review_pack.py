"""The management review pack (ISO 9001 9.3.2; DA-01..DA-04): for a chosen period, the review's inputs in
the order of 9.3.2, each with numbers or saying plainly that the period has none. Read by the page, the
PDF and the workbook (``review_pack_views``).

Sections: a) actions of the previous review (DA-ACTION whose source is the previous DA-REVIEW); b) changes
(the year's DA-METHOD); c) customer satisfaction (DA-SURVEY, the period's year and the year before),
complaints (CS-INQ/TS-FEE/CS-NET), objectives met (DA-STATS lines), process performance (CP-WO, CS-KEY),
nonconformities and corrective actions (CA-NC, CA-CAPA), monitoring and measuring (INS-CAL, INS-BILLING),
audit results (IT-CHECK); then the review record (DA-REVIEW). Every other procedure's records are read
through the engine by form code (``reports_counts``), never through their packages.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth.lookup import names
from ..core.i18n import tr
from ..core.timeutil import today
from ..extensions import db
from ..records.links import LIVE
from ..records.models import CLOSED, IN_PROGRESS, Record
from . import reports_counts as counts
from .actions import open_actions_of
from .indicators import INDICATORS, breakdown, series
from .reports_checks import METHOD, STATS
from .reports_period import Period

SURVEY, REVIEW, ACTION = "DA-SURVEY", "DA-REVIEW", "DA-ACTION"
TITLES = {  # each input's clause of ISO 9001 and its title, in 9.3.2's order
    "actions": ("9.3.2 a)", _l("Status of actions from previous management reviews")),
    "changes": ("9.3.2 b)", _l("Changes in external and internal issues: statistical indicators and methods")),
    "satisfaction": ("9.3.2 c) 1", _l("Customer satisfaction")),
    "complaints": ("9.3.2 c) 1", _l("Complaints (feedback from interested parties)")),
    "objectives": ("9.3.2 c) 2", _l("Extent to which quality objectives have been met")),
    "processes": ("9.3.2 c) 3", _l("Process performance and conformity of services")),
    "nonconformities": ("9.3.2 c) 4", _l("Nonconformities and corrective actions")),
    "monitoring": ("9.3.2 c) 5", _l("Monitoring and measurement results")),
    "audits": ("9.3.2 c) 6", _l("Audit results: identification checks")),
    "review": ("9.3.3", _l("Outputs of the review: the review record")),
}


@dataclass
class Table:
    """A table of a section: its title, header and rows (plain values)."""

    title: str
    header: list[str]
    rows: list[list]


@dataclass
class Section:
    """One input of the review: its clause letter, title, facts (label, value) and tables; ``empty`` is the
    plain sentence shown when the period has no records for it (None when it has)."""

    key: str
    facts: list[tuple[str, object]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    empty: str | None = None

    @property
    def clause(self) -> str:
        """The clause of ISO 9001 the input answers ('9.3.2 a)')."""
        return TITLES[self.key][0]

    @property
    def title(self) -> str:
        """The input's title in the current language."""
        return str(TITLES[self.key][1])


@dataclass
class Pack:
    """The pack of a period: its sections in 9.3.2 order."""

    period: Period
    sections: list[Section]
    taken_on: date

    def section(self, key: str) -> Section:
        """The section of ``key`` ('complaints', ...)."""
        return next(s for s in self.sections if s.key == key)


def indicator(key: str, period: Period) -> tuple[str, str, int]:
    """An indicator over the period's months (the kept counts summed: numerators over denominators):
    (its label, '96.5% (193/200)' or '—', the denominator)."""
    values = series(key, period.months())
    num, den = sum(v.numerator for v in values), sum(v.denominator for v in values)
    return tr(INDICATORS[key].label), f"{rate(num, den)} ({num}/{den})" if den else "—", den


def rate(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage with one decimal ('95.0%'), '—' when there is nothing to count."""
    if not whole:
        return "—"
    return f"{Decimal(part * 100) / Decimal(whole):.1f}%"


def build(period: Period) -> Pack:
    """The pack of ``period``, counted now."""
    day = min(today(), period.last)
    sections = [_previous_actions(period), _changes(period), _satisfaction(period), _complaints(period),
                _objectives(period), _processes(period), _nonconformities(period, day),
                _monitoring(period), _audits(period), _review_record(period)]
    return Pack(period, sections, today())


def _values(r: Record) -> dict:
    return json.loads(r.data or "{}")


def _records(code: str, statuses=(CLOSED,)) -> list[Record]:
    """The records of a small register (reviews, surveys, method reviews, statistics), newest first."""
    return list(db.session.execute(select(Record).where(Record.form_code == code, Record.status.in_(statuses))
                                   .order_by(Record.id.desc())).scalars())


def previous_review(period: Period) -> Record | None:
    """The last closed management review whose period ended before this one begins, or None."""
    start = period.start.isoformat()
    for r in _records(REVIEW):
        to = str(_values(r).get("period_to") or "")
        if to and to < start:
            return r
    return None


def _previous_actions(period: Period) -> Section:
    s = Section("actions")
    review = previous_review(period)
    if review is None:
        s.empty = _("No earlier management review is recorded: there are no actions to follow up.")
        return s
    actions = open_actions_of(review)
    open_ = [a for a in actions if a.status != CLOSED]
    day = today()
    late = [a for a in open_ if str(_values(a).get("due_on") or "9999") < day.isoformat()]
    s.facts = [(_("Previous review"), review.display_number), (_("Actions"), len(actions)),
               (_("Closed"), len(actions) - len(open_)), (_("Still open"), len(open_)),
               (_("Of them late"), len(late)),
               (_("Closed share"), rate(len(actions) - len(open_), len(actions)))]
    who = names(_values(a).get("owner") for a in open_)
    s.tables = [Table(_("Open actions"), [_("No."), _("Action"), _("Owner"), _("Due")],
                      [[a.display_number, _values(a).get("title") or "", who.get(_int(_values(a).get("owner")), ""),
                        _values(a).get("due_on") or ""] for a in open_])] if open_ else []
    if not actions:
        s.empty = _("The previous review %(number)s raised no actions.", number=review.display_number)
    return s


def _changes(period: Period) -> Section:
    s = Section("changes")
    years = set(period.years())
    found = [r for r in _records(METHOD, (IN_PROGRESS, CLOSED)) if _int(_values(r).get("year")) in years]
    if not found:
        s.empty = _("No yearly review of the reporting methods (DA-METHOD) for %(years)s.",
                    years="、".join(str(y) for y in sorted(years)))
        return s
    rows = []
    for r in sorted(found, key=lambda r: _int(_values(r).get("year"))):
        v = _values(r)
        s.facts.append((_("Method review %(year)s", year=v.get("year")),
                        f"{r.display_number} · {v.get('decision') or ''}"))
        rows += [[v.get("year"), c.get("indicator"), c.get("change"), c.get("reason")] for c in v.get("changes") or []]
    s.facts.append((_("Indicators changed"), len(rows)))
    if rows:
        s.tables = [Table(_("Changes to indicators and methods"), [_("Year"), _("Indicator"), _("Change"), _("Reason")],
                          rows)]
    return s


def surveys_by_year(years: list[int]) -> dict[int, Record]:
    """{year: its closed satisfaction survey (the newest)} for ``years``."""
    out: dict[int, Record] = {}
    for r in _records(SURVEY):
        y = _int(_values(r).get("year"))
        if y in years and y not in out:
            out[y] = r
    return out


def _satisfaction(period: Period) -> Section:
    s = Section("satisfaction")
    year = period.last.year
    found = surveys_by_year([year - 1, year])
    if not found:
        s.empty = _("No closed satisfaction survey (DA-SURVEY) for %(a)s or %(b)s.", a=year - 1, b=year)
        return s
    for y in (year - 1, year):
        r = found.get(y)
        v = _values(r) if r is not None else {}
        s.facts.append((_("Total score %(year)s", year=y),
                        _("%(score)s (%(number)s, %(n)s responses)", score=v.get("total_score"),
                          number=r.display_number, n=v.get("responses_count"))
                        if r is not None else _("no survey")))
    items: dict[str, dict[int, object]] = {}
    for y, r in found.items():
        for row in _values(r).get("item_scores") or []:
            items.setdefault(str(row.get("item") or ""), {})[y] = row.get("score")
    s.tables = [Table(_("Item scores"), [_("Item"), str(year - 1), str(year)],
                      [[item, by.get(year - 1, ""), by.get(year, "")] for item, by in items.items()])]
    return s


def _complaints(period: Period) -> Section:
    """Read from the indicators' kept counts (``complaints``, ``complaints_serious`` and their category and
    grade buckets): a year of a large register is a read of a few hundred counter rows, not a scan."""
    s = Section("complaints")
    months = period.months()
    per_month = [v.numerator for v in series("complaints", months)]
    total = sum(per_month)
    if not total:
        s.empty = _("No complaints were received in the period.")
        return s
    serious = sum(v.numerator for v in series("complaints_serious", months))
    s.facts = [(_("Complaints received"), total), (_("Serious"), serious), (_("Serious share"), rate(serious, total))]
    s.tables.append(Table(_("By month"), [_("Month"), _("Count")], [list(r) for r in zip(months, per_month,
                                                                                          strict=True)]))
    for by, title, head, labels in (("category", _("By category"), _("Category"), _category_labels()),
                                    ("grade", _("By grade"), _("Grade"), _grade_labels())):
        summed: Counter = Counter()
        for m in months:
            for key, n in breakdown("complaints", m, by):
                summed[labels.get(key) or (_("Not recorded") if key in ("", "unknown") else key)] += n
        ordered = sorted(summed.items(), key=lambda kv: (-kv[1], kv[0]))
        s.tables.append(Table(title, [head, _("Count"), _("Share")], [[k, n, rate(n, total)] for k, n in ordered]))
    return s


def _category_labels() -> dict[str, str]:
    out: dict[str, str] = {}
    for form, cat, _grade in counts.COMPLAINTS:
        out = {**counts.choice_labels(form, cat), **out}
    return out


def _grade_labels() -> dict[str, str]:
    out: dict[str, str] = {}
    for form, _cat, grade in counts.COMPLAINTS:
        if grade:
            out = {**counts.choice_labels(form, grade), **out}
    return out


def _objectives(period: Period) -> Section:
    s = Section("objectives")
    months = set(period.months())
    seen: set[str] = set()
    per: dict[str, Counter] = {}
    label: dict[str, str] = {}
    for r in _records(STATS):
        v = _values(r)
        m = str(v.get("month") or "")
        if m not in months or m in seen:
            continue  # the newest signed statistics of each month
        seen.add(m)
        for ln in v.get("lines") or []:
            key = str(ln.get("objective") or ln.get("name") or "")
            label[key] = f"{ln.get('name') or ''} ({key})"
            per.setdefault(key, Counter())[str(ln.get("met") or "na")] += 1
    if not per:
        s.empty = _("No signed monthly objective statistics (DA-STATS) in the period.")
        return s
    met = sum(c["yes"] for c in per.values())
    missed = sum(c["no"] for c in per.values())
    s.facts = [(_("Months with signed statistics"), f"{len(seen)} / {len(months)}"), (_("Objective-months met"), met),
               (_("Objective-months missed"), missed), (_("Met share"), rate(met, met + missed))]
    header = [_("Objective"), _("Achieved"), _("Missed"), _("Not applicable"), _("Met share")]
    s.tables = [Table(_("Met and missed per objective"), header,
                      [[label[k], c["yes"], c["no"], c["na"], rate(c["yes"], c["yes"] + c["no"])]
                       for k, c in sorted(per.items(), key=lambda kv: (-kv[1]["no"], label[kv[0]]))])]
    return s


def _processes(period: Period) -> Section:
    """The service processes' indicators over the period (kept counts): fee disputes settled within 24 hours,
    key-customer services on time, work orders within their limit."""
    s = Section("processes")
    rows = []
    for key in ("fee_disputes_24h", "keycust_on_time", "workorders_in_limit"):
        values = series(key, period.months())
        num, den = sum(v.numerator for v in values), sum(v.denominator for v in values)
        rows.append([tr(INDICATORS[key].label), den, num, rate(num, den)])
    if not any(r[1] for r in rows):
        s.empty = _("No fee disputes (TS-FEE), key-customer services (CS-KEY) or work orders (CP-WO) in the period.")
        return s
    s.facts = [(r[0], f"{r[3]} ({r[2]}/{r[1]})") for r in rows]
    s.tables = [Table(_("Services"), [_("Service process"), _("Records"), _("Done in time"), _("Share in time")],
                      rows)]
    return s


def _nonconformities(period: Period, day: date) -> Section:
    s = Section("nonconformities")
    nc, capa = counts.nonconformities(period), counts.corrective_actions(period)
    closed_in = counts.nc_closed_in(period)
    if not nc.total and not capa.total and not closed_in:
        s.empty = _("No nonconformities were found and no corrective actions fell due in the period.")
        return s
    stale = counts.nc_stale(period, day)
    late_capa = counts.open_past_due("CA-CAPA", "reply_due_on", period, day, due="reply_due_on")
    s.facts = [indicator("nc_closed_on_time", period)[:2],
               (_("Nonconformities found"), nc.total), (_("Of them closed"), nc.count("status", CLOSED)),
               (_("Closed in the period (any found date)"), closed_in),
               (_("Open more than %(n)d days", n=counts.NC_STALE_DAYS), stale),
               (_("Corrective actions due"), capa.total), (_("Of them closed"), capa.count("status", CLOSED)),
               (_("Open past the reply date"), late_capa),
               (_("Verified effective"), capa.count("effective", "yes"))]
    sources, sev = counts.choice_labels("CA-NC", "source"), counts.choice_labels("CA-NC", "severity")
    if nc.total:
        s.tables.append(Table(_("Nonconformities by source"), [_("Source"), _("Count"), _("Share")],
                              [[sources.get(k, k), n, rate(n, nc.total)] for k, n in nc.by["source"].most_common()]))
        s.tables.append(Table(_("Nonconformities by severity"), [_("Severity"), _("Count"), _("Share")],
                              [[sev.get(k, k), n, rate(n, nc.total)] for k, n in nc.by["severity"].most_common()]))
    return s


def _monitoring(period: Period) -> Section:
    s = Section("monitoring")
    cal, bill = counts.calibrations(period), counts.billing(period)
    if not cal.total and not bill.tests:
        s.empty = _("No calibrations (INS-CAL) or billing-accuracy tests (INS-BILLING) in the period.")
        return s
    results = counts.choice_labels("INS-CAL", "result")
    s.facts = [indicator("calibration_on_time", period)[:2], indicator("billing_passed", period)[:2],
               (_("Calibrations"), cal.total), (_("Passed"), cal.count("result", "pass")),
               (_("Restricted use"), cal.count("result", "restricted")), (_("Failed"), cal.count("result", "fail")),
               (_("Pass share"), rate(cal.count("result", "pass"), cal.total)),
               (_("Billing-accuracy tests"), bill.tests), (_("Reached the threshold"), bill.passed),
               (_("Billing tests passed"), rate(bill.passed, bill.tests)),
               (_("Calls billed correctly"), rate(bill.calls_correct, bill.calls_tested))]
    if cal.total:
        s.tables.append(Table(_("Calibrations by result"), [_("Result"), _("Count")],
                              [[results.get(k, k), n] for k, n in cal.by["result"].most_common()]))
    return s


def _audits(period: Period) -> Section:
    s = Section("audits")
    t = counts.identification_checks(period)
    if not t.total:
        s.empty = _("No identification checks (IT-CHECK) in the period.")
        return s
    findings = t.count("outcome", "findings")
    s.facts = [(_("Checks"), t.total), (_("With improper identification found"), findings),
               (_("Conforming"), t.count("outcome", "conforming")), (_("Conforming share"),
                                                                     rate(t.total - findings, t.total))]
    s.tables = [Table(_("Checks by month"), [_("Month"), _("Count")],
                      [[m, t.count("month", m)] for m in period.months()])]
    return s


def reviews_of(period: Period) -> list[Record]:
    """The live management review records whose period overlaps this one, newest first."""
    lo, hi = period.start.isoformat(), period.last.isoformat()
    out = []
    for r in _records(REVIEW, LIVE):
        v = _values(r)
        a, b = str(v.get("period_from") or ""), str(v.get("period_to") or "")
        if a and b and a <= hi and b >= lo:
            out.append(r)
    return out


def _review_record(period: Period) -> Section:
    s = Section("review")
    found = reviews_of(period)
    if not found:
        s.empty = _("No management review record for this period yet.")
        return s
    s.facts = [(_("Review records"), len(found))]
    s.tables = [Table(_("Review records"), [_("No."), _("Held on"), _("Status"), _("Actions")],
                      [[r.display_number, _values(r).get("held_on") or "", r.status,
                        len(_values(r).get("actions") or [])] for r in found])]
    return s


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
