"""The cause-and-effect (fishbone, 鱼刺图) diagram of a CAPA record (DA-04, CA-02): the finding is the
effect, and every cause found at root-cause analysis hangs on the bone of its category, 人/机/料/法/环/测.

The record is the truth: the root cause under its ``cause_category`` (marked), then each line of the
``causes`` table under its own ``category``. Records filled under revision A of the form have no
lines; their diagram shows the root cause alone, so old records stay readable.
"""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from ..core import charts
from ..core.i18n import tr
from ..records import spec as specs

SIX_MS = ("people", "machine", "material", "method", "environment", "measurement")  # 人机料法环测
CATEGORY = "cause_category"


def bones(record, locale: str) -> list[tuple[str, list[tuple[str, bool]]]]:
    """The six categories in order, each (label, [(cause, is the root cause)]), from the record's
    values under the revision it was filled with."""
    spec = specs.by_revision(record.form_revision_id)
    values = record.values
    field = spec.field_map.get(CATEGORY)
    labels = {v: tr(label, locale) for v, label in field.choices} if field is not None else {}
    found: dict[str, list[tuple[str, bool]]] = {m: [] for m in SIX_MS}
    root = (values.get("root_cause") or "").strip()
    if root and values.get(CATEGORY) in found:
        found[values[CATEGORY]].append((root, True))
    for row in values.get("causes") or []:
        text = str((row or {}).get("cause") or "").strip()
        if text and (row or {}).get("category") in found:
            found[row["category"]].append((text, False))
    return [(labels.get(m, m), found[m]) for m in SIX_MS]


def diagram(record, locale: str) -> dict | None:
    """The diagram's data and its SVG, or None before root-cause analysis has recorded any cause:
    {"effect", "bones": [(label, [(cause, marked)])], "svg"}."""
    drawn = bones(record, locale)
    if not any(causes for _label, causes in drawn):
        return None
    effect = (record.values.get("finding") or "").strip() or record.display_number
    with force_locale(locale):
        title = _("Cause-and-effect (fishbone) diagram")
    svg = charts.fishbone(effect, drawn, f"fishbone-{record.id}", title)
    return {"effect": effect, "bones": drawn, "svg": str(svg), "title": title}
