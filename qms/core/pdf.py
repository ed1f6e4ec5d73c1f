"""PDF rendering with WeasyPrint: A4, the paper form's header block, embedded CJK font.

User text never makes WeasyPrint fetch anything: the URL fetcher accepts only ``data:`` URLs
we generate ourselves (the QR code); ``file://``, ``http(s)://`` and every other scheme fail.
"""
from __future__ import annotations

import functools
import gc
import os
import tempfile
from pathlib import Path

import segno
from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher


def restricted_fetcher() -> URLFetcher:
    """A fetcher that allows inline ``data:`` URLs only: files and network are refused."""
    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


@functools.lru_cache(maxsize=4096)
def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as an SVG data URI (no file, no network). Kept per URL: a sheet of
    permit labels prints the same instruments' codes again and again (7 ms each to make)."""
    return segno.make(url, error="m").svg_data_uri(scale=3, border=1)


def render_html(html: str) -> bytes:
    """HTML string to PDF bytes with the restricted fetcher."""
    pdf = HTML(string=html, url_fetcher=restricted_fetcher()).write_pdf()
    # Rendering leaves large cyclic garbage (font and layout objects). A full collection costs
    # ~70 ms, a third of a render, so it runs every few renders: memory stays flat, renders stay fast.
    _renders[0] += 1
    if _renders[0] % 20 == 0:
        gc.collect()
    return pdf


_renders = [0]


def render(template: str, **context) -> bytes:
    """Render a Jinja template under ``pdf/`` to PDF bytes."""
    return render_html(render_template(template, **context))


def cached(key: str, produce) -> bytes:
    """Return the cached PDF for ``key`` or produce, store and return it.

    Only content that can no longer change is cached (callers build the key from the record's
    version), so a cached file is never stale.
    """
    folder = Path(current_app.config["QMS_PDF_CACHE_DIR"])
    path = folder / f"{key}.pdf"
    if path.exists():
        return path.read_bytes()
    data = produce()
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".pdf-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    return data
