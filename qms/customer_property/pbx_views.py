"""The PBX records' panels (CP-04): on the application, its register item (code, state, link) and its
re-inspection rounds with the button for the next one; on a round, the application and the item."""
from __future__ import annotations

from ..core.i18n import current_locale, tr
from ..records import policy
from ..records import spec as specs
from ..records.lookup import choice_text, choices_text, record_of
from ..records.models import Record, Status
from . import register as reg
from .pbx_checks import check_round
from .pbx_hooks import item_of
from .pbx_rounds import PBX, PBX_RE, passed, rounds_of
from .register_info import COLOUR


def _item_view(item) -> dict | None:
    if item is None:
        return None
    return {"code": item.code, "state": item.state, "state_label": reg.state_label(item.state, current_locale()),
            "colour": COLOUR.get(item.state, "grey"), "refusals": reg.refusals(item)}


def application_panel(record: Record, spec, user) -> dict:
    """The application's panel: the item and the rounds; the next round when one may be opened."""
    rounds = rounds_of(record) if record.number else []
    re_spec = specs.get(PBX_RE)
    may_open = (record.number is not None and re_spec is not None and policy.can(user, "create", re_spec)
                and not check_round(None, {"application": record.id}, user))
    return {"template": "customer_property/pbx/panel.html", "item": _item_view(item_of(record)),
            "rounds": rounds, "passed": passed(record) if record.number else False, "may_open_round": may_open,
            "round_form": PBX_RE, "closed": Status.CLOSED}


def round_panel(record: Record, spec, user) -> dict | None:
    """A round's panel: its application and the PBX's item."""
    app = record_of(record.values, "application", PBX)
    if app is None:
        return None
    return {"template": "customer_property/pbx/round_panel.html", "application": app,
            "item": _item_view(item_of(app)), "rounds": rounds_of(app), "closed": Status.CLOSED}


def pdf_extras(record: Record, locale: str = "zh_CN") -> dict:
    """The printout's re-inspection rounds, as plain rows (part of the PDF cache key): number, date,
    the departments taking part, the result, who signed."""
    rounds, lang = [], "en" if locale == "en" else "zh"
    for r in (rounds_of(record) if record.number else []):
        if r.status != Status.CLOSED:
            continue
        spec = specs.by_revision(r.form_revision_id)
        rounds.append((r.display_number, r.values.get("inspected_on") or "",
                       choices_text(r, "inspection_departments", lang=lang), choice_text(r, "result", lang=lang),
                       r.signatures[-1].printed_name if r.signatures else "", tr(spec.title, locale)))
    return {"rounds": tuple(rounds)}
