"""Language helpers: bilingual declaration text, locale choice, catalog compilation."""
from __future__ import annotations

from pathlib import Path

from flask import has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

LOCALES = ("zh_CN", "en")
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def current_locale() -> str:
    """'zh_CN' or 'en' for the current request (zh_CN outside requests)."""
    if not has_request_context():
        return "zh_CN"
    return str(get_locale() or "zh_CN")


def select_locale() -> str:
    """Flask-Babel selector: explicit ?lang=, then the user's saved choice, then zh_CN."""
    if not has_request_context():
        return "zh_CN"
    lang = request.args.get("lang")
    if lang in LOCALES:
        return lang
    if current_user and getattr(current_user, "is_authenticated", False):
        return current_user.locale if current_user.locale in LOCALES else "zh_CN"
    if session.get("locale") in LOCALES:
        return session["locale"]
    return "zh_CN"


def tr(text, locale: str | None = None) -> str:
    """Pick the right language from a declaration's ``{zh: ..., en: ...}`` mapping."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    loc = locale or current_locale()
    if loc == "en":
        return text.get("en") or text.get("zh") or ""
    return text.get("zh") or text.get("en") or ""


def compile_catalogs() -> None:
    """Compile .po into .mo when the .mo is missing or older, so a fresh clone needs no extra step."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh)
        try:
            with mo.open("wb") as fh:
                write_mo(fh, catalog)
        except OSError:  # read-only install: the packaged .mo is used as is
            pass
