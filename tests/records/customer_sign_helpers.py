"""Steps for the customer-signature tests: a TEST-CUSTSIGN work order at its completion step, and
the images a customer's signature is made of (drawn on a transparent ground, as the pad does)."""
from __future__ import annotations

import base64
import io

from PIL import Image, ImageDraw
from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from tests import factories as F

CODE = "TEST-CUSTSIGN"
ORDER = {"customer_name": "陈建国", "phone_number": "138 0013 8000", "work": "新装宽带一条，入户布线"}


def drawing(ink: bool = True, size=(600, 200), dot: bool = False) -> bytes:
    """A PNG as the signature pad makes it: dark strokes on a transparent ground."""
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(img)
    if ink:
        pen.line([(30, 150), (140, 40), (260, 160), (380, 50), (560, 140)], fill=(11, 31, 77, 255), width=4)
    if dot:
        pen.ellipse((100, 100, 103, 103), fill=(0, 0, 0, 255))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def jpeg(size=(800, 600)) -> bytes:
    """A photo of the signed paper page."""
    img = Image.new("RGB", size, (250, 250, 245))
    ImageDraw.Draw(img).line([(100, 400), (300, 350), (500, 420)], fill=(0, 0, 0), width=6)
    out = io.BytesIO()
    img.save(out, "JPEG")
    return out.getvalue()


def pdf_page() -> bytes:
    """A one-page PDF (a scanner's output)."""
    out = io.BytesIO()
    Image.new("RGB", (300, 400), (255, 255, 255)).save(out, "PDF")
    return out.getvalue()


def order(clerk):
    """A work order submitted by ``clerk`` and filled in at ``complete``: it waits for the
    lineman's signature, which needs the customer's first."""
    rec = service.create(specs.get(CODE), clerk, MultiDict(ORDER), "zh_CN")
    db.session.commit()
    service.sign(rec, clerk, F.PASSWORD)
    service.update(rec, clerk, MultiDict({"result": "已开通，客户试用正常"}), "zh_CN", rec.version)
    db.session.commit()
    return rec
