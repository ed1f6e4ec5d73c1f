"""Printed records: A4, paper header block, embedded CJK font, signatures, QR, no fetching.
covers: REC-03"""
import re
import subprocess

from qms.core import pdf
from qms.extensions import db
from qms.records import service
from tests import factories as F


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
    assert resp.headers["Content-Disposition"].startswith("attachment")
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
