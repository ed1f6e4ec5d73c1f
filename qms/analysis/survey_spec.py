"""The ``survey:`` declaration key of DA-SURVEY (DA-02): the answer scale, the five items of S003
with their weights, the eleven elements (the response fields ``e1``..``e11``) and how elements roll
up to an item, the low-score threshold and the smallest sample compared year on year.

S003 (数据分析 (5)) names the items and elements and says 「按各项目的记分和加权的百分比系数相乘积分,
取其结果」; it gives no scale, weights, roll-up or threshold. Those are declared in
``forms/DA-SURVEY.yaml`` (defaults shipped there) and parsed here; a mistake is a ``SpecError`` naming
the file and key, so ``qms init`` refuses weights that do not total 100 %. A campaign is scored under
the declaration revision it was filled with (``declaration_of``), so a changed weight applies to new
campaigns only.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..core.errors import SpecError
from ..records import spec as specs

KEYS = {"scale", "items", "rollup", "threshold", "low_answer", "min_sample"}
ROLLUPS = ("average", "pooled")  # mean of the element scores; mean of all the item's answers
ELEMENT_PREFIX = "e"


@dataclass(frozen=True)
class Level:
    """One answer on the scale: the value ticked, the points it is worth (0..100) and its words."""
    value: int
    points: Decimal
    label: dict


@dataclass(frozen=True)
class Element:
    """One element: the response field holding its answer, its words, its own threshold (or None) and
    the department answering for it (a department code: the default of its nonconformity)."""
    field: str
    label: dict
    threshold: Decimal | None
    department: str | None = None


@dataclass(frozen=True)
class Item:
    """One of the five items: its key, words, weight in % and elements."""
    key: str
    label: dict
    weight: Decimal
    elements: tuple[Element, ...]


@dataclass(frozen=True)
class Survey:
    """The parsed ``survey:`` block."""
    scale: tuple[Level, ...]
    items: tuple[Item, ...]
    rollup: str
    threshold: Decimal  # an element scoring under this (points) is low: a nonconformity may be raised
    low_answer: int  # an answer at or under this value is a dissatisfied answer (the Pareto counts them)
    min_sample: int  # fewer responses than this in either year: not compared year on year

    @property
    def elements(self) -> tuple[Element, ...]:
        """The elements in item order (e1..e11)."""
        return tuple(e for item in self.items for e in item.elements)

    @property
    def values(self) -> tuple[int, ...]:
        """The answer values, highest first."""
        return tuple(level.value for level in self.scale)

    @property
    def lowest(self) -> int:
        return min(self.values)

    @property
    def highest(self) -> int:
        return max(self.values)

    def points(self, value: int) -> Decimal:
        """The points an answer is worth."""
        return next(level.points for level in self.scale if level.value == value)

    def department_of(self, field: str) -> str | None:
        """The department code declared for an element, or None."""
        return next((e.department for e in self.elements if e.field == field), None)

    def threshold_of(self, element: Element) -> Decimal:
        """The element's own threshold, else the survey's."""
        return element.threshold if element.threshold is not None else self.threshold


def _bilingual(value, where: str) -> dict:
    if not isinstance(value, dict) or not isinstance(value.get("zh"), str) or not isinstance(value.get("en"), str):
        raise SpecError(f"{where}: {{zh, en}} words")
    return {"zh": value["zh"], "en": value["en"]}


def _decimal(value, where: str, lo: Decimal, hi: Decimal) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise SpecError(f"{where}: a number") from None
    if isinstance(value, bool) or not d.is_finite() or not lo <= d <= hi:
        raise SpecError(f"{where}: a number from {lo} to {hi}")
    return d


def _int(value, where: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise SpecError(f"{where}: a whole number from {lo} to {hi}")
    return value


def _closed(raw: dict, allowed: set, where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise SpecError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")


def _scale(raw, where: str) -> tuple[Level, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise SpecError(f"{where}: a list of at least two levels {{value, points, zh, en}}")
    levels = []
    for i, lv in enumerate(raw):
        w = f"{where}[{i}]"
        if not isinstance(lv, dict):
            raise SpecError(f"{w}: a mapping {{value, points, zh, en}}")
        _closed(lv, {"value", "points", "zh", "en"}, w)
        levels.append(Level(_int(lv.get("value"), f"{w}.value", 0, 100),
                            _decimal(lv.get("points"), f"{w}.points", Decimal(0), Decimal(100)),
                            _bilingual({"zh": lv.get("zh"), "en": lv.get("en")}, w)))
    if len({lv.value for lv in levels}) != len(levels):
        raise SpecError(f"{where}: each value once")
    return tuple(sorted(levels, key=lambda lv: -lv.value))


def _elements(raw, where: str, seen: set) -> tuple[Element, ...]:
    if not isinstance(raw, list) or not raw:
        raise SpecError(f"{where}: a list of elements {{field, zh, en}}")
    out = []
    for i, el in enumerate(raw):
        w = f"{where}[{i}]"
        if not isinstance(el, dict):
            raise SpecError(f"{w}: a mapping {{field, zh, en}}")
        _closed(el, {"field", "zh", "en", "threshold", "department"}, w)
        name = el.get("field")
        if not isinstance(name, str) or not name.startswith(ELEMENT_PREFIX) or not name[1:].isdigit():
            raise SpecError(f"{w}.field: a response field e1, e2, ...")
        if name in seen:
            raise SpecError(f"{w}.field: {name} is used twice")
        seen.add(name)
        limit, dept = el.get("threshold"), el.get("department")
        if dept is not None and (not isinstance(dept, str) or not 0 < len(dept) <= 20):
            raise SpecError(f"{w}.department: a department code")
        limit = None if limit is None else _decimal(limit, f"{w}.threshold", Decimal(0), Decimal(100))
        out.append(Element(name, _bilingual({"zh": el.get("zh"), "en": el.get("en")}, w), limit, dept))
    return tuple(out)


def _items(raw, where: str) -> tuple[Item, ...]:
    if not isinstance(raw, list) or not raw:
        raise SpecError(f"{where}: a list of items {{key, zh, en, weight, elements}}")
    items, seen, keys = [], set(), set()
    for i, it in enumerate(raw):
        w = f"{where}[{i}]"
        if not isinstance(it, dict):
            raise SpecError(f"{w}: a mapping {{key, zh, en, weight, elements}}")
        _closed(it, {"key", "zh", "en", "weight", "elements"}, w)
        key = it.get("key")
        if not isinstance(key, str) or not key or key in keys:
            raise SpecError(f"{w}.key: a name used once")
        keys.add(key)
        items.append(Item(key, _bilingual({"zh": it.get("zh"), "en": it.get("en")}, w),
                          _decimal(it.get("weight"), f"{w}.weight", Decimal(0), Decimal(100)),
                          _elements(it.get("elements"), f"{w}.elements", seen)))
    total = sum((it.weight for it in items), Decimal(0))
    if total != 100:
        raise SpecError(f"{where}: the weights total {total} %, not 100 % (S003: 加权的百分比系数)")
    expected = {f"{ELEMENT_PREFIX}{n}" for n in range(1, len(seen) + 1)}
    if seen != expected:
        raise SpecError(f"{where}: the elements' fields are e1..e{len(seen)}, each once")
    return tuple(items)


def parse(value, where: str, code: str) -> Survey:
    """``survey: {scale, items, rollup, threshold, low_answer, min_sample}`` → :class:`Survey`;
    SpecError naming the file and key (weights not totalling 100 %, an unknown key, a bad level)."""
    if not isinstance(value, dict):
        raise SpecError(f"{where}: a mapping with the keys {', '.join(sorted(KEYS))}")
    _closed(value, KEYS, where)
    for key in ("scale", "items"):
        if key not in value:
            raise SpecError(f"{where}: {key} is required")
    scale = _scale(value["scale"], f"{where}.scale")
    rollup = value.get("rollup", "average")
    if rollup not in ROLLUPS:
        raise SpecError(f"{where}.rollup: one of {', '.join(ROLLUPS)}")
    values = {lv.value for lv in scale}
    low = _int(value.get("low_answer", min(values)), f"{where}.low_answer", min(values), max(values))
    return Survey(scale=scale, items=_items(value["items"], f"{where}.items"), rollup=rollup,
                  threshold=_decimal(value.get("threshold", 80), f"{where}.threshold", Decimal(0), Decimal(100)),
                  low_answer=low, min_sample=_int(value.get("min_sample", 30), f"{where}.min_sample", 2, 100000))


def declaration_of(campaign) -> Survey | None:
    """The ``survey:`` block a campaign record was filled under (its form revision), or the current
    form's when ``campaign`` is None."""
    spec = specs.get("DA-SURVEY") if campaign is None else specs.by_revision(campaign.form_revision_id)
    return spec.extensions.get("survey") if spec is not None else None
