"""Printed records: A4, paper header block, embedded CJK font, signatures, QR, no fetching.
covers: REC-03"""
import re
import subprocess

from qms.core import pdf, timeutil
from qms.extensions import db
from qms.records import service
from tests import factories as F
from tests.support.clock import at


def _pdf_text(tmp_path, data: bytes) -> str:
    p = tmp_path / "out.pdf"
    p.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True, check=True).stdout


def _fonts(tmp_path, data: bytes) -> str:
    p = tmp_path / "f.pdf"
    p.write_bytes(data)
    return subprocess.run(["pdffonts", str(p)], capture_output=True, text=True, check=True).stdout


def test_record_pdf_has_header_signatures_and_embedded_cjk_font(app, client, tmp_path):
    clerk = F.user("clerk", name="王静")
    rec = F.record(clerk, "TEST-REC")
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    F.login(client, clerk)
    resp = client.get(f"/r/TEST-REC/{rec.id}.pdf")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    assert resp.headers["Content-Disposition"].startswith("inline")  # issue #11 item 9: opens in the browser
    text = _pdf_text(tmp_path, resp.data)
    flat = re.sub(r"\s+", "", text)  # pdftotext drops the spaces between CJK glyphs
    for expected in ("文件名", "电子文件编码", "页码", "第1页/共1页", "测试记录表", rec.number,
                     "王静", "自检", "陈建国"):
        assert expected in flat, expected
    fonts = _fonts(tmp_path, resp.data)
    cjk = [line for line in fonts.splitlines() if "WenQuanYi" in line or "Noto" in line]
    assert cjk, fonts
    # columns: name type encoding emb sub uni object ID
    assert all(" yes " in line for line in cjk), fonts


def test_english_pdf_and_page_numbers(app, client, tmp_path):
    clerk = F.user("clerk")
    rec = F.record(clerk, "TEST-REC", content="".join(f"第{i}行\n" for i in range(250)))
    F.login(client, clerk)
    resp = client.get(f"/r/TEST-REC/{rec.id}.pdf?lang=en")
    text = " ".join(_pdf_text(tmp_path, resp.data).split())
    assert "Document name" in text and "Page 1 of" in text and "Page 2 of" in text


def test_signed_pdf_is_rendered_once_and_cached(app, client):
    timeutil.set_clock(at(12, 3, 15))  # the printed-at stamp is the request's minute: keep both in one
    clerk = F.user("clerk")
    rec = F.record(clerk, "TEST-REC")
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    F.login(client, clerk)
    first = client.get(f"/r/TEST-REC/{rec.id}.pdf").data
    from pathlib import Path
    cached = list(Path(app.config["QMS_PDF_CACHE_DIR"]).glob(f"record-{rec.id}-*.pdf"))
    assert len(cached) == 1
    assert client.get(f"/r/TEST-REC/{rec.id}.pdf").data == first


def test_user_text_never_makes_weasyprint_fetch(app, client, tmp_path):
    clerk = F.user("clerk")
    evil = '<img src="file:///etc/passwd"><link rel=stylesheet href="http://198.51.100.1/x.css">'
    rec = F.record(clerk, "TEST-REC", content=evil)
    F.login(client, clerk)
    text = _pdf_text(tmp_path, client.get(f"/r/TEST-REC/{rec.id}.pdf").data)
    assert "file:///etc/passwd" in text  # printed as text, escaped
    # Even raw HTML handed to the renderer cannot read local files or the network.
    fetched = []
    from weasyprint.urls import URLFetcher
    orig = URLFetcher.open

    def spy(self, url, *a, **k):
        fetched.append(url)
        return orig(self, url, *a, **k)

    URLFetcher.open = spy
    try:
        data = pdf.render_html('<p>x</p><img src="file:///etc/hostname"><img src="https://example.com/a.png">')
    finally:
        URLFetcher.open = orig
    assert data.startswith(b"%PDF")
    assert b"root:" not in data
    f = pdf.restricted_fetcher()
    for url in ("file:///etc/passwd", "http://127.0.0.1/", "ftp://x/"):
        try:
            f.fetch(url)
            raise AssertionError("fetched " + url)
        except ValueError as exc:
            assert "disallowed" in str(exc)


def test_printout_opens_in_the_browser_and_says_when_it_was_printed_even_from_the_cache(app, client, tmp_path):
    """covers: REC-03 (issue #11 item 9) — the printed-at line is the request's moment, in local time."""
    from pathlib import Path
    clerk = F.user("clerk")
    rec = F.record(clerk, "TEST-REC", content="".join(f"第{i}行\n" for i in range(250)))  # several pages
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    F.login(client, clerk)
    timeutil.set_clock(at(12, 3, 9))  # 09:00 in Shanghai, 01:00 UTC
    first = client.get(f"/r/TEST-REC/{rec.id}.pdf")
    assert first.headers["Content-Disposition"].startswith("inline;")
    flat = re.sub(r"\s+", "", _pdf_text(tmp_path, first.data))
    pages = int(re.search(r"共(\d+)页", flat).group(1))
    assert pages > 1 and flat.count("打印时间2026-12-0309:00") == pages  # on every page
    cached = list(Path(app.config["QMS_PDF_CACHE_DIR"]).glob(f"record-{rec.id}-*.pdf"))
    assert len(cached) == 1 and "打印时间" not in _pdf_text(tmp_path, cached[0].read_bytes())
    timeutil.set_clock(at(12, 4, 16))  # the next afternoon, served from the cache
    again = client.get(f"/r/TEST-REC/{rec.id}.pdf")
    flat = re.sub(r"\s+", "", _pdf_text(tmp_path, again.data))
    assert flat.count("打印时间2026-12-0416:00") == pages and "2026-12-0309:00" not in flat
    assert list(Path(app.config["QMS_PDF_CACHE_DIR"]).glob(f"record-{rec.id}-*.pdf")) == cached  # not rendered again
    english = " ".join(_pdf_text(tmp_path, client.get(f"/r/TEST-REC/{rec.id}.pdf?lang=en").data).split())
    assert "Printed 2026-12-04 16:00" in english and "Test record form" in english
    # A draft (never cached) says the same.
    draft = F.record(clerk, "TEST-REC")
    flat = re.sub(r"\s+", "", _pdf_text(tmp_path, client.get(f"/r/TEST-REC/{draft.id}.pdf").data))
    assert "打印时间2026-12-0416:00" in flat


def test_register_pdf_opens_in_the_browser_with_the_moment_of_the_export(app, client, tmp_path):
    clerk = F.user("clerk", name="王静")
    F.record(clerk, "TEST-REC", customer_name="王五")
    F.login(client, clerk)
    timeutil.set_clock(at(12, 3, 15))
    resp = client.get("/r/TEST-REC/export.pdf?q=王五")
    assert resp.headers["Content-Disposition"] == 'inline; filename="TEST-REC-20261203-1500.pdf"'  # local time
    flat = re.sub(r"\s+", "", _pdf_text(tmp_path, resp.data))
    assert "打印时间2026-12-0315:00" in flat and "王静" in flat and "王五" in flat


def test_english_titles_are_not_letter_spaced(app):
    """Chinese titles are set with spaced characters; English words are not (issue #11 item 9)."""
    from flask import render_template
    with app.test_request_context("/"):
        zh = render_template("pdf/base.html", locale="zh_CN", title="测试记录表")
        en = render_template("pdf/base.html", locale="en", title="Test record form")
    assert "letter-spacing" in zh and "letter-spacing" not in en
