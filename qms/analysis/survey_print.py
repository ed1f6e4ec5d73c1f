"""What the survey puts before customers (DA-02): the printable 《服务质量客户征询函》 (PDF, with the
controlled-document header, the items and elements with the scale to tick and how to return it) and
the phone script the caller reads, element by element. Both are in Chinese whoever prints them: they
are read by customers. The wording comes from the campaign's declaration (its items and scale)."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_login import current_user, login_required

from ..core import pdf
from ..core.i18n import RECORD_LOCALE, record_language
from ..core.timeutil import utcnow
from ..records import export, policy
from ..records import spec as specs
from ..records.lookup import choice_text
from . import survey_score as scoring
from .survey_spec import declaration_of
from .survey_views import campaign_or_404

bp = Blueprint("analysis_survey_print", __name__)


def _context(campaign) -> dict:
    spec = specs.by_revision(campaign.form_revision_id)
    return {"campaign": campaign, "survey": declaration_of(campaign), "year": campaign.values.get("year"),
            "method": choice_text(campaign, "method"), "title_zh": spec.title["zh"]}


@bp.route("/analysis/survey/<int:record_id>/letter.pdf")
@login_required
def letter(record_id: int):
    """The 征询函 for mailing: one page per customer, printed as many times as letters are sent."""
    campaign = campaign_or_404(record_id)
    policy.require(current_user, "export", specs.by_revision(campaign.form_revision_id), campaign)
    now = utcnow()
    with record_language():
        data = pdf.render("analysis/survey/letter_pdf.html", locale=RECORD_LOCALE, printed_at=now,
                          title="《服务质量客户征询函》",
                          file_code=f"ZLAL009 QP-DA · DA-SURVEY {campaign.display_number}",
                          **_context(campaign))
    return pdf.file_response(data, export.file_name(f"survey-letter-{campaign.values.get('year')}", "pdf", now),
                             inline=True)


@bp.route("/analysis/survey/<int:record_id>/script")
@login_required
def script(record_id: int):
    """The phone script: the greeting, one question per element with the answers to read, the close."""
    campaign = campaign_or_404(record_id)
    new_url = url_for("records.new", code=scoring.RESPONSE, campaign=campaign.display_number, method="phone")
    return render_template("analysis/survey/script.html", new_url=new_url, **_context(campaign))
