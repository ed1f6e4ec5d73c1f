"""The management review pack's pages (ISO 9001 9.3.2; DA-01..DA-04): ``/analysis/review?from=&to=`` (the
page), ``.pdf`` (Chinese first, the controlled-document header, sections numbered), ``.xlsx`` (a sheet per
section) and ``.json`` (422 with field messages on a bad period). For the company's readers: the quality
managers, the general manager and the administrator (the ``audit_global`` site right: who sees every
department's figures).
"""
from __future__ import annotations

import re

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core import pdf
from ..core.i18n import current_locale, record_language
from ..core.timeutil import today, utcnow
from ..records import export, policy
from . import review_pack
from .reports_period import parse_range

bp = Blueprint("analysis_review", __name__)
RIGHT = "audit_global"  # SITE_RIGHTS: the company-wide readers


def _asked() -> tuple[str, str]:
    """The period asked for; by default this year from January to this month."""
    now = today()
    return (request.args.get("from") or f"{now.year}-01").strip(), (request.args.get("to") or f"{now:%Y-%m}").strip()


def _pack():
    """(from, to, pack or None, field errors) of the request."""
    policy.require(current_user, RIGHT)
    first, last = _asked()
    period, errors = parse_range(first, last)
    return first, last, (review_pack.build(period) if period is not None else None), errors


@bp.route("/analysis/review")
@login_required
def page():
    """The pack of the chosen period as a page."""
    first, last, pack, errors = _pack()
    return render_template("analysis/review/page.html", first=first, last=last, pack=pack, errors=errors,
                           review_new=url_for("records.new", code=review_pack.REVIEW)), 422 if errors else 200


@bp.route("/analysis/review.json")
@login_required
def as_json():
    """The pack as data: each section's facts, tables and empty sentence; 422 with the field messages."""
    first, last, pack, errors = _pack()
    if pack is None:
        return jsonify({"errors": errors}), 422
    return jsonify({"from": first, "to": last, "sections": [
        {"key": s.key, "clause": s.clause, "title": s.title, "empty": s.empty,
         "facts": [[str(k), v] for k, v in s.facts],
         "tables": [{"title": t.title, "header": t.header, "rows": t.rows} for t in s.tables]}
        for s in pack.sections]})


@bp.route("/analysis/review.pdf")
@login_required
def printout():
    """The pack as one PDF: in Chinese (the English titles beside), sections numbered, never cached
    (the figures move as records are signed)."""
    policy.require(current_user, RIGHT)
    first, last = _asked()
    with record_language():
        period, errors = parse_range(first, last)
        if period is None:
            return _refused(first, last, errors)
        pack = review_pack.build(period)
        english = _english_titles()
        data = pdf.render("analysis/review/pdf.html", pack=pack, english=english, locale="zh_CN",
                          title=_("Management review inputs %(from)s to %(to)s", **{"from": first, "to": last}),
                          file_code="ZLAL009 · QP-DA · ISO 9001 9.3.2", printed_at=utcnow(),
                          printed_by=current_user.full_name)
    return pdf.file_response(data, f"management-review-{first}-{last}.pdf", inline=True)


def _refused(first: str, last: str, errors: dict):
    with force_locale(current_locale()):
        html = render_template("analysis/review/page.html", first=first, last=last, pack=None, errors=errors,
                               review_new=url_for("records.new", code=review_pack.REVIEW))
    return html, 422


def _english_titles() -> dict[str, str]:
    with force_locale("en"):
        return {k: str(title) for k, (_clause, title) in review_pack.TITLES.items()}


@bp.route("/analysis/review.xlsx")
@login_required
def workbook():
    """The pack as a workbook: a sheet per section (facts, then each table under its title)."""
    first, last, pack, errors = _pack()
    if pack is None:
        return _refused(first, last, errors)
    now = utcnow()
    caption = _("Management review inputs %(from)s to %(to)s", **{"from": first, "to": last}) + " · " + \
        export.caption("", current_user.full_name, now)
    sheets = [(_sheet_title(i, s), [_("Item"), _("Value")], _sheet_rows(s)) for i, s in enumerate(pack.sections, 1)]
    data = export.write_xlsx(*sheets[0], caption=caption, more=sheets[1:])
    return pdf.file_response(data, export.file_name(f"management-review-{first}-{last}", "xlsx", now), pdf.XLSX)


def _sheet_title(n: int, section) -> str:
    """'1 上次管理评审…' cut to Excel's 31 characters, without the characters a sheet name refuses."""
    return re.sub(r"[\[\]:*?/\\]", " ", f"{n} {section.title}")[:31]


def _sheet_rows(section) -> list[list]:
    rows: list[list] = [[section.clause, section.title]]
    if section.empty:
        rows.append([_("No records"), section.empty])
    rows += [[str(k), v] for k, v in section.facts]
    for t in section.tables:
        rows += [[], [t.title], list(t.header)] + [list(r) for r in t.rows]
    return rows


BLUEPRINTS = (bp,)
