"""Language helpers: bilingual declaration text, locale choice, catalog compilation."""
from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g, has_request_context, request, session
from flask_babel import force_locale, get_locale, get_translations
from flask_login import current_user

LOCALES = ("zh_CN", "en")
# Texts a procedure writes into records (a generated nonconformity, a usage-file line) are in the
# users' language, whoever's session caused them: the records are the company's, in Chinese.
RECORD_LOCALE = "zh_CN"
_RECORD_CATALOG = "zh_Hans_CN"  # the catalog folder of RECORD_LOCALE
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def current_locale() -> str:
    """'zh_CN' or 'en' for the current request (zh_CN outside requests)."""
    if not has_request_context():
        return "zh_CN"
    return str(get_locale() or "zh_CN")


def record_language():
    """A context in which gettext gives the records' language (see RECORD_LOCALE)."""
    return force_locale(_RECORD_CATALOG)


def language(locale: str | None):
    """A context in which gettext speaks ``locale`` (a person's: a mail, a notice for them):
    English for "en", Chinese otherwise."""
    return force_locale("en" if locale == "en" else _RECORD_CATALOG)


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


def translations():
    """The catalog of the request's locale, found once per request and locale.

    Flask-Babel looks it up again for every string (~17 µs); a page with a few hundred strings
    paid milliseconds for it. ``force_locale`` changes the locale object, so it is honoured."""
    ns = g.get("_flask_babel")
    loc = getattr(ns, "babel_locale", None) if ns is not None else None
    if loc is None:
        get_locale()
        ns = g.get("_flask_babel")
        loc = getattr(ns, "babel_locale", None) if ns is not None else None
        if loc is None:
            return get_translations()
    found = getattr(ns, "qms_translations", None)
    if found is None or found[0] is not loc:
        found = ns.qms_translations = (loc, get_translations())
    return found[1]


def install_fast_gettext(app) -> None:
    """Templates translate through :func:`translations` instead of Flask-Babel's per-string lookup."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
    )


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
