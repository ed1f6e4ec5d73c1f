"""Settings from ``QMS_*`` environment variables.

Everything has a safe default for a developer laptop: a SQLite file under ``instance/``
and a secret key generated once into ``instance/secret_key``.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default=None):
    return os.environ.get("QMS_" + name, default)


def _bool(value) -> bool:
    return str(value).lower() in {"1", "true", "yes", "on"}


def instance_path() -> Path:
    """Folder for the SQLite file, the secret key, attachments and cached PDFs."""
    return Path(_env("INSTANCE_PATH", ROOT / "instance")).resolve()


def _secret_key(inst: Path) -> str:
    key = _env("SECRET_KEY")
    if key:
        return key
    path = inst / "secret_key"
    if not path.exists():
        inst.mkdir(parents=True, exist_ok=True)
        # Written once with owner-only permissions; restarts keep sessions valid.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def load_config(overrides: dict | None = None) -> dict:
    """Return the Flask config mapping built from the environment plus ``overrides``."""
    overrides = dict(overrides or {})
    inst = Path(overrides.get("INSTANCE_PATH") or instance_path())
    inst.mkdir(parents=True, exist_ok=True)
    db_url = _env("DATABASE_URL", f"sqlite:///{inst / 'qms.sqlite3'}")
    cfg = {
        "INSTANCE_PATH": str(inst),
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SECRET_KEY": overrides.get("SECRET_KEY") or _secret_key(inst),
        "QMS_TIMEZONE": _env("TIMEZONE", "Asia/Shanghai"),
        "QMS_BASE_URL": _env("BASE_URL", "http://127.0.0.1:5000"),
        "QMS_FORMS_DIR": _env("FORMS_DIR", str(ROOT / "forms")),
        # More declaration folders loaded after QMS_FORMS_DIR (the tests' mock forms); os.pathsep-separated.
        "QMS_EXTRA_FORMS_DIRS": [d for d in _env("EXTRA_FORMS_DIRS", "").split(os.pathsep) if d],
        "QMS_PROCEDURES_DIR": _env("PROCEDURES_DIR", str(ROOT / "procedures")),
        "QMS_ATTACHMENTS_DIR": _env("ATTACHMENTS_DIR", str(inst / "attachments")),
        "QMS_PDF_CACHE_DIR": _env("PDF_CACHE_DIR", str(inst / "pdf-cache")),
        # 20 MB by default; Flask answers 413 above it before the view runs.
        "MAX_CONTENT_LENGTH": int(_env("MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        "QMS_UPLOAD_EXTENSIONS": _env(
            "UPLOAD_EXTENSIONS", "pdf,png,jpg,jpeg,gif,txt,csv,xlsx,docx,doc,xls"
        ).split(","),
        "QMS_IDLE_MINUTES": int(_env("IDLE_MINUTES", "30")),
        "QMS_LOGIN_MAX_FAILURES": int(_env("LOGIN_MAX_FAILURES", "5")),
        "QMS_LOGIN_WINDOW_MINUTES": int(_env("LOGIN_WINDOW_MINUTES", "15")),
        # Werkzeug's scrypt; its parameters are stored in each hash, so tests may lower them.
        "QMS_PASSWORD_METHOD": _env("PASSWORD_METHOD", "scrypt:32768:8:1"),
        "QMS_PAGE_SIZE": int(_env("PAGE_SIZE", "50")),
        "QMS_SMTP_HOST": _env("SMTP_HOST", "127.0.0.1"),
        "QMS_SMTP_PORT": int(_env("SMTP_PORT", "8025")),
        "QMS_SMTP_FROM": _env("SMTP_FROM", "qms@localhost"),
        "QMS_SMTP_USER": _env("SMTP_USER"),
        "QMS_SMTP_PASSWORD": _env("SMTP_PASSWORD"),
        # Tests and demos only: pretend it is this moment (ISO 8601 with offset).
        "QMS_FAKE_NOW": _env("FAKE_NOW"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure cookies unless explicitly served over plain HTTP (the local demo).
        "SESSION_COOKIE_SECURE": _bool(_env("SECURE_COOKIES", "0")),
        # Behind a reverse proxy: trust one X-Forwarded-For/-Proto hop (client IPs in the audit trail).
        "QMS_PROXY_FIX": _bool(_env("PROXY_FIX", "0")),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }
    cfg.update(overrides)
    return cfg
