"""Scoring a satisfaction-survey campaign (DA-02, CS-09): per element, per item, the weighted total,
and year on year.

The answers are counted in SQL: how many responses ticked each level of each element (the signed
responses linked to the campaign, each one's JSON values read once). Everything else is worked out
from those counts (at most 11 × 5 numbers), so 10,000 responses score in one pass over their rows,
never one Python object per response.

* element score = the mean points of its answers (a blank answer, "not applicable", is left out);
* item score = the mean of its elements' scores (``rollup: average``) or of all its answers
  (``rollup: pooled``);
* total = Σ item score × weight % (S003 「按各项目的记分和加权的百分比系数相乘积分」); an item nobody
  answered is left out and the others' weights scaled up to 100 %.

Year on year: the previous campaign is compared only when both have at least ``min_sample``
responses; an element's change is flagged as within the margin of error when it is smaller than
1.96 standard errors of the difference of the two means (95 %).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select, text

from ..extensions import db
from ..records.models import CLOSED, SUPERSEDED, VOIDED, Record, RecordFacet
from .survey_spec import Survey, declaration_of

SURVEY, RESPONSE = "DA-SURVEY", "DA-RESPONSE"
CENT = Decimal("0.01")


def q2(value) -> Decimal | None:
    """A score as kept and shown: two decimals, half up."""
    return None if value is None else Decimal(value).quantize(CENT, ROUND_HALF_UP)


@dataclass
class ElementResult:
    """One element's answers: counts per level, mean points, spread and dissatisfied answers."""
    field: str
    label: dict
    item: str
    counts: dict  # {level value: responses}
    threshold: Decimal
    score: Decimal | None = None  # mean points, two decimals
    sd: float = 0.0  # standard deviation of the points
    answered: int = 0
    dissatisfied: int = 0  # answers at or under the survey's low_answer

    @property
    def low(self) -> bool:
        """Scored under its threshold: a nonconformity may be raised."""
        return self.score is not None and self.score < self.threshold


@dataclass
class ItemResult:
    """One item's score and weight."""
    key: str
    label: dict
    weight: Decimal
    score: Decimal | None
    elements: list = field(default_factory=list)


@dataclass
class Results:
    """A campaign's results, worked out from its signed responses."""
    responses: int
    total: Decimal | None
    items: list
    elements: list
    survey: Survey

    def element(self, name: str) -> ElementResult | None:
        return next((e for e in self.elements if e.field == name), None)

    def item(self, key: str) -> ItemResult | None:
        return next((i for i in self.items if i.key == key), None)

    @property
    def low_elements(self) -> list:
        """Elements under their threshold, lowest first."""
        return sorted((e for e in self.elements if e.low), key=lambda e: e.score)

    def pareto(self) -> list[tuple[str, int, float]]:
        """(element, dissatisfied answers, cumulative share) largest first: the Pareto of elements."""
        rows = sorted(((e.label, e.dissatisfied) for e in self.elements if e.dissatisfied), key=lambda r: -r[1])
        total = sum(n for _l, n in rows) or 1
        out, run = [], 0
        for label, n in rows:
            run += n
            out.append((label, n, run / total))
        return out


# The campaign's signed responses (the link facet names the campaign).
_LINKED = ("FROM records r JOIN record_facets f ON f.record_id = r.id AND f.form_code = :form "
           "AND f.field = 'campaign' AND f.value = :campaign")
_WHERE = "WHERE r.form_code = :form AND r.status = :closed"


def _answers_sql(dialect: str, fields: list[str], levels: tuple) -> str:
    """(element, answer, responses) rows of a campaign, each response's JSON read once. PostgreSQL
    unpivots the element keys (json_each_text over plain JSON, which parses faster than jsonb) and
    groups; SQLite extracts the eleven values once into a materialised table and sums each level in
    one row (its json_each is slower than eleven json_extract calls). ``fields`` are e1..eN and ``levels``
    integers, both checked when the declaration loads, so they are safe as literals."""
    if dialect == "postgresql":
        keys = ", ".join(f"'{f}'" for f in fields)
        return (f"SELECT je.key, je.value, count(*) {_LINKED} CROSS JOIN json_each_text(r.data::json) AS je "
                f"{_WHERE} AND je.key IN ({keys}) GROUP BY je.key, je.value")
    cols = ", ".join(f"json_extract(r.data, '$.{f}') AS {f}" for f in fields)
    sums = ", ".join(f"sum({f} = {v})" for f in fields for v in levels)
    return f"WITH x AS MATERIALIZED (SELECT {cols} {_LINKED} {_WHERE}) SELECT {sums} FROM x"


def count_answers(campaign_id: int, survey: Survey) -> tuple[int, dict]:
    """(responses, {field: {level: count}}) of a campaign's signed responses: two queries, the
    responses counted and their answers counted per element and level."""
    params = {"form": RESPONSE, "campaign": str(campaign_id), "closed": CLOSED.value}
    fields = [e.field for e in survey.elements]
    counts = {f: dict.fromkeys(survey.values, 0) for f in fields}
    dialect = db.engine.dialect.name
    rows = db.session.execute(text(_answers_sql(dialect, fields, survey.values)), params).all()
    if dialect != "postgresql":  # one row of sums, element by element, level by level
        pairs = [(f, v) for f in fields for v in survey.values]
        rows = [(f, v, n) for (f, v), n in zip(pairs, rows[0], strict=True)]
    for key, value, n in rows:
        if n is None:  # SQLite's sum over no response
            continue
        level = int(value) if value is not None and str(value).lstrip("-").isdigit() else None
        if level in counts[key]:  # a value off the scale (a revision's older scale) is not an answer
            counts[key][level] += int(n)
    responses = db.session.execute(text(f"SELECT count(*) {_LINKED} {_WHERE}"), params).scalar()
    return int(responses or 0), counts


def _element(survey: Survey, el, item_key: str, counts: dict) -> ElementResult:
    res = ElementResult(el.field, el.label, item_key, counts, survey.threshold_of(el))
    n = sum(counts.values())
    res.answered = n
    res.dissatisfied = sum(c for v, c in counts.items() if v <= survey.low_answer)
    if n:
        total = sum(survey.points(v) * c for v, c in counts.items())
        mean = total / n
        res.score = q2(mean)
        var = sum(float(survey.points(v) - mean) ** 2 * c for v, c in counts.items()) / (n - 1) if n > 1 else 0.0
        res.sd = math.sqrt(var)
    return res


def _item_score(survey: Survey, elements: list) -> Decimal | None:
    if survey.rollup == "pooled":
        n = sum(e.answered for e in elements)
        if not n:
            return None
        return q2(sum(survey.points(v) * c for e in elements for v, c in e.counts.items()) / n)
    scores = [e.score for e in elements if e.score is not None]
    return q2(sum(scores) / len(scores)) if scores else None


def score(campaign: Record) -> Results:
    """The campaign's results now, from its signed responses, under its own declaration."""
    survey = declaration_of(campaign)
    responses, counts = count_answers(campaign.id, survey)
    return from_counts(survey, responses, counts)


def from_counts(survey: Survey, responses: int, counts: dict) -> Results:
    """Results from the answer counts (``count_answers``); kept apart so a test can hand-compute."""
    items, elements = [], []
    for it in survey.items:
        els = [_element(survey, el, it.key, counts.get(el.field, {})) for el in it.elements]
        elements += els
        items.append(ItemResult(it.key, it.label, it.weight, _item_score(survey, els), els))
    scored = [i for i in items if i.score is not None]
    weight = sum((i.weight for i in scored), Decimal(0))
    total = q2(sum(i.score * i.weight for i in scored) / weight) if weight else None
    return Results(responses, total, items, elements, survey)


def campaigns() -> list[Record]:
    """Every live campaign (not voided or superseded), newest year first."""
    rows = db.session.execute(select(Record).where(Record.form_code == SURVEY,
                                                   Record.status.notin_((VOIDED, SUPERSEDED)))).scalars().all()
    return sorted(rows, key=lambda r: (-(r.values.get("year") or 0), -r.id))


def of_year(year: int, exclude: int | None = None) -> Record | None:
    """The live campaign of ``year`` (other than ``exclude``), or None."""
    rows = db.session.execute(
        select(Record).join(RecordFacet, RecordFacet.record_id == Record.id)
        .where(RecordFacet.form_code == SURVEY, RecordFacet.field == "year", RecordFacet.value == str(year),
               Record.form_code == SURVEY, Record.status.notin_((VOIDED, SUPERSEDED)))).scalars().all()
    return next((r for r in rows if r.id != exclude), None)


def previous(campaign: Record) -> Record | None:
    """The live campaign of the latest earlier year, or None."""
    year = campaign.values.get("year") or 0
    earlier = [c for c in campaigns() if (c.values.get("year") or 0) < year]
    return earlier[0] if earlier else None


@dataclass
class Change:
    """One line of the year-on-year table: this year's score, last year's, the change and whether it
    can be read as a change."""
    label: dict
    now: Decimal | None
    before: Decimal | None
    delta: Decimal | None
    within_margin: bool = False  # the change is smaller than the 95 % margin of error


@dataclass
class Comparison:
    """This campaign against the previous one."""
    year: int
    previous_year: int
    responses: int
    previous_responses: int
    too_small: bool  # either sample under min_sample: the figures are shown, not compared
    min_sample: int
    total: Change
    items: list
    elements: list


def _change(label, now, before) -> Change:
    delta = q2(now - before) if now is not None and before is not None else None
    return Change(label, now, before, delta)


def compare(campaign: Record, results: Results | None = None) -> Comparison | None:
    """Year on year against the previous campaign (None when there is none)."""
    prev = previous(campaign)
    if prev is None:
        return None
    now = results or score(campaign)
    before = score(prev)
    small = min(now.responses, before.responses) < now.survey.min_sample
    items = [_change(i.label, i.score, b.score if (b := before.item(i.key)) else None) for i in now.items]
    elements = []
    for e in now.elements:
        b = before.element(e.field)
        ch = _change(e.label, e.score, b.score if b else None)
        if ch.delta is not None and e.answered > 1 and b.answered > 1:
            margin = 1.96 * math.sqrt(e.sd ** 2 / e.answered + b.sd ** 2 / b.answered)
            ch.within_margin = abs(float(ch.delta)) <= margin
        elements.append(ch)
    label = {"zh": "加权总分", "en": "Weighted total"}
    return Comparison(campaign.values.get("year"), prev.values.get("year"), now.responses, before.responses, small,
                      now.survey.min_sample, _change(label, now.total, before.total), items, elements)


def result_values(results: Results, locale: str = "zh") -> dict:
    """The campaign's close-step fields holding ``results`` (frozen by the close signature)."""
    return {"responses_count": results.responses,
            "total_score": None if results.total is None else str(results.total),
            "item_scores": [{"item": i.label[locale], "weight": str(i.weight),
                             "score": None if i.score is None else str(i.score)} for i in results.items],
            "element_scores": [{"element": e.field, "label": e.label[locale], "answers": e.answered,
                                "score": None if e.score is None else str(e.score)} for e in results.elements]}
