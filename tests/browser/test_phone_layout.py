"""Every page of the demo fits a phone: at 390 px nothing scrolls sideways, the header is one line
with a menu, registers and the inbox read as cards, and the record page puts the state and the
actions before the data. Screenshots of a few pages at 390 and 1366 px are kept in the test's
temporary folder for a person to look at.
covers: REC-02"""
import pytest
from sqlalchemy import select

from qms.core import timeutil
from qms.extensions import db
from qms.records.models import Record
from qms.seed import DEMO_USERS
from tests.support.browser import login
from tests.support.clock import at

pytestmark = pytest.mark.browser
PASSWORDS = {u: p for u, *_, p in DEMO_USERS}


def _login(browser, live_server, username, width):
    return login(browser, live_server, username, viewport=(width, 844 if width < 600 else 900),
                 password=PASSWORDS[username])


def _overflow(page) -> int:
    """How many pixels the page is wider than the screen (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_every_demo_page_fits_a_phone(app, live_server, browser, tmp_path):
    timeutil.set_clock(at(11, 22))
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    records = [(r.form_code, r.id) for r in db.session.execute(select(Record).order_by(Record.id)).scalars()]
    codes = sorted({c for c, _ in records})
    # Each form's first record in each state and its last one: the demo holds a year of data analysis
    # (a thousand records), and one page per form and state shows every layout a phone meets.
    states = {(r.form_code, r.status): r.id for r in db.session.execute(select(Record).order_by(Record.id.desc()))
              .scalars()}
    last = {c: i for c, i in records}
    shown = sorted(set(states.values()) | set(last.values()))
    records = [(c, i) for c, i in records if i in set(shown)]
    db.session.remove()
    pages = ["/", "/forms", "/procedures/", "/inbox", "/capa/desk", "/instruments", "/account", "/analysis",
             "/analysis/indicators", "/analysis/objectives", "/analysis/review", "/analysis/survey",
             "/analysis/meetings", "/analysis/techniques", "/analysis/techniques/pareto"]
    pages += [f"/r/{c}/" for c in codes] + [f"/r/{c}/{i}" for c, i in records] + [f"/r/{c}/new" for c in codes]
    admin_pages = ["/admin/users", "/admin/departments", "/admin/reminders", "/audit/", "/admin/users/new"]
    wide = []
    for username, extra in (("quality", []), ("tech", []), ("admin", admin_pages)):
        phone = _login(browser, live_server, username, 390)
        # One line of header: the menu folds the navigation away until it is opened.
        assert phone.locator("nav.main").is_hidden() and phone.locator(".menu-button").is_visible()
        header = phone.locator("header.top").bounding_box()
        assert header["height"] < 60, header
        for path in pages + extra:
            resp = phone.goto(live_server + path)
            if resp.status in (403, 404):
                continue  # not this person's page (a form they may not create)
            assert resp.status == 200, (username, path, resp.status)
            if _overflow(phone) > 1:
                wide.append((username, path, _overflow(phone)))
        phone.close()
    assert wide == [], wide

    phone = _login(browser, live_server, "quality", 390)
    phone.click(".menu-button")
    assert phone.locator("nav.main").is_visible() and phone.locator("#inbox-link").is_visible()
    phone.goto(f"{live_server}/r/{records[0][0]}/")
    assert phone.locator("table.register thead").is_hidden()  # cards, not columns
    code, rid = records[0]
    phone.goto(f"{live_server}/r/{code}/{rid}")
    aside = phone.locator(".record-grid aside").bounding_box()
    values = phone.locator(".record-grid .values").bounding_box()
    assert aside["y"] < values["y"]  # the state and the actions first
    assert phone.locator("details#history").get_attribute("open") is None  # history folded
    for name, path in (("home", "/"), ("register", f"/r/{code}/"), ("record", f"/r/{code}/{rid}"),
                       ("instruments", "/instruments"), ("desk", "/capa/desk")):
        phone.goto(live_server + path)
        phone.screenshot(path=str(tmp_path / f"390-{name}.png"), full_page=True)
    desk = _login(browser, live_server, "quality", 1366)
    assert desk.locator("nav.main").is_visible() and desk.locator(".menu-button").is_hidden()
    for name, path in (("home", "/"), ("record", f"/r/{code}/{rid}")):
        desk.goto(live_server + path)
        desk.screenshot(path=str(tmp_path / f"1366-{name}.png"), full_page=True)
