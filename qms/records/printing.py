"""The printed record: the paper form's layout (label/value pairs per row, sections, long texts on
their own row), the signatures with their validity and the QR code to the live page. Anything past
draft is rendered once per version (and what procedures add) and kept: signed records never change.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask import current_app, has_request_context, url_for

from ..core import pdf
from ..core.i18n import tr
from ..core.timeutil import utcnow
from ..documents import loader as procedures
from . import lines
from .models import DRAFT
from .present import status_label, templates_for, value_text
from .procedures import rules_for


def pdf_layout(spec, values: dict, locale: str) -> list:
    """Rows of the printed form: ``pdf.columns`` label/value pairs per row, long text on its own
    row, a section title whenever the section changes (as on the paper form)."""
    per_row = max(1, int(spec.pdf.get("columns", 1)))
    rows, current, section = [], [], None
    for f in spec.fields:
        title = tr(f.section, locale) if f.section else section
        if title != section and title:
            if current:
                rows.append(("fields", current))
                current = []
            rows.append(("section", title))
        section = title
        if f.type == "table":  # its own table, after the fields before it (its header repeats on each page)
            if current:
                rows.append(("fields", current))
                current = []
            rows.append(("table", (f, lines.display(f, values.get(f.name) or [], locale))))
            continue
        item = (f, value_text(f, values.get(f.name), locale))
        if f.wide or per_row == 1:
            if current:
                rows.append(("fields", current))
                current = []
            rows.append(("fields", [item]))
            continue
        current.append(item)
        if len(current) == per_row:
            rows.append(("fields", current))
            current = []
    if current:
        rows.append(("fields", current))
    return rows


def record_pdf(record, spec, locale: str, printed_at: datetime | None = None) -> bytes:
    """The printed record, stating when it was printed (``printed_at``, by default now). Anything
    past draft is rendered once per version (and extras) and kept; the printed-at line is not part
    of what is kept but stamped on each page as the printout is served (``pdf.stamped``), so a
    cached printout says when it was printed, not when it was first rendered. A draft is rendered
    each time, its printed-at line with it (pdf/base.html puts both in the same place)."""
    printed_at = printed_at or utcnow()
    # What a procedure adds from other records (a CAPA record's actions): part of the cache key,
    # so a printout is rendered again only when it changes.
    extras_of = rules_for(spec.code).pdf_extras
    extras = extras_of(record, locale) if extras_of else {}

    def produce(stamp_at: datetime | None = None):
        rows = pdf_layout(spec, record.values, locale)
        # The address people use to reach this server (QMS_BASE_URL outside a request).
        path = url_for("records.detail", code=record.form_code, record_id=record.id)
        url = url_for("records.detail", code=record.form_code, record_id=record.id, _external=True) \
            if has_request_context() else current_app.config["QMS_BASE_URL"].rstrip("/") + path
        return pdf.render(templates_for(spec, "pdf.html"), spec=spec, record=record, rows=rows, locale=locale,
                          per_row=max(1, int(spec.pdf.get("columns", 1))),
                          qr=pdf.qr_data_uri(url), url=url, title=tr(spec.title, locale),
                          current_hash=record.content_hash(), status_text=status_label(record.status),
                          valid={sig.id: sig.is_valid(record, spec) for sig in record.signatures},
                          procedure=procedures.current(spec.procedure), printed_at=stamp_at, **extras)
    if record.status == DRAFT:
        return produce(printed_at)
    tag = "-" + hashlib.sha256(repr(sorted(extras.items())).encode()).hexdigest()[:16] if extras else ""
    # "-unstamped": files cached before the stamp moved out of the render carry a printed-at line.
    body = pdf.cached(f"record-{record.id}-v{record.version}-{locale}{tag}-unstamped", produce)
    return pdf.stamped(body, printed_at=printed_at, locale=locale)
