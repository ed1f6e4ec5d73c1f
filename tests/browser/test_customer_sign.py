"""The customer signs on the screen (issue #12, part 4): on a 390 px phone with touch and on a
counter tablet with the mouse (on the full-screen signing page), the pointer draws in the signature box (the vendored signature pad
under the CSP, no inline script), the drawing is saved, the step is signed, and the printout shows
the customer's name and the image. An empty box is refused before anything is sent. The phone
draws with a finger (touch events), the tablet with the mouse.
covers: CS-02, IT-03"""
import subprocess

import pytest
from sqlalchemy import select

from qms.extensions import db
from qms.records.customer_sign_models import CustomerSignature
from tests import factories as F
from tests.records.customer_sign_helpers import CODE, order
from tests.support.browser import login, sign_here

pytestmark = pytest.mark.browser


STROKES = ([(0.1, 0.7), (0.25, 0.2), (0.4, 0.75), (0.55, 0.25)], [(0.6, 0.6), (0.75, 0.3), (0.9, 0.65)])


def _draw_with_mouse(page):
    """A signature stroke by stroke with the mouse: down, moves, up (a counter tablet's mouse or pen)."""
    box = page.locator("#cs-canvas").bounding_box()
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    for stroke in STROKES:
        page.mouse.move(x0 + w * stroke[0][0], y0 + h * stroke[0][1])
        page.mouse.down()
        for fx, fy in stroke[1:]:
            page.mouse.move(x0 + w * fx, y0 + h * fy, steps=8)
        page.mouse.up()


def _draw_with_finger(page):
    """The same signature with a finger: touch events sent to Chromium as a touch screen sends them."""
    box = page.locator("#cs-canvas").bounding_box()
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    cdp = page.context.new_cdp_session(page)
    for stroke in STROKES:
        points = [(x0 + w * fx, y0 + h * fy) for fx, fy in stroke]
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": points[0][0], "y": points[0][1]}]})
        for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
            for i in range(1, 9):
                cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [
                    {"x": ax + (bx - ax) * i / 8, "y": ay + (by - ay) * i / 8}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def _login(browser, live_server, username, viewport, touch: bool):
    """A logged-in page; a phone has a touch screen and a high pixel density."""
    if not touch:
        return login(browser, live_server, username, viewport=viewport)
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, has_touch=True,
                                  is_mobile=True, device_scale_factor=3)
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("#f_username", username)
    page.fill("#f_password", F.PASSWORD)
    page.click("button.primary")
    page.wait_for_url(live_server + "/")
    return page


@pytest.mark.parametrize("viewport", [(390, 844), (1024, 768)], ids=["phone", "counter-tablet"])
def test_the_customer_signs_with_the_pointer_and_the_printout_shows_it(app, live_server, browser, tmp_path, viewport):
    clerk = F.user("clerk", name="王线务")
    rec_id, username = order(clerk).id, clerk.username
    db.session.remove()  # the test's session holds no lock while the server works
    errors = []
    phone = viewport[0] < 600
    page = _login(browser, live_server, username, viewport, touch=phone)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/r/{CODE}/{rec_id}")
    # Before the password: the page says the customer must sign first.
    assert page.locator("#sign-blockers").is_visible() and page.locator("#sign-password").count() == 0
    assert page.locator("#cs-pad").is_visible() and page.locator("#cs-pad-nojs").is_hidden()
    canvas = page.locator("#cs-canvas").bounding_box()
    assert canvas["width"] <= viewport[0] and canvas["height"] >= 150
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    if not phone:
        # At the counter the tablet is handed to the customer: a full page with what they sign.
        page.click("#cs-screen-link")
        page.wait_for_load_state()
        assert "请核对签名所确认的内容" in page.content() and "新装宽带一条" in page.content()
        canvas = page.locator("#cs-canvas").bounding_box()
        assert canvas["width"] >= 600 and canvas["height"] >= 220, canvas
    # An empty box is refused in the page; nothing is sent.
    page.fill("#cs-name", "陈建国")
    page.click("#cs-save")
    assert page.locator("#cs-pad-empty").is_visible()
    assert db.session.execute(select(CustomerSignature)).first() is None
    db.session.remove()
    if phone:
        _draw_with_finger(page)
    else:
        _draw_with_mouse(page)
    page.screenshot(path=str(tmp_path / f"pad-{viewport[0]}.png"), full_page=True)
    page.click("#cs-save")
    page.wait_for_load_state()
    assert "已记录客户签名" in page.content(), page.locator(".flash, .error").all_inner_texts()
    assert page.locator("img.cs-image").is_visible()
    assert page.evaluate("document.querySelector('img.cs-image').naturalWidth") > 100
    page.screenshot(path=str(tmp_path / f"captured-{viewport[0]}.png"), full_page=True)
    sign_here(page)
    db.session.remove()
    cs = db.session.execute(select(CustomerSignature)).scalar_one()
    assert cs.kind == "drawn" and cs.customer_name == "陈建国" and 500 < cs.size < 200_000
    # The printout: the name beside the step, and the image in the file.
    pdf = page.request.get(f"{live_server}/r/{CODE}/{rec_id}.pdf")
    assert pdf.status == 200
    path = tmp_path / "order.pdf"
    path.write_bytes(pdf.body())
    words = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert any("客户签名确认完工" in line and "陈建国" in line for line in words.splitlines()), words
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert len(images.splitlines()) > 2, images  # the signature (the QR code is vector)
    assert errors == [], errors
